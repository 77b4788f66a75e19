import type { IdentityExpectation, IdentityExpectationInput } from "../identity/identity-expectation.js";

/** HTTP methods the client sends. */
export type DreamFactoryMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/** One call to DreamFactory's REST API, made as the credential's user. */
export interface DreamFactoryRequest {
  /** HTTP method. */
  method: DreamFactoryMethod;
  /**
   * Path after `/api/v2`, e.g. `/db/_table/orders`; segments already validated and encoded by the caller.
   * Must start with a single `/` and hold no query string (use `query`).
   */
  path: string;
  /** Query parameters; `undefined` values are left out. Never put credentials here. */
  query?: Record<string, string | number | boolean | undefined>;
  /** JSON body. */
  body?: unknown;
  /** The run's AbortSignal; aborting rejects with `aborted`. */
  signal?: AbortSignal;
  /** Trace id sent as `X-DreamFactory-Trace-Id` when it matches `^[A-Za-z0-9._-]{8,64}$`; else a fresh UUID. */
  traceId?: string;
  /**
   * `"read"`: retried with backoff after 5xx/408/network errors (an answer cut off mid-body included)/timeouts.
   * `"never"`: never repeated after the request may have reached DreamFactory (a lost, cut-off or unreadable answer
   * becomes `write_outcome_unknown`).
   * Both are retried after 429, which DreamFactory answers before doing anything.
   * @default "read" for GET, "never" otherwise
   */
  retry?: "read" | "never";
  /**
   * Who the credential must belong to. Before the first call with a token, the client asks DreamFactory who it
   * belongs to (`GET /api/v2/user/session`, cached per token until it expires) and refuses with
   * `identity_mismatch`, sending nothing else, when it is someone else. Checked together with the expectations
   * `credentialFrom(config)` attached to the credential (all must hold).
   */
  expect?: IdentityExpectationInput | IdentityExpectation;
}

/** Who a call ran as (non-secret). */
export interface ActedAs {
  /** DreamFactory user id. */
  userId: number;
  /** E-mail, when known: DreamFactory's own when `verified`, else what the token or the app supplied. */
  email?: string;
  /** `true` when DreamFactory confirmed who the token belongs to and it matched the run's expected user. */
  verified?: boolean;
}

/** A successful DreamFactory answer. */
export interface DreamFactoryResponse<T> {
  /** HTTP status (2xx). */
  status: number;
  /** Parsed JSON body (the raw text when the body was not JSON; `null` when empty). */
  data: T;
  /** Trace id that was sent. */
  traceId: string;
  /** Who the call ran as (the refreshed credential's user after a refresh). */
  actedAs: ActedAs;
  /** Number of HTTP attempts for the data request (1 when nothing was repeated; a refresh call is not counted). */
  attempts: number;
}

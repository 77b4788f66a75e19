import type { DreamFactoryErrorCode } from "./dreamfactory-error-code.js";

const BRAND = Symbol.for("langchain-dreamfactory.error");

/** DreamFactory's decoded error envelope (`{"error":{code,context,message,status_code}}`). */
export interface DreamFactoryErrorEnvelope {
  /** DreamFactory's `error.code`: the HTTP status, except batch errors (1000). */
  code: number;
  /** The message, HTML entities decoded and the caller's token scrubbed. */
  message: string;
  /** `error.context` (batch details, exceeded rate limits), scrubbed like the message; `null` otherwise. */
  context: unknown;
}

/** Fields of a {@link DreamFactoryError} besides its code and message. */
export interface DreamFactoryErrorOptions {
  /** HTTP status, when DreamFactory answered. */
  status?: number;
  /** HTTP method of the failed request. */
  method?: string;
  /** Request path (`/api/v2/...`), never with a query string. */
  path?: string;
  /** DreamFactory's decoded error envelope, when the answer had one. */
  dreamfactory?: DreamFactoryErrorEnvelope;
  /** Whether repeating the same call later may succeed. @default false */
  retryable?: boolean;
  /** A clean cause (never an HTTP library error: those hold request headers). */
  cause?: unknown;
}

/**
 * The one error type this package throws for everything DreamFactory- or credential-related.
 *
 * Its message is short and never holds a token, an API key or a header value. `cause`, when set, is a clean
 * object built by this package (never the HTTP library's error, which holds the request headers).
 *
 * @example
 * ```ts
 * try {
 *   await client.request(credential, { method: "GET", path: "/db/_table/orders" });
 * } catch (e) {
 *   if (isDreamFactoryError(e) && e.code === "credential_expired") {
 *     // send the user to the login page
 *   }
 * }
 * ```
 */
export class DreamFactoryError extends Error {
  /** Stable code; branch on this. */
  readonly code: DreamFactoryErrorCode;
  /** HTTP status when DreamFactory answered. */
  declare readonly status?: number;
  /** HTTP method of the failed request. */
  declare readonly method?: string;
  /** Request path, without query string. */
  declare readonly path?: string;
  /** DreamFactory's decoded error envelope. */
  declare readonly dreamfactory?: DreamFactoryErrorEnvelope;
  /** Whether repeating the same call later may succeed. */
  readonly retryable: boolean;

  /**
   * Creates an error with a stable code. The package builds these itself; apps normally only read them.
   * @param code - stable error code
   * @param message - short message; must not hold a secret (callers in this package guarantee it)
   * @param options - structured details
   */
  constructor(code: DreamFactoryErrorCode, message: string, options: DreamFactoryErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "DreamFactoryError";
    this.code = code;
    if (options.status !== undefined) this.status = options.status;
    if (options.method !== undefined) this.method = options.method;
    if (options.path !== undefined) this.path = options.path;
    if (options.dreamfactory !== undefined) this.dreamfactory = options.dreamfactory;
    this.retryable = options.retryable ?? false;
  }

  /** Plain JSON view: name, code, message and the structured fields (no stack, no cause). */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      status: this.status,
      method: this.method,
      path: this.path,
      dreamfactory: this.dreamfactory,
      retryable: this.retryable,
    };
  }
}

Object.defineProperty(DreamFactoryError.prototype, BRAND, { value: true });

/**
 * Whether `e` is a {@link DreamFactoryError}, also when it comes from another copy of this package
 * (ESM and CommonJS builds loaded side by side), where `instanceof` fails.
 *
 * @param e - anything caught
 */
export function isDreamFactoryError(e: unknown): e is DreamFactoryError {
  return typeof e === "object" && e !== null && (e as Record<symbol, unknown>)[BRAND] === true;
}

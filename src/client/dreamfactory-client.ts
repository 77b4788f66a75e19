import type { RunnableConfig } from "@langchain/core/runnables";
import { DreamFactoryError } from "../errors/dreamfactory-error.js";
import {
  DreamFactoryCredential,
  isDreamFactoryCredential,
  notACredential,
  notYetValid,
  revealToken,
} from "../identity/dreamfactory-credential.js";
import { bindExpectations, boundExpectations } from "../identity/bound-expectations.js";
import { findExpectations } from "../identity/find-expectations.js";
import { IdentityExpectation } from "../identity/identity-expectation.js";
import { RefreshCoordinator } from "../identity/refresh-coordinator.js";
import { findCredential, resolveCredential } from "../identity/resolve-credential.js";
import { type DreamFactorySessionInfo, parseSessionInfo } from "../identity/session-info.js";
import { parseBaseUrl, type BaseUrl } from "./base-url.js";
import {
  validateClientOptions,
  type DreamFactoryClientOptions,
  type ValidatedClientOptions,
} from "./dreamfactory-client-options.js";
import type { DreamFactoryRequest, DreamFactoryResponse } from "./dreamfactory-request.js";
import { parseErrorEnvelope } from "./error-envelope.js";
import { codeForStatus, errorFromResponse } from "./error-from-response.js";
import { HttpTransport, type TransportFailureReason } from "./http-transport.js";
import { checkSessionIdentity, checkSubjectClaim, checkTokenClaims } from "./identity-check.js";
import { abortedError, expiredBeforeSend, failureError, parseBody } from "./request-failures.js";
import { planRequest, type RequestPlan } from "./request-plan.js";
import { backoffDelay, parseRetryAfter, RETRY_WAIT_BUDGET_MS, sleep } from "./retry-timing.js";
import { SecretScrubber } from "./secret-scrubber.js";
import { SessionEndpoints } from "./session-endpoints.js";
import { SessionIdentityCache } from "./session-identity-cache.js";
import { waitShared } from "./shared-wait.js";
import { chooseTraceId } from "./trace-id.js";

const SESSION_PATH = "/user/session";
const SESSION_INFO_PLAN: RequestPlan = { method: "GET", url: SESSION_PATH, path: SESSION_PATH, body: undefined, retry: "read" };
const NOT_RETRIED_5XX = new Set([501, 505]);
/** Transport failures a read is repeated after (an unreadable but complete answer would only come back the same). */
const RETRIED_FAILURES: ReadonlySet<TransportFailureReason> = new Set(["timeout", "not_sent", "maybe_sent", "cut_off"]);

let sessionEndpointsOf: (client: DreamFactoryClient) => SessionEndpoints;

/**
 * HTTP client for DreamFactory's REST API that always calls as a given user.
 *
 * Every request carries `X-DreamFactory-API-Key` (the app), `X-DreamFactory-Session-Token` (the user) and
 * `X-DreamFactory-Trace-Id`; credentials never go into URLs. It fails closed: no request is sent without a
 * valid, unexpired {@link DreamFactoryCredential}. Errors are {@link DreamFactoryError}s whose messages never
 * hold a token or the API key (DreamFactory's own message text is scrubbed of the caller's token).
 *
 * Retries: reads (GET by default) are retried with exponential backoff + jitter after 5xx, 408, network errors
 * (including an answer cut off before its end) and timeouts, up to `maxRetries`; every method is retried after 429 (DreamFactory rejects before doing
 * anything), waiting `Retry-After`. All waits of one request together stay under 10 s and end when the caller's
 * signal aborts. Writes are never repeated once they may have reached DreamFactory: a lost, cut-off or unreadable
 * answer is `write_outcome_unknown`.
 *
 * @example
 * ```ts
 * const client = new DreamFactoryClient({ baseUrl: "https://df.example.com", apiKey: process.env.DF_API_KEY! });
 * const res = await client.request<{ resource: unknown[] }>(credential, {
 *   method: "GET",
 *   path: "/db/_table/orders",
 *   query: { limit: 10 },
 * });
 * ```
 */
export class DreamFactoryClient {
  readonly #base: BaseUrl;
  readonly #apiPath: string;
  readonly #options: ValidatedClientOptions;
  readonly #transport: HttpTransport;
  readonly #refresher: RefreshCoordinator;
  readonly #identities = new SessionIdentityCache();
  #sessionEndpoints: SessionEndpoints | undefined;

  static {
    sessionEndpointsOf = (client) => {
      client.#sessionEndpoints ??= new SessionEndpoints({
        transport: client.#transport,
        apiPath: client.#apiPath,
        apiKey: client.#options.apiKey,
        timeoutMs: client.#options.timeoutMs,
        headers: (token, traceId, hasBody) => client.#headers(token, traceId, hasBody),
        identities: client.#identities,
        refresh: (credential, signal) => client.#refresh(credential, signal),
      });
      return client.#sessionEndpoints;
    };
  }

  /**
   * @param options - see {@link DreamFactoryClientOptions}
   * @throws TypeError naming the bad option; for `http://` to a non-loopback host without `allowInsecureHttp`
   */
  constructor(options: DreamFactoryClientOptions) {
    this.#options = validateClientOptions(options);
    this.#base = parseBaseUrl(options.baseUrl, this.#options.allowInsecureHttp);
    this.#apiPath = new URL(this.#base.api).pathname;
    this.#transport = new HttpTransport(this.#base.api);
    this.#refresher = new RefreshCoordinator(
      (previous) => this.#performRefresh(previous),
      this.#options.onTokenRefresh,
    );
  }

  /** DreamFactory's base URL (without `/api/v2`). */
  get baseUrl(): string {
    return this.#base.display;
  }

  /**
   * The credential of a run: the client's `resolveCredential` option, then `configurable.dreamfactory`,
   * then `context.dreamfactory`. An expired credential is refused unless `onTokenRefresh` is set (then
   * `request` refreshes it).
   *
   * When the run states who the app authenticated — `withDreamFactoryUser(…, { expect })`,
   * `context.dreamfactoryExpect`, or the `resolveExpectedUser` option — the result is a copy of the credential
   * carrying that expectation, and every `request` made with it first checks that the token belongs to that user
   * (see {@link DreamFactoryClient.request}). Without a statement the run's own credential object is returned.
   *
   * @param config - a tool's or retriever's config
   * @throws DreamFactoryError `credential_missing` / `credential_raw_string` / `credential_invalid` /
   *   `credential_expired`; TypeError when an expectation source holds something that is not `{ email }` / `{ userId }`
   */
  credentialFrom(config: RunnableConfig | undefined): DreamFactoryCredential {
    const resolver = this.#options.resolveCredential;
    const credential =
      this.#options.onTokenRefresh === undefined ? resolveCredential(config, resolver) : findCredential(config, resolver);
    return bindExpectations(credential, findExpectations(config, this.#options.resolveExpectedUser));
  }

  /**
   * Who `credential` belongs to, as DreamFactory reports it (`GET /api/v2/user/session` with that token; the session
   * token of the answer is dropped). Looked up once per token and remembered until the token expires; concurrent
   * calls share one lookup; a failed lookup is not remembered. Also what `credential.whoami(client)` returns.
   *
   * @param credential - the user's credential
   * @param options - the caller's signal (ends only this caller's wait) and trace id
   * @throws DreamFactoryError `credential_expired` (nothing sent, unless `onTokenRefresh` is set), and the lookup's
   *   errors (`unauthorized`, `token_blacklisted`, `server_error`, …)
   * @example
   * ```ts
   * const me = await client.sessionInfo(credential);
   * console.log(`answering as ${me.name} (${me.role ?? "no role"})`);
   * ```
   */
  async sessionInfo(
    credential: DreamFactoryCredential,
    options: { signal?: AbortSignal; traceId?: string } = {},
  ): Promise<DreamFactorySessionInfo> {
    if (!isDreamFactoryCredential(credential)) throw notACredential(credential);
    const current = await this.#usable(credential, options.signal, SESSION_INFO_PLAN);
    return this.#lookupSession(current, chooseTraceId(options.traceId), options.signal);
  }

  /**
   * Sends one request as the credential's user.
   *
   * Identity check: when the credential comes from `credentialFrom(config)` of a run that states who the app
   * authenticated, or `req.expect` is set, the client first learns who the token belongs to
   * (`GET /api/v2/user/session` with that token — once per token, remembered until it expires, shared by
   * concurrent calls, not remembered on failure) and compares: e-mail case-insensitively, or user id (a user id that
   * differs from the token's `user_id` claim fails without any request). Someone else → `identity_mismatch` and
   * nothing else is sent; `actedAs` then carries DreamFactory's e-mail and `verified: true`. No expectation, no
   * extra request. An expired token fails before the lookup (unless `onTokenRefresh` is set), and so does a token not
   * yet valid on this machine's clock (`credential_not_yet_valid`: its `nbf` lies beyond the credential's clock
   * tolerance, e.g. after the clock moved back).
   *
   * @param credential - the user's credential (from `credentialFrom`)
   * @param req - method, path after `/api/v2`, query, body, signal, trace id, retry mode, expected user
   * @returns status, parsed body, trace id, who it ran as, attempts
   * @throws TypeError for a malformed `req`; DreamFactoryError for everything else (see the class doc)
   */
  async request<T = unknown>(credential: DreamFactoryCredential, req: DreamFactoryRequest): Promise<DreamFactoryResponse<T>> {
    const plan = planRequest(req);
    if (!isDreamFactoryCredential(credential)) throw notACredential(credential);
    const expectations = [...boundExpectations(credential), ...requestExpectation(req)];
    return this.#send<T>(credential, plan, req.signal, chooseTraceId(req.traceId), expectations);
  }

  /**
   * Applies refresh rules before sending: the newest known token of the chain, then an expired one refreshed
   * (with `onTokenRefresh`) or refused without a request; a token not yet valid on our clock (its `nbf` beyond the
   * credential's clock tolerance) is refused without a request.
   */
  async #usable(credential: DreamFactoryCredential, signal: AbortSignal | undefined, plan: RequestPlan): Promise<DreamFactoryCredential> {
    if (signal?.aborted) throw abortedError(plan, this.#apiPath + plan.path, signal, false);
    const refreshing = this.#options.onTokenRefresh !== undefined;
    let current = credential;
    if (refreshing) current = this.#refresher.latest(current) ?? current;
    if (current.isExpired()) {
      if (!refreshing) throw expiredBeforeSend(current);
      current = await this.#refresh(current, signal);
    }
    const early = notYetValid(current);
    if (early !== undefined) throw early;
    return current;
  }

  /** Who the token belongs to: remembered, or one shared `GET /user/session`; the caller's signal ends its wait. */
  #lookupSession(credential: DreamFactoryCredential, traceId: string, signal: AbortSignal | undefined): Promise<DreamFactorySessionInfo> {
    const shared = this.#identities.lookup(credential, async () => {
      const res = await this.#send<unknown>(credential, SESSION_INFO_PLAN, undefined, traceId, []);
      const info = parseSessionInfo(res.data);
      if (info === undefined) {
        throw new DreamFactoryError(
          "server_error",
          `DreamFactory answered GET ${this.#apiPath}${SESSION_PATH} without a user id and e-mail.`,
          { status: res.status, method: "GET", path: this.#apiPath + SESSION_PATH },
        );
      }
      return info;
    });
    return waitShared(shared, signal, "session lookup");
  }

  async #send<T>(
    credential: DreamFactoryCredential,
    plan: RequestPlan,
    signal: AbortSignal | undefined,
    traceId: string,
    expectations: readonly IdentityExpectation[],
  ): Promise<DreamFactoryResponse<T>> {
    const fullPath = this.#apiPath + plan.path;
    const refreshing = this.#options.onTokenRefresh !== undefined;
    if (expectations.length > 0) {
      checkTokenClaims(credential, expectations);
      // Known owner of this very token: refuse before refreshing someone else's token.
      const known = this.#identities.get(credential);
      if (known !== undefined) checkSessionIdentity(known, credential, expectations);
      // An expired token cannot be looked up, and refreshing it would blacklist it (logging its real owner out)
      // and hand the app a new token: compare the e-mail with the token's own `sub` (md5 of the e-mail) first.
      else if (refreshing && credential.isExpired()) checkSubjectClaim(credential, expectations);
    }
    let current = await this.#usable(credential, signal, plan);
    let verified: DreamFactorySessionInfo | undefined;
    if (expectations.length > 0) {
      verified = await this.#lookupSession(current, traceId, signal);
      checkSessionIdentity(verified, current, expectations);
      if (signal?.aborted) throw abortedError(plan, fullPath, signal, false);
    }

    let attempts = 0;
    let retries = 0;
    let waitedMs = 0;
    let switchedAfterAuthError = false;
    for (;;) {
      // A retry never re-sends a token that expired during the earlier attempts or waits: refresh it, or stop.
      if (attempts > 0) current = await this.#usable(current, signal, plan);
      attempts += 1;
      const token = revealToken(current);
      const result = await this.#transport.send({
        method: plan.method,
        url: plan.url,
        headers: this.#headers(token, traceId, plan.body !== undefined),
        ...(plan.body === undefined ? {} : { body: plan.body }),
        timeoutMs: this.#options.timeoutMs,
        ...(signal === undefined ? {} : { signal }),
      });

      if (result.kind === "failure") {
        const error = failureError(result, plan, fullPath, signal, this.#options.timeoutMs);
        const retryable = plan.retry === "read" && RETRIED_FAILURES.has(result.reason);
        if (retryable && retries < this.#options.maxRetries) {
          const delay = backoffDelay(retries);
          if (waitedMs + delay <= RETRY_WAIT_BUDGET_MS) {
            await this.#wait(delay, signal, plan, fullPath);
            waitedMs += delay;
            retries += 1;
            continue;
          }
        }
        throw error;
      }

      const { status } = result;
      if (status >= 200 && status < 300) {
        return {
          status,
          data: parseBody(result.body) as T,
          traceId,
          actedAs:
            verified !== undefined && verified.id === current.userId
              ? { userId: current.userId, email: verified.email, verified: true }
              : { userId: current.userId, ...(current.email === undefined ? {} : { email: current.email }) },
          attempts,
        };
      }

      const scrubber = new SecretScrubber([token, revealToken(credential), this.#options.apiKey]);
      const envelope = parseErrorEnvelope(result.body, status, scrubber);
      const code = codeForStatus(status, envelope);
      const request = { method: plan.method, path: fullPath };

      if (code === "credential_expired" && refreshing) {
        if (switchedAfterAuthError) {
          throw errorFromResponse(status, request, envelope, false, "refresh_failed");
        }
        switchedAfterAuthError = true;
        current = await this.#refresh(current, signal);
        continue;
      }
      if (code === "token_blacklisted" && refreshing && !switchedAfterAuthError) {
        // A newer token we refreshed ourselves replaces a blacklisted one (refresh blacklists the old token).
        const newer = this.#refresher.latest(current);
        if (newer !== undefined) {
          switchedAfterAuthError = true;
          current = newer;
          continue;
        }
      }

      const retryableStatus =
        status === 429 ||
        (plan.retry === "read" && (status === 408 || (status >= 500 && !NOT_RETRIED_5XX.has(status))));
      if (retryableStatus && retries < this.#options.maxRetries) {
        const delay = status === 429 ? (parseRetryAfter(result.retryAfter) ?? backoffDelay(retries)) : backoffDelay(retries);
        if (waitedMs + delay <= RETRY_WAIT_BUDGET_MS) {
          await this.#wait(delay, signal, plan, fullPath);
          waitedMs += delay;
          retries += 1;
          continue;
        }
      }
      throw errorFromResponse(status, request, envelope, retryableStatus);
    }
  }

  /** JSON view: `{ baseUrl }` only (never the API key). */
  toJSON(): { baseUrl: string } {
    return { baseUrl: this.#base.display };
  }

  /** `util.inspect` view: base URL only. */
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return `DreamFactoryClient { baseUrl: ${JSON.stringify(this.#base.display)} }`;
  }

  #headers(token: string | undefined, traceId: string, hasBody: boolean): Record<string, string> {
    return {
      Accept: "application/json",
      "X-DreamFactory-API-Key": this.#options.apiKey,
      ...(token === undefined ? {} : { "X-DreamFactory-Session-Token": token }),
      "X-DreamFactory-Trace-Id": traceId,
      ...(hasBody ? { "Content-Type": "application/json" } : {}),
    };
  }

  async #wait(ms: number, signal: AbortSignal | undefined, plan: RequestPlan, fullPath: string): Promise<void> {
    try {
      await sleep(ms, signal);
    } catch {
      throw abortedError(plan, fullPath, signal, false);
    }
  }

  /** Waits for the shared refresh; the caller's signal ends the wait, not the shared refresh. */
  #refresh(previous: DreamFactoryCredential, signal: AbortSignal | undefined): Promise<DreamFactoryCredential> {
    return waitShared(this.#refresher.refresh(previous), signal, "token refresh");
  }

  async #performRefresh(previous: DreamFactoryCredential): Promise<DreamFactoryCredential> {
    const token = revealToken(previous);
    const fullPath = this.#apiPath + SESSION_PATH;
    const result = await this.#transport.send({
      method: "PUT",
      url: SESSION_PATH,
      headers: this.#headers(token, chooseTraceId(undefined), false),
      timeoutMs: this.#options.timeoutMs,
    });
    if (result.kind === "failure") {
      throw new DreamFactoryError(
        "refresh_failed",
        `DreamFactory token refresh failed (${result.reason === "timeout" ? "timed out" : `connection error ${result.code}`}): PUT ${fullPath}` +
          (result.reason === "not_sent" ? "" : "; the request may have reached DreamFactory, so the old token may now be blacklisted"),
        // Only a refresh that surely never left is worth repeating: one that may have arrived blacklisted the old token.
        { method: "PUT", path: fullPath, cause: { code: result.code }, retryable: result.reason === "not_sent" },
      );
    }
    const scrubber = new SecretScrubber([token, this.#options.apiKey]);
    if (result.status < 200 || result.status >= 300) {
      const envelope = parseErrorEnvelope(result.body, result.status, scrubber);
      throw errorFromResponse(result.status, { method: "PUT", path: fullPath }, envelope, false, "refresh_failed");
    }
    const body = parseBody(result.body) as { session_token?: unknown; email?: unknown } | null;
    const nextToken = typeof body === "object" && body !== null ? body.session_token : undefined;
    if (typeof nextToken !== "string") {
      throw new DreamFactoryError(
        "refresh_failed",
        `DreamFactory token refresh failed: PUT ${fullPath} answered without a session_token.`,
        { status: result.status, method: "PUT", path: fullPath },
      );
    }
    const email = typeof body?.email === "string" && body.email !== "" ? body.email : previous.email;
    let next: DreamFactoryCredential;
    try {
      next = DreamFactoryCredential.fromSessionToken(nextToken, email === undefined ? {} : { email });
    } catch (e) {
      const code = e instanceof DreamFactoryError ? e.code : "credential_invalid";
      throw new DreamFactoryError(
        "refresh_failed",
        `DreamFactory token refresh failed: the new session token is not usable (${code}).`,
        { status: result.status, method: "PUT", path: fullPath, cause: { code } },
      );
    }
    if (next.userId !== previous.userId) {
      throw new DreamFactoryError(
        "refresh_failed",
        `DreamFactory token refresh failed: the new session token belongs to user ${next.userId}, not ${previous.userId}.`,
        { status: result.status, method: "PUT", path: fullPath },
      );
    }
    // The answer is DreamFactory's session info for the new token: no lookup needed for it later.
    const info = parseSessionInfo(body);
    if (info !== undefined && info.id === next.userId) this.#identities.remember(next, info);
    return next;
  }
}

/**
 * Package-internal: the session endpoints (login, logout, refresh) of `client`, for `DreamFactorySession`.
 * @param client - a DreamFactoryClient of this package copy
 * @throws TypeError for anything else
 */
export function sessionEndpoints(client: DreamFactoryClient): SessionEndpoints {
  if (!(client instanceof DreamFactoryClient)) throw new TypeError("DreamFactorySession: client must be a DreamFactoryClient");
  return sessionEndpointsOf(client);
}

function requestExpectation(req: DreamFactoryRequest): IdentityExpectation[] {
  if (req.expect === undefined) return [];
  try {
    return [IdentityExpectation.from(req.expect)];
  } catch {
    throw new TypeError("DreamFactoryClient.request: expect must be { email: non-empty string } or { userId: integer >= 0 }");
  }
}

import { DreamFactoryError } from "../errors/dreamfactory-error.js";
import { credentialExpiredError } from "../identity/credential-expired-error.js";
import type { DreamFactoryCredential } from "../identity/dreamfactory-credential.js";
import type { TransportResult } from "./http-transport.js";
import type { RequestPlan } from "./request-plan.js";

type Failure = Extract<TransportResult, { kind: "failure" }>;

/**
 * The typed error for a transport failure of one attempt (no HTTP answer).
 * @param failure - what the transport reported
 * @param plan - the request
 * @param fullPath - path including `/api/v2`
 * @param signal - the caller's signal
 * @param timeoutMs - the per-attempt timeout, for the message
 */
export function failureError(
  failure: Failure,
  plan: RequestPlan,
  fullPath: string,
  signal: AbortSignal | undefined,
  timeoutMs: number,
): DreamFactoryError {
  const where = `${plan.method} ${fullPath}`;
  const base = { method: plan.method, path: fullPath, cause: { code: failure.code } };
  const write = plan.retry === "never";
  switch (failure.reason) {
    case "aborted":
      return abortedError(plan, fullPath, signal, true);
    case "timeout":
      return write
        ? new DreamFactoryError(
            "write_outcome_unknown",
            `DreamFactory write outcome unknown (timed out after ${timeoutMs} ms): ${where}; ` +
              "it may or may not have been applied — check before repeating it.",
            base,
          )
        : new DreamFactoryError("timeout", `DreamFactory request timed out after ${timeoutMs} ms: ${where}`, {
            ...base,
            retryable: true,
          });
    case "not_sent":
      return new DreamFactoryError(
        "network_error",
        `DreamFactory request failed (could not connect, ${failure.code}; nothing was sent): ${where}`,
        { ...base, retryable: true },
      );
    case "maybe_sent":
      return write
        ? new DreamFactoryError(
            "write_outcome_unknown",
            `DreamFactory write outcome unknown (connection error ${failure.code}): ${where}; ` +
              "it may or may not have been applied — check before repeating it.",
            base,
          )
        : new DreamFactoryError("network_error", `DreamFactory request failed (connection error ${failure.code}): ${where}`, {
            ...base,
            retryable: true,
          });
    case "cut_off":
      // The request reached DreamFactory and was handled; only the answer was lost on the way back.
      return write
        ? new DreamFactoryError(
            "write_outcome_unknown",
            `DreamFactory write outcome unknown (the answer was cut off, ${failure.code}): ${where}; ` +
              "it may or may not have been applied — check before repeating it.",
            base,
          )
        : new DreamFactoryError(
            "network_error",
            `DreamFactory request failed (the answer was cut off before its end, ${failure.code}): ${where}`,
            { ...base, retryable: true },
          );
    case "bad_response":
      // A write whose answer cannot be read has still been handled by DreamFactory: its outcome is unknown.
      return write
        ? new DreamFactoryError(
            "write_outcome_unknown",
            `DreamFactory write outcome unknown (unreadable answer, ${failure.code}): ${where}; ` +
              "it may or may not have been applied — check before repeating it.",
            base,
          )
        : new DreamFactoryError("server_error", `DreamFactory request failed (unreadable response, ${failure.code}): ${where}`, base);
  }
}

/**
 * `credential_expired` for a token expired on our clock; nothing was sent.
 * @param credential - the expired credential
 */
export function expiredBeforeSend(credential: DreamFactoryCredential): DreamFactoryError {
  return credentialExpiredError(
    credential.expiresAt,
    "nothing was sent. Refresh it (PUT /api/v2/user/session, or set the client's onTokenRefresh) or ask the user to log in again.",
  );
}

/**
 * `aborted` (or `timeout` when the caller's signal is a timeout signal).
 * @param plan - the request
 * @param fullPath - path including `/api/v2`
 * @param signal - the caller's signal
 * @param inFlight - whether the request may have reached DreamFactory
 */
export function abortedError(plan: RequestPlan, fullPath: string, signal: AbortSignal | undefined, inFlight: boolean): DreamFactoryError {
  const reason: unknown = signal?.reason;
  const byTimeout = typeof reason === "object" && reason !== null && (reason as { name?: unknown }).name === "TimeoutError";
  const outcome = inFlight && plan.retry === "never" ? "; the write may or may not have been applied" : "";
  return new DreamFactoryError(
    byTimeout ? "timeout" : "aborted",
    `DreamFactory request ${byTimeout ? "hit the caller's timeout signal" : "was aborted by the caller"}: ` +
      `${plan.method} ${fullPath}${outcome}`,
    { method: plan.method, path: fullPath },
  );
}

/**
 * A response body as JSON, the raw text when it is not JSON, `null` when empty.
 * @param body - response text
 */
export function parseBody(body: string): unknown {
  if (body.trim() === "") return null;
  try {
    return JSON.parse(body);
  } catch {
    return body;
  }
}

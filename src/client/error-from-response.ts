import type { DreamFactoryErrorCode } from "../errors/dreamfactory-error-code.js";
import { DreamFactoryError, type DreamFactoryErrorEnvelope } from "../errors/dreamfactory-error.js";

const MAX_QUOTED_MESSAGE = 300;

/** DreamFactory's 401 message prefix for an expired JWT. */
export const TOKEN_EXPIRED_PREFIX = "Token has expired";
/** DreamFactory's 403 message prefix for a blacklisted (logged-out or already refreshed) JWT. */
export const TOKEN_BLACKLISTED_PREFIX = "The token has been blacklisted";

/**
 * The error code for a DreamFactory answer.
 * @param status - HTTP status
 * @param envelope - decoded envelope, if any
 */
export function codeForStatus(status: number, envelope: DreamFactoryErrorEnvelope | undefined): DreamFactoryErrorCode {
  const message = envelope?.message ?? "";
  if (status === 401) return message.startsWith(TOKEN_EXPIRED_PREFIX) ? "credential_expired" : "unauthorized";
  if (status === 403) return message.startsWith(TOKEN_BLACKLISTED_PREFIX) ? "token_blacklisted" : "forbidden";
  if (status === 404) return "not_found";
  if (status === 408) return "timeout";
  if (status === 429) return "rate_limited";
  if (status >= 500) return "server_error";
  if (status >= 300 && status < 400) return "server_error";
  if (envelope?.code === 1000) return "batch_error";
  return "bad_request";
}

/** Where a failed request went (for the message). */
export interface FailedRequest {
  method: string;
  /** Full path including `/api/v2`, no query string. */
  path: string;
}

/**
 * The message format shared by every HTTP failure:
 * `DreamFactory request failed with status 403: GET /api/v2/db/_table/orders — <DreamFactory's message>`.
 * @param status - HTTP status
 * @param request - method and path
 * @param envelope - decoded, scrubbed envelope
 */
export function failureMessage(status: number, request: FailedRequest, envelope: DreamFactoryErrorEnvelope | undefined): string {
  const head = `DreamFactory request failed with status ${status}: ${request.method} ${request.path}`;
  if (envelope === undefined) {
    if (status >= 300 && status < 400) return `${head} (unexpected redirect; check baseUrl)`;
    return `${head} (the answer was not a DreamFactory JSON error)`;
  }
  const text = envelope.message.replace(/\s+/g, " ").trim();
  if (text === "") return head;
  return `${head} — ${text.length > MAX_QUOTED_MESSAGE ? `${text.slice(0, MAX_QUOTED_MESSAGE)}…` : text}`;
}

/**
 * Builds the typed error for a non-2xx answer.
 * @param status - HTTP status
 * @param request - method and path
 * @param envelope - decoded, scrubbed envelope
 * @param retryable - whether the same call may succeed later
 * @param code - override (e.g. `refresh_failed`)
 */
export function errorFromResponse(
  status: number,
  request: FailedRequest,
  envelope: DreamFactoryErrorEnvelope | undefined,
  retryable: boolean,
  code: DreamFactoryErrorCode = codeForStatus(status, envelope),
): DreamFactoryError {
  return new DreamFactoryError(code, failureMessage(status, request, envelope), {
    status,
    method: request.method,
    path: request.path,
    ...(envelope === undefined ? {} : { dreamfactory: envelope }),
    retryable,
  });
}

import type { DreamFactoryErrorCode } from "./dreamfactory-error-code.js";
import { isDreamFactoryError } from "./dreamfactory-error.js";

/**
 * Codes that mean "this run has no usable identity": the app must handle them (log the user in again, fix its
 * wiring), never the model. A tool never turns them into a tool result.
 */
export const IDENTITY_ERROR_CODES: ReadonlySet<DreamFactoryErrorCode> = new Set<DreamFactoryErrorCode>([
  "credential_missing",
  "credential_invalid",
  "credential_expired",
  "credential_not_yet_valid",
  "credential_raw_string",
  "identity_mismatch",
  "refresh_failed",
  "token_blacklisted",
  "unauthorized",
]);

/**
 * Whether `e` is a DreamFactoryError about the run's identity (missing, malformed, expired or refused credential,
 * identity mismatch, failed refresh): errors the app must see, never the model.
 *
 * @param e - anything thrown
 */
export function isIdentityError(e: unknown): boolean {
  return isDreamFactoryError(e) && IDENTITY_ERROR_CODES.has(e.code);
}

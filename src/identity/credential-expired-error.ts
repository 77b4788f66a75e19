import { DreamFactoryError } from "../errors/dreamfactory-error.js";

/** What to do about an expired token when nothing more specific applies. */
const REFRESH_ADVICE = "refresh it (PUT /api/v2/user/session) or ask the user to log in again.";

/**
 * The `credential_expired` error for a token found expired on our clock:
 * `DreamFactory session token expired at {ISO time}; {advice}`. Holds the expiry time only, never the token.
 *
 * @param expiresAt - the token's `exp`
 * @param advice - what happened and what to do, for the situation at hand
 * @default advice "refresh it (PUT /api/v2/user/session) or ask the user to log in again."
 */
export function credentialExpiredError(expiresAt: Date, advice: string = REFRESH_ADVICE): DreamFactoryError {
  return new DreamFactoryError("credential_expired", `DreamFactory session token expired at ${expiresAt.toISOString()}; ${advice}`);
}

import { createHash } from "node:crypto";
import { DreamFactoryError } from "../errors/dreamfactory-error.js";
import type { DreamFactoryCredential } from "../identity/dreamfactory-credential.js";
import type { IdentityExpectation } from "../identity/identity-expectation.js";
import type { DreamFactorySessionInfo } from "../identity/session-info.js";

function mismatch(
  credential: DreamFactoryCredential,
  expectation: IdentityExpectation | undefined,
  source: "token_claims" | "session",
): DreamFactoryError {
  const by = expectation === undefined ? "its own claims" : expectation.userId === undefined ? "e-mail" : "user id";
  // Neither e-mail is quoted: the error may be shown to the person the app expected, and the token's owner is
  // someone else.
  return new DreamFactoryError(
    "identity_mismatch",
    `DreamFactory identity check failed: the session token of this run (fingerprint ${credential.fingerprint}) ` +
      `belongs to a different DreamFactory user than the one the app authenticated for the run (compared by ${by}); ` +
      "no data request was sent. Check where the run's token comes from (session store, checkpoint, a cache keyed " +
      "by thread instead of user).",
    { cause: { expected: expectation === undefined ? "claims" : expectation.toJSON().expect, source } },
  );
}

/**
 * Checks `userId` expectations against the token's own `user_id` claim, before anything is sent (DreamFactory acts
 * as that user whenever it accepts the token, so a different id can never match).
 *
 * @param credential - the run's credential
 * @param expectations - who the app authenticated
 * @throws DreamFactoryError `identity_mismatch`
 */
export function checkTokenClaims(credential: DreamFactoryCredential, expectations: readonly IdentityExpectation[]): void {
  for (const expectation of expectations) {
    if (expectation.userId !== undefined && expectation.userId !== credential.userId) {
      throw mismatch(credential, expectation, "token_claims");
    }
  }
}

/**
 * Checks what DreamFactory says about the token against every expectation (e-mail case-insensitive, or user id),
 * and that it agrees with the token's `user_id` claim.
 *
 * @param info - DreamFactory's session info for the token
 * @param credential - the run's credential
 * @param expectations - who the app authenticated
 * @throws DreamFactoryError `identity_mismatch`
 */
export function checkSessionIdentity(
  info: DreamFactorySessionInfo,
  credential: DreamFactoryCredential,
  expectations: readonly IdentityExpectation[],
): void {
  if (info.id !== credential.userId) throw mismatch(credential, undefined, "session");
  for (const expectation of expectations) {
    if (!expectation.matches(info)) throw mismatch(credential, expectation, "session");
  }
}

/**
 * Checks e-mail expectations against the token's `sub` claim — DreamFactory sets it to md5 of the user's e-mail —
 * for a token whose owner cannot be asked (it has expired, and refreshing it first would log its real owner out
 * and hand the app a new token of someone else). The e-mail is hashed as given and lower-cased; when neither
 * matches, the token is refused before anything is sent.
 *
 * @param credential - the run's (expired) credential
 * @param expectations - who the app authenticated
 * @throws DreamFactoryError `identity_mismatch`
 */
export function checkSubjectClaim(credential: DreamFactoryCredential, expectations: readonly IdentityExpectation[]): void {
  for (const expectation of expectations) {
    const email = expectation.email?.trim();
    if (email === undefined) continue;
    const md5 = (text: string) => createHash("md5").update(text).digest("hex");
    const sub = credential.sub.toLowerCase();
    if (md5(email) !== sub && md5(email.toLowerCase()) !== sub) throw mismatch(credential, expectation, "token_claims");
  }
}

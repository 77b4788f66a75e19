import { copyCredential, type DreamFactoryCredential } from "./dreamfactory-credential.js";
import type { IdentityExpectation } from "./identity-expectation.js";

const bound = new WeakMap<DreamFactoryCredential, readonly IdentityExpectation[]>();

/**
 * Package-internal: a copy of `credential` that carries the run's identity expectations, for the client to check
 * before it sends anything with it. A copy (never the app's object) so that two runs sharing one credential object
 * with different expectations cannot overwrite each other's.
 *
 * @param credential - the run's credential
 * @param expectations - every expectation of the run (all must hold); none returns `credential` itself
 */
export function bindExpectations(
  credential: DreamFactoryCredential,
  expectations: readonly IdentityExpectation[],
): DreamFactoryCredential {
  if (expectations.length === 0) return credential;
  const inherited = bound.get(credential) ?? [];
  const copy = copyCredential(credential);
  bound.set(copy, Object.freeze([...inherited, ...expectations]));
  return copy;
}

/**
 * Package-internal: the expectations bound to `credential` by {@link bindExpectations} (empty when none).
 * @param credential - a credential
 */
export function boundExpectations(credential: DreamFactoryCredential): readonly IdentityExpectation[] {
  return bound.get(credential) ?? [];
}

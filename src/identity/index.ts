export { CONTEXT_EXPECTATION_KEYS, CREDENTIAL_KEY, EXPECTATION_KEY } from "./config-keys.js";
export {
  DreamFactoryCredential,
  isDreamFactoryCredential,
  notACredential,
  revealToken,
  tokenHash,
} from "./dreamfactory-credential.js";
export type { DreamFactoryCredentialJSON, FromSessionTokenOptions } from "./dreamfactory-credential.js";
export { findExpectations } from "./find-expectations.js";
export type { ExpectedUserResolver } from "./find-expectations.js";
export { IdentityExpectation } from "./identity-expectation.js";
export type { IdentityExpectationInput } from "./identity-expectation.js";
export { RefreshCoordinator } from "./refresh-coordinator.js";
export type { RefreshFunction } from "./refresh-coordinator.js";
export { findCredential, readExpectation, resolveCredential } from "./resolve-credential.js";
export type { CredentialResolver } from "./resolve-credential.js";
export { parseSessionInfo } from "./session-info.js";
export type { DreamFactorySessionInfo, SessionInfoSource } from "./session-info.js";
export type { VerifyOptions, VerifyWithJwksOptions, VerifyWithSecretOptions } from "./verify-session-token.js";
export { withDreamFactoryUser } from "./with-dreamfactory-user.js";
export type { WithDreamFactoryUserOptions } from "./with-dreamfactory-user.js";

/** `configurable` key (and `context` key) holding the run's DreamFactoryCredential. */
export const CREDENTIAL_KEY = "dreamfactory";

/** `configurable` key holding the run's IdentityExpectation, if any. */
export const EXPECTATION_KEY = "dreamfactory_expect";

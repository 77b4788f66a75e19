/** `configurable` key (and `context` key) holding the run's DreamFactoryCredential. */
export const CREDENTIAL_KEY = "dreamfactory";

/** `configurable` key holding the run's IdentityExpectation, if any. */
export const EXPECTATION_KEY = "dreamfactory_expect";

/**
 * `context` keys (LangGraph runtime context) that may hold the run's expected user. `dreamfactoryExpect` is the
 * documented one; the snake_case spelling is accepted too so that a natural typo cannot switch the check off.
 */
export const CONTEXT_EXPECTATION_KEYS = ["dreamfactoryExpect", "dreamfactory_expect"] as const;

import type { RunnableConfig } from "@langchain/core/runnables";
import { CREDENTIAL_KEY, EXPECTATION_KEY } from "./config-keys.js";
import { DreamFactoryCredential, isDreamFactoryCredential, notACredential } from "./dreamfactory-credential.js";
import { IdentityExpectation, type IdentityExpectationInput } from "./identity-expectation.js";

/** Options of {@link withDreamFactoryUser}. */
export interface WithDreamFactoryUserOptions {
  /** Who the credential must belong to; stored for identity-consistency checks. */
  expect?: IdentityExpectationInput;
}

/**
 * Returns a new RunnableConfig that carries the user's credential at `configurable.dreamfactory`.
 *
 * A string is wrapped with `DreamFactoryCredential.fromSessionToken` first (so it can throw
 * `credential_invalid` / `credential_expired` / `credential_not_yet_valid`). The input config is not
 * modified; the token is never copied into `metadata`, `tags` or any plain value.
 *
 * @param credentialOrToken - a credential, or the raw session token
 * @param config - the config to extend (callbacks, thread_id, …)
 * @param options - `expect`: who the credential must belong to
 * @example
 * ```ts
 * await agent.invoke({ messages }, withDreamFactoryUser(sessionToken, { configurable: { thread_id: "t1" } }));
 * ```
 */
export function withDreamFactoryUser(
  credentialOrToken: DreamFactoryCredential | string,
  config?: RunnableConfig,
  options: WithDreamFactoryUserOptions = {},
): RunnableConfig {
  const credential =
    typeof credentialOrToken === "string" ? DreamFactoryCredential.fromSessionToken(credentialOrToken) : credentialOrToken;
  if (!isDreamFactoryCredential(credential)) throw notACredential(credential);
  const configurable: Record<string, unknown> = { ...config?.configurable, [CREDENTIAL_KEY]: credential };
  if (options.expect !== undefined) {
    configurable[EXPECTATION_KEY] = new IdentityExpectation(options.expect);
  } else {
    delete configurable[EXPECTATION_KEY];
  }
  return { ...config, configurable };
}

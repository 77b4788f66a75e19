import type { RunnableConfig } from "@langchain/core/runnables";
import { CONTEXT_EXPECTATION_KEYS, EXPECTATION_KEY } from "./config-keys.js";
import { IdentityExpectation, type IdentityExpectationInput } from "./identity-expectation.js";

/**
 * App hook that states who the app authenticated for a run (e.g. from LangGraph Platform's
 * `configurable.langgraph_auth_user`). Return `undefined` when the run carries no such statement.
 */
export type ExpectedUserResolver = (
  config: RunnableConfig,
) => IdentityExpectationInput | IdentityExpectation | undefined;

function read(holder: unknown, keys: readonly string[], where: string): IdentityExpectation[] {
  if (typeof holder !== "object" || holder === null) return [];
  const found: IdentityExpectation[] = [];
  for (const key of keys) {
    const value: unknown = (holder as Record<string, unknown>)[key];
    if (value === undefined || value === null) continue;
    try {
      found.push(IdentityExpectation.from(value as IdentityExpectationInput));
    } catch {
      throw new TypeError(`${where}.${key} must be { email: non-empty string } or { userId: integer >= 0 }`);
    }
  }
  return found;
}

/**
 * Every statement of who the app authenticated for this run; the credential must match all of them.
 * Sources: `configurable.dreamfactory_expect` (set by `withDreamFactoryUser(…, { expect })`),
 * `context.dreamfactoryExpect` (also spelled `context.dreamfactory_expect`; LangGraph runtime context / createAgent
 * `contextSchema`), and the app's `resolver`.
 *
 * @param config - the run's config
 * @param resolver - the client's `resolveExpectedUser` option
 * @throws TypeError when a source holds something that is not an expectation (a typo must not switch the check off)
 */
export function findExpectations(config: RunnableConfig | undefined, resolver?: ExpectedUserResolver): IdentityExpectation[] {
  const found = [
    ...read(config?.configurable, [EXPECTATION_KEY], "configurable"),
    ...read((config as { context?: unknown } | undefined)?.context, CONTEXT_EXPECTATION_KEYS, "context"),
  ];
  if (resolver !== undefined && config !== undefined) {
    const value = resolver(config);
    if (value !== undefined && value !== null) {
      try {
        found.push(IdentityExpectation.from(value));
      } catch {
        throw new TypeError("resolveExpectedUser must return { email } or { userId } (or undefined)");
      }
    }
  }
  return found;
}

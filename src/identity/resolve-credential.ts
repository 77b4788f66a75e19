import type { RunnableConfig } from "@langchain/core/runnables";
import { DreamFactoryError } from "../errors/dreamfactory-error.js";
import { CREDENTIAL_KEY, EXPECTATION_KEY } from "./config-keys.js";
import { credentialExpiredError } from "./credential-expired-error.js";
import { type DreamFactoryCredential, isDreamFactoryCredential, notACredential } from "./dreamfactory-credential.js";
import { IdentityExpectation } from "./identity-expectation.js";

/** App hook that finds the credential somewhere else in the config (e.g. `configurable.langgraph_auth_user`). */
export type CredentialResolver = (config: RunnableConfig) => DreamFactoryCredential | undefined;

function rawString(where: string): DreamFactoryError {
  return new DreamFactoryError(
    "credential_raw_string",
    `${where} holds a plain string. Plain strings there leak into LangSmith metadata and LangGraph ` +
      "debug/checkpoint streams; wrap the session token: withDreamFactoryUser(token, config) or " +
      "DreamFactoryCredential.fromSessionToken(token).",
  );
}

function accept(value: unknown, where: string): DreamFactoryCredential {
  if (typeof value === "string") throw rawString(where);
  if (!isDreamFactoryCredential(value)) throw notACredential(value);
  return value;
}

/**
 * Finds the run's credential without checking its expiry (the client refreshes expired credentials
 * when it has `onTokenRefresh`). Order: `resolver` (when it returns a value) → `configurable.dreamfactory`
 * → `context.dreamfactory` (LangGraph runtime context / createAgent `contextSchema`).
 *
 * @param config - the run's config (a tool's config / ToolRuntime)
 * @param resolver - optional app hook
 * @throws DreamFactoryError `credential_missing` / `credential_raw_string` / `credential_invalid`
 */
export function findCredential(config: RunnableConfig | undefined, resolver?: CredentialResolver): DreamFactoryCredential {
  if (resolver !== undefined && config !== undefined) {
    const found: unknown = resolver(config);
    if (found !== undefined && found !== null) return accept(found, "The credential resolver's result");
  }
  const fromConfigurable: unknown = (config?.configurable as Record<string, unknown> | undefined)?.[CREDENTIAL_KEY];
  if (fromConfigurable !== undefined && fromConfigurable !== null) {
    return accept(fromConfigurable, `configurable.${CREDENTIAL_KEY}`);
  }
  const context: unknown = (config as { context?: unknown } | undefined)?.context;
  const fromContext: unknown =
    typeof context === "object" && context !== null ? (context as Record<string, unknown>)[CREDENTIAL_KEY] : undefined;
  if (fromContext !== undefined && fromContext !== null) return accept(fromContext, `context.${CREDENTIAL_KEY}`);
  throw new DreamFactoryError(
    "credential_missing",
    "No DreamFactory credential in this run. Pass withDreamFactoryUser(credential, config) as the run's config, " +
      `or put a DreamFactoryCredential at context.${CREDENTIAL_KEY}.`,
  );
}

/**
 * Finds the run's credential (app resolver, then `configurable.dreamfactory`, then `context.dreamfactory`) and refuses an expired one.
 *
 * @param config - the run's config
 * @param resolver - optional app hook
 * @throws DreamFactoryError `credential_missing` / `credential_raw_string` / `credential_invalid` /
 *   `credential_expired`
 * @example
 * ```ts
 * const credential = resolveCredential(config);
 * ```
 */
export function resolveCredential(config: RunnableConfig | undefined, resolver?: CredentialResolver): DreamFactoryCredential {
  const credential = findCredential(config, resolver);
  if (credential.isExpired()) {
    throw credentialExpiredError(credential.expiresAt);
  }
  return credential;
}

/**
 * The identity expectation stored by `withDreamFactoryUser(…, { expect })`, if any.
 * @param config - the run's config
 */
export function readExpectation(config: RunnableConfig | undefined): IdentityExpectation | undefined {
  const value: unknown = (config?.configurable as Record<string, unknown> | undefined)?.[EXPECTATION_KEY];
  return value instanceof IdentityExpectation ? value : undefined;
}

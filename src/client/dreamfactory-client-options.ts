import type { DreamFactoryCredential } from "../identity/dreamfactory-credential.js";
import type { ExpectedUserResolver } from "../identity/find-expectations.js";
import type { CredentialResolver } from "../identity/resolve-credential.js";

/** Options of `new DreamFactoryClient(...)`. */
export interface DreamFactoryClientOptions {
  /** DreamFactory's URL, e.g. `https://df.example.com` (a trailing `/api/v2` is accepted). */
  baseUrl: string;
  /** The app's API key (`X-DreamFactory-API-Key`); identifies the app, not the user. */
  apiKey: string;
  /** Per-attempt timeout in ms (connect + answer). @default 30000 */
  timeoutMs?: number;
  /** Retries after 5xx/408/network errors/timeouts (reads only) and after 429 (all methods). @default 2 */
  maxRetries?: number;
  /**
   * Enables token refresh: an expired credential (client clock, or DreamFactory's 401 "Token has expired") is
   * refreshed once with `PUT /api/v2/user/session` — coalesced across concurrent calls — and this callback gets
   * the new credential so the app can store it (the old token is blacklisted by DreamFactory).
   * Without it an expired credential fails with `credential_expired`. Errors thrown here propagate to the caller.
   */
  onTokenRefresh?: (next: DreamFactoryCredential, previous: DreamFactoryCredential) => void | Promise<void>;
  /** Allow `http://` to a host that is not loopback (tokens travel unencrypted). @default false */
  allowInsecureHttp?: boolean;
  /** Finds the credential elsewhere in a run's config; tried before `configurable.dreamfactory`. */
  resolveCredential?: CredentialResolver;
  /**
   * States who the app authenticated for a run, e.g. `(config) => ({ email: config.configurable?.langgraph_auth_user?.email })`.
   * When it returns a value, `credentialFrom(config)` attaches it to the credential and `request` checks that the
   * token belongs to that user (one cached `GET /api/v2/user/session` per token) before sending anything else;
   * otherwise `identity_mismatch`. Combined with `withDreamFactoryUser(…, { expect })` and
   * `context.dreamfactoryExpect` (all must hold).
   */
  resolveExpectedUser?: ExpectedUserResolver;
}

/** Options after validation, with defaults applied. */
export interface ValidatedClientOptions {
  apiKey: string;
  timeoutMs: number;
  maxRetries: number;
  onTokenRefresh: DreamFactoryClientOptions["onTokenRefresh"];
  allowInsecureHttp: boolean;
  resolveCredential: CredentialResolver | undefined;
  resolveExpectedUser: ExpectedUserResolver | undefined;
}

const MAX_TIMER_MS = 2_147_483_647;

/**
 * Validates client options (everything except `baseUrl`). Never echoes option values.
 * @param options - what the app passed
 * @throws TypeError naming the bad option
 */
export function validateClientOptions(options: DreamFactoryClientOptions): ValidatedClientOptions {
  if (typeof options !== "object" || options === null) {
    throw new TypeError("DreamFactoryClient: options must be an object ({ baseUrl, apiKey, ... })");
  }
  const { apiKey, timeoutMs = 30_000, maxRetries = 2, onTokenRefresh, allowInsecureHttp = false } = options;
  if (typeof apiKey !== "string" || apiKey.length === 0) {
    throw new TypeError("DreamFactoryClient: option apiKey must be a non-empty string");
  }
  if (!/^[\x21-\x7e]+$/.test(apiKey)) {
    throw new TypeError("DreamFactoryClient: option apiKey must not contain spaces, control or non-ASCII characters");
  }
  if (typeof timeoutMs !== "number" || !Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > MAX_TIMER_MS) {
    throw new TypeError("DreamFactoryClient: option timeoutMs must be a positive integer (milliseconds)");
  }
  if (typeof maxRetries !== "number" || !Number.isInteger(maxRetries) || maxRetries < 0 || maxRetries > 10) {
    throw new TypeError("DreamFactoryClient: option maxRetries must be an integer from 0 to 10");
  }
  if (onTokenRefresh !== undefined && typeof onTokenRefresh !== "function") {
    throw new TypeError("DreamFactoryClient: option onTokenRefresh must be a function");
  }
  if (typeof allowInsecureHttp !== "boolean") {
    throw new TypeError("DreamFactoryClient: option allowInsecureHttp must be a boolean");
  }
  if (options.resolveCredential !== undefined && typeof options.resolveCredential !== "function") {
    throw new TypeError("DreamFactoryClient: option resolveCredential must be a function");
  }
  if (options.resolveExpectedUser !== undefined && typeof options.resolveExpectedUser !== "function") {
    throw new TypeError("DreamFactoryClient: option resolveExpectedUser must be a function");
  }
  return {
    apiKey,
    timeoutMs,
    maxRetries,
    onTokenRefresh,
    allowInsecureHttp,
    resolveCredential: options.resolveCredential,
    resolveExpectedUser: options.resolveExpectedUser,
  };
}

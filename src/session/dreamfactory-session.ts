import type { DreamFactoryClient } from "../client/dreamfactory-client.js";
import { sessionEndpoints } from "../client/dreamfactory-client.js";
import type { SessionEndpoints } from "../client/session-endpoints.js";
import {
  type DreamFactoryCredential,
  type FromSessionTokenOptions,
  isDreamFactoryCredential,
  notACredential,
} from "../identity/dreamfactory-credential.js";
import { credentialFromSessionResponse } from "./session-response.js";

const SERVICE_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/** Options of {@link DreamFactorySession.login}. */
export interface LoginOptions {
  /**
   * An LDAP / Active Directory service to authenticate against (`POST /api/v2/user/session?service=<name>`); the
   * login is then sent as `username`. OAuth, OIDC and SAML services cannot log in with a password: they end in a
   * browser redirect (see {@link DreamFactorySession.fromSessionResponse}).
   */
  service?: string;
  /**
   * Which body field carries the first argument.
   * @default "username" with `service`, else "email" (DreamFactory with `DF_LOGIN_ATTRIBUTE=username` wants "username")
   */
  loginAttribute?: "email" | "username";
  /** Log in a sys-admin (`POST /api/v2/system/admin/session`). @default false */
  admin?: boolean;
  /** DreamFactory's `remember_me` (a "forever" session, only where DreamFactory allows them). @default false */
  rememberMe?: boolean;
  /** The caller's signal. */
  signal?: AbortSignal;
}

/** Result of {@link DreamFactorySession.refresh}. */
export interface RefreshResult {
  /** The new credential; use it from now on. */
  credential: DreamFactoryCredential;
  /**
   * Always `true`: DreamFactory blacklists the refreshed token (no grace period), so the old credential is now
   * refused with 403 "The token has been blacklisted" (`token_blacklisted`). Replace it wherever it is stored.
   */
  previousBlacklisted: true;
}

/** Result of {@link DreamFactorySession.logout}. */
export interface LogoutResult {
  /** `true` when DreamFactory had already blacklisted the token (an earlier logout or refresh); still logged out. */
  alreadyEnded: boolean;
}

function nonEmpty(value: unknown, name: string): string {
  if (typeof value !== "string" || value.length === 0) {
    throw new TypeError(`DreamFactorySession.login: ${name} must be a non-empty string`);
  }
  return value;
}

/**
 * Gets, renews and ends a user's DreamFactory session, for apps that hold the user's login themselves.
 *
 * - `login(email, password)` → a {@link DreamFactoryCredential} (`POST /api/v2/user/session`; LDAP/AD with
 *   `{ service }`; sys-admins with `{ admin: true }`). The password is sent once in the request body and not kept;
 *   it is never logged or put into an error (a wrong password is `unauthorized` with DreamFactory's message only).
 * - `refresh(credential)` → `{ credential, previousBlacklisted: true }` (`PUT`; DreamFactory blacklists the old token).
 *   Shares the client's single-flight refresh, so it never races the client's own refresh of the same token.
 * - `logout(credential)` (`DELETE`): DreamFactory blacklists the token.
 * - `DreamFactorySession.fromSessionResponse(urlOrJson)`: the credential from an OAuth/OIDC/SAML redirect or a
 *   session JSON.
 *
 * Login and refresh answers carry DreamFactory's session info, which the client remembers: `credential.whoami(client)`
 * and identity checks then need no extra request.
 *
 * @example
 * ```ts
 * const session = new DreamFactorySession(client);
 * const credential = await session.login(form.email, form.password);
 * await agent.invoke({ messages }, withDreamFactoryUser(credential, undefined, { expect: { email: form.email } }));
 * await session.logout(credential);
 * ```
 */
export class DreamFactorySession {
  readonly #endpoints: SessionEndpoints;

  /**
   * @param client - the app's DreamFactoryClient (its base URL, API key, timeout and refresh handling are used)
   * @throws TypeError when `client` is not a DreamFactoryClient
   */
  constructor(client: DreamFactoryClient) {
    this.#endpoints = sessionEndpoints(client);
  }

  /**
   * Logs a user in and returns their credential.
   *
   * @param login - the user's e-mail (or LDAP/AD username with `service`)
   * @param password - the user's password; used for this one request only
   * @param options - `service` (LDAP/AD), `loginAttribute`, `admin`, `rememberMe`, `signal`
   * @throws TypeError for a missing login/password or a bad service name; DreamFactoryError `unauthorized`
   *   ("Invalid credentials supplied."), `bad_request`, `forbidden` ("User is not active.", "Role is not active."),
   *   `network_error`, `timeout`, `aborted`
   */
  async login(login: string, password: string, options: LoginOptions = {}): Promise<DreamFactoryCredential> {
    nonEmpty(login, "login");
    nonEmpty(password, "password");
    const { service, admin = false, rememberMe = false } = options;
    if (service !== undefined && (typeof service !== "string" || !SERVICE_NAME.test(service))) {
      throw new TypeError("DreamFactorySession.login: service must be a DreamFactory service name (letters, digits, _ and -)");
    }
    const attribute = options.loginAttribute ?? (service === undefined ? "email" : "username");
    if (attribute !== "email" && attribute !== "username") {
      throw new TypeError('DreamFactorySession.login: loginAttribute must be "email" or "username"');
    }
    return this.#endpoints.login({
      path: admin ? "/system/admin/session" : "/user/session",
      query: service === undefined ? {} : { service },
      body: { [attribute]: login, password, ...(rememberMe ? { remember_me: true } : {}) },
      password,
      signal: options.signal,
    });
  }

  /**
   * Exchanges a credential for a new one. DreamFactory blacklists the old token at once (no grace period): replace it
   * everywhere it is stored. Refreshing works for 14 days after the token was first issued (DreamFactory's default
   * `DF_JWT_REFRESH_TTL`), also after it expired. When the client has `onTokenRefresh`, it is told as well.
   *
   * @param credential - the credential to renew
   * @param options - the caller's signal (ends only this caller's wait, not a refresh other calls share)
   * @throws DreamFactoryError `refresh_failed` (e.g. already blacklisted, past the refresh window), `aborted`
   */
  async refresh(credential: DreamFactoryCredential, options: { signal?: AbortSignal } = {}): Promise<RefreshResult> {
    if (!isDreamFactoryCredential(credential)) throw notACredential(credential);
    const next = await this.#endpoints.refresh(credential, options.signal);
    return { credential: next, previousBlacklisted: true };
  }

  /**
   * Ends the session: DreamFactory blacklists the token, and every later call with it is refused
   * (`token_blacklisted`). Logging out a token that is already blacklisted succeeds with `alreadyEnded: true`.
   * An expired token cannot be logged out (DreamFactory refuses it) but stays refreshable: refresh, then log out.
   *
   * @param credential - the session to end
   * @param options - the caller's signal
   * @throws DreamFactoryError `credential_expired` (nothing sent), `unauthorized`, `network_error`, …
   */
  async logout(credential: DreamFactoryCredential, options: { signal?: AbortSignal } = {}): Promise<LogoutResult> {
    if (!isDreamFactoryCredential(credential)) throw notACredential(credential);
    return this.#endpoints.logout(credential, options.signal);
  }

  /**
   * The credential from an OAuth/OIDC/SAML redirect URL (`session_token` or `jwt` parameter) or DreamFactory's
   * session JSON. No request is made. See `credentialFromSessionResponse`.
   *
   * @param response - the redirect URL (string or URL) or the session JSON (string or object)
   * @param options - clock options and a known e-mail
   * @throws DreamFactoryError `credential_invalid`, `credential_expired`, `unauthorized`
   * @example
   * ```ts
   * const credential = DreamFactorySession.fromSessionResponse("https://app.example.com/auth/done?session_token=<jwt>");
   * ```
   */
  static fromSessionResponse(
    response: string | URL | Record<string, unknown>,
    options: FromSessionTokenOptions = {},
  ): DreamFactoryCredential {
    return credentialFromSessionResponse(response, options);
  }

  /** Non-secret view. */
  toJSON(): { type: "DreamFactorySession" } {
    return { type: "DreamFactorySession" };
  }
}

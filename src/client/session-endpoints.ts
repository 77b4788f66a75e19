import { DreamFactoryError } from "../errors/dreamfactory-error.js";
import { credentialExpiredError } from "../identity/credential-expired-error.js";
import { DreamFactoryCredential, revealToken } from "../identity/dreamfactory-credential.js";
import { parseSessionInfo } from "../identity/session-info.js";
import { parseErrorEnvelope } from "./error-envelope.js";
import { codeForStatus, errorFromResponse } from "./error-from-response.js";
import type { HttpTransport } from "./http-transport.js";
import { SecretScrubber } from "./secret-scrubber.js";
import type { SessionIdentityCache } from "./session-identity-cache.js";
import { chooseTraceId } from "./trace-id.js";

/** What the session endpoints need from the client (package-internal). */
export interface SessionEndpointDeps {
  transport: HttpTransport;
  /** Path of the API base, e.g. `/api/v2`. */
  apiPath: string;
  apiKey: string;
  timeoutMs: number;
  /** The client's headers: API key, session token (when given), trace id, content type. */
  headers: (token: string | undefined, traceId: string, hasBody: boolean) => Record<string, string>;
  identities: SessionIdentityCache;
  /** The client's single-flight refresh (shared with its own reactive refreshes). */
  refresh: (credential: DreamFactoryCredential, signal: AbortSignal | undefined) => Promise<DreamFactoryCredential>;
}

/** A login call, already validated. */
export interface LoginCall {
  /** `/user/session` or `/system/admin/session`. */
  path: string;
  /** Query (`service` for LDAP/AD). */
  query: Record<string, string>;
  /** JSON body holding the password; serialised for the one request and not kept. */
  body: Record<string, unknown>;
  /** The password, only to scrub it from any DreamFactory text. */
  password: string;
  signal: AbortSignal | undefined;
}

function parseJson(text: string): unknown {
  try {
    return text.trim() === "" ? null : JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * DreamFactory's session endpoints as the package's session helpers use them: login (`POST`, no session token),
 * logout (`DELETE` with the token), refresh (the client's single-flight `PUT`). One attempt each (a login or logout
 * is never repeated); errors are typed and scrubbed of the token, the password and the API key.
 */
export class SessionEndpoints {
  readonly #deps: SessionEndpointDeps;

  /** @param deps - the client's internals */
  constructor(deps: SessionEndpointDeps) {
    this.#deps = deps;
  }

  /**
   * Logs in and returns the new credential; DreamFactory's session info for it is remembered (no later lookup).
   * @param call - validated login call
   * @throws DreamFactoryError `unauthorized` (wrong password), `bad_request`, `forbidden`, `network_error`, …
   */
  async login(call: LoginCall): Promise<DreamFactoryCredential> {
    const fullPath = this.#deps.apiPath + call.path;
    const query = new URLSearchParams(call.query).toString();
    const data = await this.#exchange("POST", call.path + (query === "" ? "" : `?${query}`), fullPath, {
      body: JSON.stringify(call.body),
      signal: call.signal,
      password: call.password,
    });
    const token = typeof data === "object" && data !== null ? (data as { session_token?: unknown }).session_token : undefined;
    if (typeof token !== "string" || token === "") {
      throw new DreamFactoryError(
        "server_error",
        `DreamFactory answered POST ${fullPath} without a session_token (OAuth/OIDC/SAML services log in through a ` +
          "browser redirect: read the token from the redirect with DreamFactorySession.fromSessionResponse).",
        { method: "POST", path: fullPath },
      );
    }
    const info = parseSessionInfo(data);
    let credential: DreamFactoryCredential;
    try {
      credential = DreamFactoryCredential.fromSessionToken(token, info === undefined ? {} : { email: info.email });
    } catch (e) {
      const code = e instanceof DreamFactoryError ? e.code : "credential_invalid";
      throw new DreamFactoryError(code, `DreamFactory's login answer holds an unusable session token (${code}).`, {
        method: "POST",
        path: fullPath,
        cause: { code },
      });
    }
    if (info !== undefined && info.id === credential.userId) this.#deps.identities.remember(credential, info);
    return credential;
  }

  /**
   * Logs the token out (`DELETE`): DreamFactory blacklists it. A token already blacklisted counts as logged out.
   * @param credential - the session to end
   * @param signal - the caller's signal
   * @returns whether the session had already ended (blacklisted by an earlier logout or refresh)
   */
  async logout(credential: DreamFactoryCredential, signal: AbortSignal | undefined): Promise<{ alreadyEnded: boolean }> {
    if (credential.isExpired()) {
      throw credentialExpiredError(
        credential.expiresAt,
        "nothing was sent. DreamFactory only logs out unexpired tokens, and an expired one can still be refreshed " +
          "(14 days from its issue time by default): to end it, refresh it and log out the new token.",
      );
    }
    const path = "/user/session";
    try {
      await this.#exchange("DELETE", path, this.#deps.apiPath + path, { token: revealToken(credential), signal });
    } catch (e) {
      if (e instanceof DreamFactoryError && e.code === "token_blacklisted") {
        this.#deps.identities.forget(credential);
        return { alreadyEnded: true };
      }
      throw e;
    }
    this.#deps.identities.forget(credential);
    return { alreadyEnded: false };
  }

  /**
   * A new credential for `credential` through the client's single-flight refresh (`PUT`); DreamFactory blacklists
   * the old token.
   * @param credential - the session to refresh
   * @param signal - the caller's signal (ends only this caller's wait)
   */
  refresh(credential: DreamFactoryCredential, signal: AbortSignal | undefined): Promise<DreamFactoryCredential> {
    return this.#deps.refresh(credential, signal);
  }

  async #exchange(
    method: "POST" | "DELETE",
    url: string,
    fullPath: string,
    options: { body?: string; token?: string; password?: string; signal: AbortSignal | undefined },
  ): Promise<unknown> {
    const where = `${method} ${fullPath}`;
    if (options.signal?.aborted) {
      throw new DreamFactoryError("aborted", `DreamFactory request was aborted by the caller: ${where}`, { method, path: fullPath });
    }
    const result = await this.#deps.transport.send({
      method,
      url,
      headers: this.#deps.headers(options.token, chooseTraceId(undefined), options.body !== undefined),
      ...(options.body === undefined ? {} : { body: options.body }),
      timeoutMs: this.#deps.timeoutMs,
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
    const base = { method, path: fullPath };
    if (result.kind === "failure") {
      const cause = { code: result.code };
      if (result.reason === "aborted") throw new DreamFactoryError("aborted", `DreamFactory request was aborted by the caller: ${where}`, { ...base, cause });
      if (result.reason === "timeout") {
        throw new DreamFactoryError("timeout", `DreamFactory request timed out after ${this.#deps.timeoutMs} ms: ${where}`, { ...base, cause, retryable: true });
      }
      throw new DreamFactoryError("network_error", `DreamFactory request failed (connection error ${result.code}): ${where}`, {
        ...base,
        cause,
        retryable: true,
      });
    }
    if (result.status < 200 || result.status >= 300) {
      const scrubber = new SecretScrubber([options.token, this.#deps.apiKey], [options.password]);
      const envelope = parseErrorEnvelope(result.body, result.status, scrubber);
      throw errorFromResponse(result.status, base, envelope, result.status === 429, codeForStatus(result.status, envelope));
    }
    return parseJson(result.body);
  }
}

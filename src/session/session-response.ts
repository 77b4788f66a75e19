import { DreamFactoryError } from "../errors/dreamfactory-error.js";
import { DreamFactoryCredential, type FromSessionTokenOptions } from "../identity/dreamfactory-credential.js";

/** Query/fragment parameters that carry DreamFactory's JWT on a redirect: OAuth/OIDC callback, SSO resource, SAML relay. */
const TOKEN_PARAMS = ["session_token", "jwt"] as const;

function notFound(what: string): DreamFactoryError {
  // Never quote the input: it is a URL or a body that may hold a token.
  return new DreamFactoryError(
    "credential_invalid",
    `No DreamFactory session token found in ${what}: expected a redirect URL with a session_token or jwt query ` +
      "parameter, or DreamFactory's session JSON with session_token. For a bare token use " +
      "DreamFactoryCredential.fromSessionToken(token).",
  );
}

function tokenFromUrl(url: URL): string | undefined {
  const fragment = new URLSearchParams(url.hash.replace(/^#/, ""));
  for (const params of [url.searchParams, fragment]) {
    for (const name of TOKEN_PARAMS) {
      const value = params.get(name);
      if (value !== null && value !== "") return value;
    }
  }
  return undefined;
}

function fromObject(body: unknown, options: FromSessionTokenOptions): DreamFactoryCredential {
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw notFound("the session response");
  const b = body as Record<string, unknown>;
  if (typeof b["error"] === "object" && b["error"] !== null) {
    throw new DreamFactoryError("unauthorized", "The session response is a DreamFactory error, not a session: the login failed.");
  }
  const token = [b["session_token"], b["session_id"], b["jwt"]].find((v): v is string => typeof v === "string" && v !== "");
  if (token === undefined) throw notFound("the session response");
  const email = typeof b["email"] === "string" && b["email"] !== "" ? b["email"] : undefined;
  return DreamFactoryCredential.fromSessionToken(token, { ...options, ...(options.email === undefined && email !== undefined ? { email } : {}) });
}

/**
 * A credential from what DreamFactory hands the app at the end of a login it did not call itself:
 *
 * - the **redirect URL** of an OAuth/OIDC login (`…?session_token=<jwt>`), of the `/api/v2/<service>/sso` resource
 *   (`…?jwt=<jwt>`), or of a SAML login whose RelayState holds `_token_` (e.g. `https://app/cb?session_token=_token_`);
 *   the fragment (`#session_token=…`) is read too;
 * - DreamFactory's **session JSON** (`{ session_token, id, email, … }`, as a string or parsed), e.g. from an LDAP login
 *   made elsewhere or an OAuth callback answered with JSON. Its `email` is kept on the credential.
 *
 * Decodes the JWT like `DreamFactoryCredential.fromSessionToken` (no signature check: DreamFactory verifies it on
 * every call). Never quotes its input in an error.
 *
 * @param response - the redirect URL (string or URL), or the session JSON (string or object)
 * @param options - clock options and a known e-mail
 * @throws DreamFactoryError `credential_invalid` (no token found, malformed), `credential_expired`, `unauthorized`
 *   (the JSON is DreamFactory's error envelope)
 * @example
 * ```ts
 * // In the app's OAuth callback route: DreamFactory redirected the browser to /auth/done?session_token=…
 * const credential = credentialFromSessionResponse(new URL(request.url, "https://app.example.com"));
 * ```
 */
export function credentialFromSessionResponse(
  response: string | URL | Record<string, unknown>,
  options: FromSessionTokenOptions = {},
): DreamFactoryCredential {
  if (response instanceof URL) {
    const token = tokenFromUrl(response);
    if (token === undefined) throw notFound("the redirect URL");
    return DreamFactoryCredential.fromSessionToken(token, options);
  }
  if (typeof response === "string") {
    const text = response.trim();
    if (text.startsWith("{")) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        throw notFound("the session response (it is not valid JSON)");
      }
      return fromObject(parsed, options);
    }
    let url: URL;
    try {
      url = new URL(text, "http://relative.invalid");
    } catch {
      throw notFound("the input");
    }
    const token = tokenFromUrl(url);
    if (token === undefined) throw notFound("the redirect URL");
    return DreamFactoryCredential.fromSessionToken(token, options);
  }
  return fromObject(response, options);
}

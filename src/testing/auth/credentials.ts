import type { IncomingHttpHeaders } from "node:http";

/**
 * Credentials found on a request, where DreamFactory looks for them (df-core AuthCheck, reference §5.1):
 * API key from query `api_key`, else header `X-DreamFactory-API-Key`, else body `api_key`; session token from
 * `Authorization: Bearer`, else header `X-DreamFactory-Session-Token`, else `session_token` (query, then body);
 * HTTP Basic when no session token is sent.
 */
export interface RequestCredentials {
  apiKey: string | null;
  sessionToken: string | null;
  basic: { email: string; password: string } | null;
}

function header(headers: IncomingHttpHeaders, name: string): string | null {
  const value = headers[name];
  const text = Array.isArray(value) ? value[0] : value;
  return text === undefined || text.trim() === "" ? null : text.trim();
}

function bodyString(body: unknown, key: string): string | null {
  if (typeof body !== "object" || body === null || Array.isArray(body)) return null;
  const value = (body as Record<string, unknown>)[key];
  return typeof value === "string" && value.trim() !== "" ? value.trim() : null;
}

function queryString(query: URLSearchParams, key: string): string | null {
  const value = query.get(key);
  return value === null || value.trim() === "" ? null : value.trim();
}

/** Reads the credentials of one request. */
export function extractCredentials(
  headers: IncomingHttpHeaders,
  query: URLSearchParams,
  body: unknown,
  path: string,
): RequestCredentials {
  const apiKey =
    queryString(query, "api_key") ??
    header(headers, "x-dreamfactory-api-key") ??
    (path.includes("system/app") ? null : bodyString(body, "api_key"));
  const authorization = header(headers, "authorization");
  let bearer: string | null = null;
  let basic: RequestCredentials["basic"] = null;
  if (authorization !== null) {
    const [scheme, ...rest] = authorization.split(/\s+/);
    const value = rest.join(" ");
    if (scheme?.toLowerCase() === "bearer" && value !== "") bearer = value;
    if (scheme?.toLowerCase() === "basic" && value !== "") {
      const decoded = Buffer.from(value, "base64").toString("utf8");
      const colon = decoded.indexOf(":");
      if (colon > 0) basic = { email: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
    }
  }
  const sessionToken =
    bearer ??
    header(headers, "x-dreamfactory-session-token") ??
    queryString(query, "session_token") ??
    bodyString(body, "session_token");
  return { apiKey, sessionToken, basic: sessionToken === null ? basic : null };
}

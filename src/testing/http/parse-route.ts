import { SandboxHttpError } from "../errors.js";

/** Where an `/api` URL points. */
export interface ParsedRoute {
  /** Lower-cased service name; "" for the service list. */
  service: string;
  /** Decoded resource segments after the service. */
  segments: string[];
  /** Resource path (decoded segments joined by `/`, trailing slash kept). */
  resource: string;
  /** The raw path as requested, without the query. */
  pathname: string;
}

const SERVICE_NAME = /^[_0-9a-zA-Z.-]+$/;
const VERSION = /^v[0-9.]+$/;

/** The 400 for paths that try to leave their resource (`..`, `%2e%2e`, encoded slashes, NUL bytes). */
function traversal(): SandboxHttpError {
  return new SandboxHttpError(400, "Invalid resource path: '.', '..', encoded slashes and control characters are not allowed.");
}

/**
 * Parses the path of a request (reference §1): `/api[/v{n}]/{service}/{resource…}`. Works on the raw path (not a
 * WHATWG-normalised URL, which would silently resolve `..`), decodes each segment once and refuses dot segments,
 * encoded slashes or backslashes and control characters before anything else happens.
 * @throws SandboxHttpError 400 for traversal attempts, 404 outside `/api`.
 */
export function parseRoute(rawPath: string): ParsedRoute {
  if (/%2f|%5c|\\|%00/i.test(rawPath)) throw traversal();
  const raw = rawPath.split("/");
  const decoded = raw.map((segment) => {
    let value: string;
    try {
      value = decodeURIComponent(segment);
    } catch {
      throw new SandboxHttpError(400, "Invalid URL encoding in request path.");
    }
    if (value === "." || value === ".." || /[\u0000-\u001f\u007f/\\]/.test(value)) throw traversal();
    return value;
  });
  // decoded[0] is "" (the path starts with "/").
  const trailingSlash = rawPath.length > 1 && rawPath.endsWith("/");
  const parts = decoded.slice(1).filter((segment) => segment !== "");
  if (parts[0]?.toLowerCase() !== "api") throw new SandboxHttpError(404, "The requested URL was not found on this server.");
  let rest = parts.slice(1);
  if (rest[0] !== undefined && VERSION.test(rest[0])) rest = rest.slice(1);
  const service = rest[0] ?? "";
  if (service !== "" && !SERVICE_NAME.test(service)) {
    throw new SandboxHttpError(404, `Could not find a service for ${service}`);
  }
  const segments = rest.slice(1);
  const resource = segments.join("/") + (trailingSlash && segments.length > 0 ? "/" : "");
  return { service: service.toLowerCase(), segments, resource, pathname: rawPath };
}

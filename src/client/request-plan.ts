import type { DreamFactoryMethod, DreamFactoryRequest } from "./dreamfactory-request.js";

/** A validated request, ready to send. */
export interface RequestPlan {
  method: DreamFactoryMethod;
  /** Path + query after the API base. */
  url: string;
  /** Path for messages, without query string. */
  path: string;
  body: string | undefined;
  retry: "read" | "never";
}

const METHODS = new Set<string>(["GET", "POST", "PUT", "PATCH", "DELETE"]);
const SAFE_PATH = /^\/(?![/\\])[^?#\s\\]*$/;
const CREDENTIAL_PARAMS = new Set(["session_token", "api_key", "token", "access_token"]);

/**
 * Validates a {@link DreamFactoryRequest} (caller mistakes are TypeErrors; nothing is sent).
 * @param req - the request
 * @throws TypeError naming the bad field
 */
export function planRequest(req: DreamFactoryRequest): RequestPlan {
  if (typeof req !== "object" || req === null) throw new TypeError("DreamFactoryClient.request: req must be an object");
  if (typeof req.method !== "string" || !METHODS.has(req.method)) {
    throw new TypeError("DreamFactoryClient.request: method must be one of GET, POST, PUT, PATCH, DELETE");
  }
  if (typeof req.path !== "string" || !SAFE_PATH.test(req.path) || /(^|\/)\.\.?(\/|$)/.test(req.path)) {
    throw new TypeError(
      "DreamFactoryClient.request: path must start with a single '/', be relative to /api/v2, and hold no " +
        "query string, whitespace, backslash or dot segments",
    );
  }
  const params = new URLSearchParams();
  if (req.query !== undefined) {
    if (typeof req.query !== "object" || req.query === null || Array.isArray(req.query)) {
      throw new TypeError("DreamFactoryClient.request: query must be a plain object");
    }
    for (const [key, value] of Object.entries(req.query)) {
      if (value === undefined) continue;
      if (CREDENTIAL_PARAMS.has(key.toLowerCase())) {
        throw new TypeError(`DreamFactoryClient.request: query parameter ${key} is refused; credentials travel only in headers`);
      }
      if (typeof value === "number" && !Number.isFinite(value)) {
        throw new TypeError(`DreamFactoryClient.request: query parameter ${key} must be a finite number`);
      }
      if (typeof value !== "string" && typeof value !== "number" && typeof value !== "boolean") {
        throw new TypeError(`DreamFactoryClient.request: query parameter ${key} must be a string, number or boolean`);
      }
      params.append(key, String(value));
    }
  }
  if (req.retry !== undefined && req.retry !== "read" && req.retry !== "never") {
    throw new TypeError('DreamFactoryClient.request: retry must be "read" or "never"');
  }
  if (req.signal !== undefined && !(req.signal instanceof AbortSignal)) {
    throw new TypeError("DreamFactoryClient.request: signal must be an AbortSignal");
  }
  let body: string | undefined;
  if (req.body !== undefined) {
    try {
      body = JSON.stringify(req.body);
    } catch {
      throw new TypeError("DreamFactoryClient.request: body must be JSON-serialisable");
    }
  }
  const query = params.toString();
  return {
    method: req.method,
    url: query === "" ? req.path : `${req.path}?${query}`,
    path: req.path,
    body,
    retry: req.retry ?? (req.method === "GET" ? "read" : "never"),
  };
}

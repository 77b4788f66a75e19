import type { IncomingHttpHeaders } from "node:http";
import { SandboxHttpError } from "../errors.js";
import type { ApiVerb } from "../rbac/verb-mask.js";

const VERBS: ReadonlySet<string> = new Set(["GET", "POST", "PUT", "PATCH", "DELETE"]);

function single(value: string | string[] | undefined): string | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  return v === undefined || v.trim() === "" ? undefined : v.trim();
}

/**
 * The effective verb (df-core `VerbOverrides`, reference §10.1): only on POST, `X-HTTP-Method`, else
 * `X-Method-Override`, else `X-HTTP-Method-Override`, else query `method` / `_method`; `MERGE` means PATCH.
 * HEAD is served as GET (Node omits the body).
 * @throws SandboxHttpError 405 for verbs the API does not serve.
 */
export function resolveVerb(method: string, headers: IncomingHttpHeaders, query: URLSearchParams): ApiVerb {
  let verb = method.toUpperCase();
  if (verb === "POST") {
    const override =
      single(headers["x-http-method"]) ??
      single(headers["x-method-override"]) ??
      single(headers["x-http-method-override"]) ??
      single(query.get("method") ?? undefined) ??
      single(query.get("_method") ?? undefined);
    if (override !== undefined) verb = override.toUpperCase();
  }
  if (verb === "MERGE") verb = "PATCH";
  if (verb === "HEAD") verb = "GET";
  if (!VERBS.has(verb)) throw new SandboxHttpError(405, `The ${verb.slice(0, 16)} method is not supported for this route.`);
  return verb as ApiVerb;
}

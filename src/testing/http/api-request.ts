import type { IncomingHttpHeaders } from "node:http";
import type { ApiVerb } from "../rbac/verb-mask.js";

/** One parsed `/api/...` request, after routing, verb tunnelling and body parsing. */
export interface ApiRequest {
  /** Effective verb (after `X-HTTP-Method` tunnelling on POST). */
  verb: ApiVerb;
  /** Lower-cased service name; "" for the service list (`GET /api/v2`). */
  service: string;
  /** Decoded resource segments after the service, e.g. ["_table", "orders", "5"]. */
  segments: string[];
  /** Resource path as sent (decoded, original case, trailing slash kept), e.g. "_table/orders/5". */
  resource: string;
  query: URLSearchParams;
  /** Parsed JSON body, or undefined when the request had none. */
  body: unknown;
  headers: IncomingHttpHeaders;
  /** `http://127.0.0.1:PORT`. */
  baseUrl: string;
  /** URL path as requested, e.g. `/api/v2/user/session` (for the JWT `iss`). */
  pathname: string;
}

/** What a handler answers; the server turns it into an HTTP response. */
export interface ApiResponse {
  status: number;
  /** JSON-serialisable body (a number for `count_only`). */
  body: unknown;
  headers?: Record<string, string>;
  /** Rows returned or affected, for the audit log. */
  rows: number;
}

/** A 200 JSON answer. */
export function ok(body: unknown, rows = 0): ApiResponse {
  return { status: 200, body, rows };
}

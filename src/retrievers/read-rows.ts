import type { ActedAs, DreamFactoryClient } from "../client/index.js";
import { DreamFactoryError } from "../errors/index.js";
import type { DreamFactoryCredential } from "../identity/index.js";
import type { Row } from "./row-content.js";

/** One `GET /{service}/_table/{table}` made by a retriever. */
export interface ReadRowsRequest {
  /** Path after `/api/v2`, from `tablePath`. */
  path: string;
  /** Query parameters (filter, fields, limit, order). */
  query: Record<string, string | number | undefined>;
  /** The run's abort signal. */
  signal?: AbortSignal;
  /** The retriever run id; the client mints one when absent. */
  traceId?: string;
}

/** Rows DreamFactory returned, with who they were read as and the trace id sent. */
export interface ReadRowsResult {
  rows: Row[];
  traceId: string;
  actedAs: ActedAs;
}

/**
 * Reads rows as the user: one GET through the client (typed errors, retries for reads), then checks the
 * `{"resource":[…]}` envelope. Any other shape is a `server_error` (never silently an empty result).
 *
 * @param client - the app's DreamFactory client
 * @param credential - the user's credential
 * @param request - path, query, signal and trace id
 */
export async function readRows(
  client: DreamFactoryClient,
  credential: DreamFactoryCredential,
  request: ReadRowsRequest,
): Promise<ReadRowsResult> {
  const response = await client.request<unknown>(credential, {
    method: "GET",
    path: request.path,
    query: request.query,
    ...(request.signal === undefined ? {} : { signal: request.signal }),
    ...(request.traceId === undefined ? {} : { traceId: request.traceId }),
  });
  const resource = (response.data as { resource?: unknown } | null)?.resource;
  if (!Array.isArray(resource) || !resource.every((row) => row !== null && typeof row === "object" && !Array.isArray(row))) {
    throw new DreamFactoryError("server_error", `DreamFactory returned an unexpected response shape: GET /api/v2${request.path}`, {
      status: response.status,
      method: "GET",
      path: `/api/v2${request.path}`,
    });
  }
  return { rows: resource as Row[], traceId: response.traceId, actedAs: response.actedAs };
}

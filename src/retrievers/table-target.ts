import type { DreamFactoryClient } from "../client/index.js";
import { assertFieldName, assertPathSegment } from "./field-name.js";

/** The options every DreamFactory retriever takes to name its table, how many documents to return and its filter. */
export interface TableTargetOptions {
  client: DreamFactoryClient;
  service: string;
  table: string;
  idField?: string;
  k?: number;
  filter?: string;
}

/** {@link TableTargetOptions} after validation, with defaults applied and the filter trimmed. */
export interface TableTarget {
  client: DreamFactoryClient;
  service: string;
  table: string;
  idField: string;
  k: number;
  filter: string | undefined;
}

/**
 * Validates the options a retriever shares with the others (client, service, table, idField, k, filter), in that
 * order, and applies their defaults (`idField` "id", `k` 4).
 *
 * @param options - the retriever's options, as given by the app
 * @throws TypeError naming the first bad option
 */
export function checkTableTarget(options: TableTargetOptions): TableTarget {
  if (options.client === null || typeof options.client !== "object" || typeof options.client.request !== "function") {
    throw new TypeError("client must be a DreamFactoryClient");
  }
  assertPathSegment(options.service, "service");
  assertPathSegment(options.table, "table");
  const idField = options.idField ?? "id";
  assertFieldName(idField, "idField");
  const k = options.k ?? 4;
  if (!Number.isInteger(k) || k < 1 || k > 1000) throw new TypeError("k must be an integer from 1 to 1000");
  if (options.filter !== undefined && (typeof options.filter !== "string" || options.filter.trim() === "")) {
    throw new TypeError("filter must be a non-empty DreamFactory filter string");
  }
  return { client: options.client, service: options.service, table: options.table, idField, k, filter: options.filter?.trim() };
}

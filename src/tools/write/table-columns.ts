import { DreamFactoryError, isDreamFactoryError } from "../../errors/dreamfactory-error.js";
import type { WriteRecord } from "./write-approval-request.js";

/** What a write needs to know about a table. */
export interface TableColumns {
  /** Primary-key column (the first one, for composite keys). */
  primaryKey: string;
  /** Column names, or `undefined` when the user may not read the table's schema (then columns are not checked). */
  names: string[] | undefined;
}

interface SchemaAnswer {
  primary_key?: unknown;
  field?: Array<{ name?: unknown; is_primary_key?: unknown }>;
}

/**
 * Reads the table's columns and primary key (`GET /{service}/_schema/{table}`, as the user). When the user's role
 * does not allow reading the schema (403), the key is assumed to be `id` and columns are not checked; a missing
 * table (404) is reported as such.
 *
 * @param fetchSchema - sends the schema request as the run's user
 */
export async function loadTableColumns(fetchSchema: () => Promise<unknown>): Promise<TableColumns> {
  let data: unknown;
  try {
    data = await fetchSchema();
  } catch (e) {
    if (isDreamFactoryError(e) && e.code === "forbidden") return { primaryKey: "id", names: undefined };
    throw e;
  }
  const schema = (typeof data === "object" && data !== null ? data : {}) as SchemaAnswer;
  const names = (schema.field ?? []).map((f) => f.name).filter((n): n is string => typeof n === "string");
  const declared = Array.isArray(schema.primary_key) ? schema.primary_key.find((k): k is string => typeof k === "string") : undefined;
  const flagged = (schema.field ?? []).find((f) => f.is_primary_key === true && typeof f.name === "string")?.name as string | undefined;
  const primaryKey = declared ?? flagged ?? "id";
  return { primaryKey, names: names.length > 0 ? names : undefined };
}

/**
 * Refuses columns the table does not have (DreamFactory would silently ignore them, so a typo would "succeed"
 * without changing anything) and, for updates, the primary key (DreamFactory ignores it on update).
 *
 * @param records - records or a change set
 * @param columns - the table's columns
 * @param table - for messages
 * @param forUpdate - whether the records are changes to existing rows
 * @throws DreamFactoryError `invalid_input` naming the real columns
 */
export function checkColumns(records: readonly WriteRecord[], columns: TableColumns, table: string, forUpdate: boolean): void {
  if (columns.names !== undefined) {
    const known = new Map(columns.names.map((n) => [n.toLowerCase(), n]));
    const unknown = new Set<string>();
    for (const record of records) for (const field of Object.keys(record)) if (!known.has(field.toLowerCase())) unknown.add(field);
    if (unknown.size > 0) {
      throw new DreamFactoryError(
        "invalid_input",
        `Table "${table}" has no column ${[...unknown].slice(0, 5).map((f) => `"${f}"`).join(", ")}. ` +
          `Columns of ${table}: ${columns.names.slice(0, 60).join(", ")}.`,
      );
    }
  }
  if (forUpdate) {
    const key = columns.primaryKey.toLowerCase();
    if (records.some((r) => Object.keys(r).some((f) => f.toLowerCase() === key))) {
      throw new DreamFactoryError(
        "invalid_input",
        `changes may not set the primary key "${columns.primaryKey}"; list the rows in ids and put only the columns to change in changes.`,
      );
    }
  }
}

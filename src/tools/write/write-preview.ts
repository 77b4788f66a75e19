import { compileWhere } from "../../filter/index.js";
import { resourceOf, viewRows } from "../row-view.js";
import { contentHash } from "./approval-digest.js";
import type { WriteAction, WriteId, WritePreview, WriteRecord } from "./write-approval-request.js";

/** A preview plus the hash of exactly what the approver was shown (bound into the digest). */
export interface ComputedPreview {
  preview: WritePreview;
  /** sha256 of the full preview rows and not-visible ids (update/delete). */
  hash: string | undefined;
}

/** Sends `GET /{service}/_table/{table}` with a query, as the run's user; returns the parsed body. */
export type TableReader = (query: Record<string, string | number | boolean>) => Promise<unknown>;

/**
 * The rows an update or delete would touch, read with the user's own token:
 * `GET …?filter=(pk IN (…))&limit=n&include_count=true`. Rows the user cannot see are not returned by
 * DreamFactory; their ids are listed in `notVisible` (the write of those ids would fail, and since writes are
 * all-or-nothing nothing would change).
 *
 * @param read - the table reader
 * @param action - update or delete
 * @param table - for the summary
 * @param primaryKey - id column
 * @param ids - validated ids
 * @param changes - the update's changes, for the summary
 */
export async function previewRows(
  read: TableReader,
  action: Exclude<WriteAction, "create">,
  table: string,
  primaryKey: string,
  ids: readonly WriteId[],
  changes?: WriteRecord,
): Promise<ComputedPreview> {
  const filter = compileWhere([{ field: primaryKey, op: "in", value: [...ids] }]);
  const data = await read({ filter, limit: ids.length, include_count: true });
  const rows = resourceOf(data).filter((r): r is Record<string, unknown> => typeof r === "object" && r !== null && !Array.isArray(r));
  const seen = new Set(rows.map((r) => String(r[primaryKey])));
  const notVisible = ids.filter((id) => !seen.has(String(id)));
  const view = viewRows(rows);
  const verb = action === "update" ? "change" : "be deleted";
  const parts = [
    rows.length === 0
      ? `None of the ${ids.length} row(s) of ${table} is visible to this user; the ${action} will fail and nothing will change.`
      : `${rows.length} row(s) of ${table} would ${verb}${changes === undefined ? "" : ` (set ${Object.keys(changes).join(", ")})`}.`,
  ];
  if (rows.length > 0 && notVisible.length > 0) {
    parts.push(
      `${notVisible.length} id(s) are not visible to this user or do not exist (${notVisible.join(", ")}); ` +
        "the write of those ids will fail, and because writes are all-or-nothing nothing will change.",
    );
  }
  if (view.dropped > 0) parts.push(`Showing ${view.rows.length} of ${rows.length} rows.`);
  return {
    preview: {
      rows: view.rows,
      count: rows.length,
      ...(notVisible.length === 0 ? {} : { notVisible }),
      primaryKey,
      summary: parts.join(" "),
    },
    hash: contentHash({ rows, notVisible }),
  };
}

/**
 * The preview of a create: the records exactly as they will be sent (they are bound into the digest already).
 * @param table - for the summary
 * @param records - validated records
 */
export function previewCreate(table: string, records: readonly WriteRecord[]): ComputedPreview {
  return {
    preview: { records: [...records], count: records.length, summary: `${records.length} new row(s) would be added to ${table}.` },
    hash: undefined,
  };
}

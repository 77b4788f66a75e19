import { describeTable } from "../db/describe-table.js";
import { parseFields, parseGroup, parseOrder } from "../db/query-options.js";
import { countRecords, idsWhere, selectRecords } from "../db/records.js";
import type { Queryable, TableInfo } from "../db/types.js";
import { SandboxHttpError } from "../errors.js";
import { andFragments } from "../filter/and-fragments.js";
import { ok, type ApiResponse } from "./api-request.js";
import { batchError } from "./batch.js";
import { batchItemError } from "./error-envelope.js";
import type { DataAccess } from "./data-access.js";
import { RequestOptions } from "./request-options.js";
import { recordsFromBody } from "./records-from-body.js";

type Row = Record<string, unknown>;

/** Everything a read needs. */
export interface ReadInput {
  q: Queryable;
  table: TableInfo;
  access: DataAccess;
  options: RequestOptions;
  body: unknown;
  /** Identifier from `/_table/{t}/{id}`, if any. */
  id: string | undefined;
  /** Service record cap (`max_records`). */
  maxRecords: number;
}

/** Not-found answer for one identifier. */
export function recordNotFound(id: string): SandboxHttpError {
  return new SandboxHttpError(404, `Record with identifier '${id}' not found.`);
}

/** The primary-key (or `id_field`) column name used to match ids. */
export function idColumn(table: TableInfo, options: RequestOptions): string {
  const field = options.text("id_field")?.split(",")[0]?.trim();
  if (field !== undefined && field !== "") {
    const found = table.columns.find((c) => c.name.toLowerCase() === field.toLowerCase());
    if (found === undefined) throw new SandboxHttpError(400, `Invalid field requested: ${field}`);
    return found.name;
  }
  return table.primaryKey[0] ?? table.columns[0]?.name ?? "id";
}

function selectedFields(options: RequestOptions, table: TableInfo, keep: string): { fields: "*" | string[]; strip: boolean } {
  const parsed = parseFields(options.text("fields"), table);
  if (parsed.fields === "*") return { fields: "*", strip: false };
  if (parsed.fields.includes(keep)) return { fields: parsed.fields, strip: false };
  return { fields: [...parsed.fields, keep], strip: true };
}

/**
 * `GET /_table/{t}[/{id}]` (reference §2.2.2), in DreamFactory's dispatch order: an id in the path; else `ids`;
 * else records in the body (by their ids); else a filter query with `fields`, `order`, `group`, `limit`,
 * `offset`, `include_count`, `count_only`, `include_schema` and the `meta` rules of §4. `related` is refused
 * (400) rather than silently ignored.
 */
export async function readRecords(input: ReadInput): Promise<ApiResponse> {
  const { table, options } = input;
  const related = options.text("related");
  if (related !== undefined && related.trim() !== "") {
    throw new SandboxHttpError(400, "Related records (the related option) are not supported by the sandbox.");
  }
  const key = idColumn(table, options);
  if (input.id !== undefined) return readOne(input, key);
  const ids = options.raw("ids");
  if (ids !== undefined) return readByIds(input, key, splitIds(ids));
  const records = recordsFromBody(input.body, false);
  if (records !== null) {
    return readByIds(
      input,
      key,
      records.map((r) => (typeof r === "object" && r !== null ? String((r as Row)[key] ?? "") : String(r))),
    );
  }
  return query(input);
}

/** Splits an `ids` option (comma text or JSON array). */
export function splitIds(raw: unknown): string[] {
  const list = Array.isArray(raw) ? raw.map((x) => String(x)) : String(raw).split(",");
  return list.map((x) => x.trim()).filter((x) => x !== "");
}

async function readOne(input: ReadInput, key: string): Promise<ApiResponse> {
  const { q, table, access, options } = input;
  const id = input.id as string;
  const { fields, strip } = selectedFields(options, table, key);
  const where = andFragments(idsWhere(table, [id], key), access.where(table, undefined));
  const [row] = await selectRecords(q, table, { fields, where, limit: 1 });
  if (row === undefined) throw recordNotFound(id);
  return ok(strip ? omit(row, key) : row, 1);
}

async function readByIds(input: ReadInput, key: string, ids: string[]): Promise<ApiResponse> {
  const { q, table, access, options } = input;
  const { fields, strip } = selectedFields(options, table, key);
  const where = andFragments(idsWhere(table, ids, key), access.where(table, undefined));
  const rows = ids.length === 0 ? [] : await selectRecords(q, table, { fields, where });
  const byId = new Map(rows.map((r) => [String(r[key]), r]));
  const failed: number[] = [];
  const resource = ids.map((id, i) => {
    const row = byId.get(id);
    if (row === undefined) {
      failed.push(i);
      return batchItemError(recordNotFound(id));
    }
    return strip ? omit(row, key) : row;
  });
  if (failed.length > 0) throw batchError("retrieved", failed, resource, false);
  return ok(wrap(options, resource), resource.length);
}

function omit(row: Row, key: string): Row {
  const { [key]: _dropped, ...rest } = row;
  return rest;
}

function wrap(options: RequestOptions, resource: unknown[], meta?: Record<string, unknown>): unknown {
  if (options.raw("wrap") !== undefined && !options.bool("wrap")) return resource;
  return meta !== undefined && Object.keys(meta).length > 0 ? { resource, meta } : { resource };
}

async function query(input: ReadInput): Promise<ApiResponse> {
  const { q, table, access, options, maxRecords } = input;
  const group = parseGroup(options.text("group"), table);
  const parsed = parseFields(options.text("fields"), table, group);
  const order = parseOrder(options.text("order"), table, parsed.aggregates);
  const where = access.where(table, options.text("filter"));
  if (options.bool("count_only")) {
    const n = group === null ? await countRecords(q, table, where) : (await selectRecords(q, table, { fields: group, where, group })).length;
    return ok(n, 0);
  }
  const requested = options.int("limit");
  const imposed = requested === undefined || requested < 1 || requested > maxRecords;
  const limit = imposed ? maxRecords : requested;
  const offset = Math.max(0, options.int("offset") ?? 0);
  const includeCount = options.bool("include_count");
  const rows = await selectRecords(q, table, {
    fields: parsed.fields,
    aggregates: parsed.aggregates,
    where,
    order,
    limit,
    offset,
    group,
  });
  const meta: Record<string, unknown> = {};
  if (includeCount || imposed) {
    let total: number;
    if (rows.length < limit && (rows.length > 0 || offset === 0)) total = offset + rows.length;
    else if (group === null) total = await countRecords(q, table, where);
    else total = (await selectRecords(q, table, { fields: group, where, group })).length;
    if (includeCount || total > maxRecords) meta.count = total;
    if (total > offset + limit) meta.next = offset + limit;
  }
  if (options.bool("include_schema")) meta.schema = describeTable(table, access.mask(`_table/${table.name}`));
  let resource: unknown[] = rows;
  if (options.bool("as_list")) {
    const idField = options.text("id_field")?.split(",")[0]?.trim() || "name";
    resource = rows.map((r) => r[idField] ?? null);
  }
  return ok(wrap(options, resource, meta), rows.length);
}

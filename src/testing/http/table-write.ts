import { parseFields } from "../db/query-options.js";
import { deleteRecords, idsWhere, insertRecord, updateRecords } from "../db/records.js";
import type { Queryable, SqlFragment, TableInfo } from "../db/types.js";
import { SandboxHttpError } from "../errors.js";
import { andFragments } from "../filter/and-fragments.js";
import { recordPassesFilters } from "../rbac/check-record-against-filters.js";
import { substituteLookups } from "../rbac/lookups.js";
import type { ApiVerb } from "../rbac/verb-mask.js";
import { ok, type ApiResponse } from "./api-request.js";
import { assertBatchMode, runBatch, type BatchMode } from "./batch.js";
import type { DataAccess } from "./data-access.js";
import { recordsFromBody } from "./records-from-body.js";
import { isObject, type RequestOptions } from "./request-options.js";
import { idColumn, recordNotFound, splitIds } from "./table-read.js";

type Row = Record<string, unknown>;

/** Everything a write needs. */
export interface WriteInput {
  q: Queryable;
  table: TableInfo;
  access: DataAccess;
  options: RequestOptions;
  body: unknown;
  verb: Exclude<ApiVerb, "GET">;
  /** Identifier from `/_table/{t}/{id}`, if any. */
  id: string | undefined;
}

/** A write's answer plus an error to raise after COMMIT (batch default / `continue` modes). */
export interface WriteOutcome {
  response: ApiResponse;
  deferredError: SandboxHttpError | null;
}

const DENIED = "Denied access to some of the requested fields.";

function fieldsOption(options: RequestOptions, table: TableInfo): "*" | string[] | undefined {
  const text = options.text("fields");
  if (text === undefined || text.trim() === "") return undefined;
  return parseFields(text, table).fields;
}

function writeOptions(options: RequestOptions, table: TableInfo) {
  const fields = fieldsOption(options, table);
  return fields === undefined ? {} : { fields };
}

function asRecord(value: unknown, index: number): Row {
  if (!isObject(value)) throw new SandboxHttpError(400, `Invalid record in request at index ${index}: a record must be a JSON object.`);
  return value;
}

/**
 * DreamFactory's `interpretRecordValues`: lookups in string values are substituted before the record is checked
 * and written (so `{"sales_rep_id": "{user.id}"}` writes the caller's id — and `{session.token}` would write the
 * caller's token, which is why clients must refuse lookups in model-supplied values).
 */
function interpretRecord(access: DataAccess, record: Row): Row {
  const out: Row = {};
  for (const [key, value] of Object.entries(record)) {
    out[key] = typeof value === "string" ? substituteLookups(value, access.lookups) : value;
  }
  return out;
}

function checkFilters(access: DataAccess, record: Row, forUpdate: boolean): void {
  const selected = access.serverFilters;
  if (selected !== null && !recordPassesFilters(record, selected, access.lookups, forUpdate)) {
    throw new SandboxHttpError(403, DENIED);
  }
}

/**
 * POST/PUT/PATCH/DELETE on `/_table/{t}[/{id}]` with DreamFactory's semantics (reference §2.2.3, §2.2.5, §7.4):
 * id-only answers unless `fields`; batch errors with code 1000; single-record endpoints answer their own error
 * (404/403); the role's row filter is AND-ed into every WHERE and checked against the values written.
 */
export async function writeRecords(input: WriteInput): Promise<WriteOutcome> {
  const mode: BatchMode = { continue: input.options.bool("continue"), rollback: input.options.bool("rollback") };
  assertBatchMode(mode);
  switch (input.verb) {
    case "POST":
      if (input.id !== undefined) throw new SandboxHttpError(400, "Create record by identifier not currently supported.");
      return create(input, mode);
    case "PUT":
    case "PATCH":
      return input.id !== undefined ? { response: await updateOne(input, input.id), deferredError: null } : update(input, mode);
    case "DELETE":
      return input.id !== undefined ? { response: await deleteOne(input, input.id), deferredError: null } : remove(input, mode);
  }
}

async function create(input: WriteInput, mode: BatchMode): Promise<WriteOutcome> {
  const { q, table, access, options } = input;
  const records = recordsFromBody(input.body, true) as unknown[];
  const opts = writeOptions(options, table);
  const result = await runBatch(q, records, mode, "created", async (raw, i) => {
    const record = interpretRecord(access, asRecord(raw, i));
    checkFilters(access, record, false);
    return insertRecord(q, table, record, opts);
  });
  return outcome(options, result.resource, result.deferredError);
}

function outcome(options: RequestOptions, resource: unknown[], deferredError: SandboxHttpError | null): WriteOutcome {
  const wrapOff = options.raw("wrap") !== undefined && !options.bool("wrap");
  return { response: ok(wrapOff ? resource : { resource }, resource.length), deferredError };
}

function idWhere(input: WriteInput, id: string): SqlFragment | null {
  const key = idColumn(input.table, input.options);
  return andFragments(idsWhere(input.table, [id], key), input.access.where(input.table, undefined));
}

function singleBody(body: unknown): Row {
  if (isObject(body) && Array.isArray(body.resource)) return asRecord(body.resource[0], 0);
  if (Array.isArray(body)) return asRecord(body[0], 0);
  if (isObject(body)) return body;
  throw new SandboxHttpError(400, "No record detected in request.");
}

async function updateOne(input: WriteInput, id: string): Promise<ApiResponse> {
  const record = interpretRecord(input.access, singleBody(input.body));
  checkFilters(input.access, record, true);
  const rows = await updateRecords(input.q, input.table, idWhere(input, id), record, writeOptions(input.options, input.table));
  if (rows[0] === undefined) throw recordNotFound(id);
  return ok(rows[0], 1);
}

async function update(input: WriteInput, mode: BatchMode): Promise<WriteOutcome> {
  const { q, table, access, options } = input;
  const opts = writeOptions(options, table);
  const ids = options.raw("ids");
  const filter = options.text("filter");
  if (ids !== undefined || (filter !== undefined && filter.trim() !== "")) {
    const records = recordsFromBody(input.body, true) as unknown[];
    const changes = interpretRecord(access, asRecord(records[0], 0));
    if (ids !== undefined) {
      const list = splitIds(ids);
      const result = await runBatch(q, list, mode, "updated", async (id) => {
        checkFilters(access, changes, true);
        const [row] = await updateRecords(q, table, idWhere(input, id), changes, opts);
        if (row === undefined) throw recordNotFound(id);
        return row;
      });
      return outcome(options, result.resource, result.deferredError);
    }
    checkFilters(access, changes, true);
    const rows = await updateRecords(q, table, access.where(table, filter), changes, opts);
    return outcome(options, rows, null);
  }
  const records = recordsFromBody(input.body, true) as unknown[];
  const key = idColumn(table, options);
  const result = await runBatch(q, records, mode, "updated", async (raw, i) => {
    const record = interpretRecord(access, asRecord(raw, i));
    const id = record[key];
    if (id === undefined || id === null || id === "") {
      throw new SandboxHttpError(400, `Required id field(s) not found in record ${i}: ${key}`);
    }
    checkFilters(access, record, true);
    const [row] = await updateRecords(q, table, idWhere(input, String(id)), record, opts);
    if (row === undefined) throw recordNotFound(String(id));
    return row;
  });
  return outcome(options, result.resource, result.deferredError);
}

async function deleteOne(input: WriteInput, id: string): Promise<ApiResponse> {
  const rows = await deleteRecords(input.q, input.table, idWhere(input, id), writeOptions(input.options, input.table));
  if (rows[0] === undefined) throw recordNotFound(id);
  return ok(rows[0], 1);
}

async function remove(input: WriteInput, mode: BatchMode): Promise<WriteOutcome> {
  const { q, table, access, options } = input;
  const opts = writeOptions(options, table);
  const key = idColumn(table, options);
  const rawIds = options.raw("ids");
  const records = rawIds === undefined ? recordsFromBody(input.body, false) : null;
  const ids =
    rawIds !== undefined
      ? splitIds(rawIds)
      : records?.map((r, i) => {
          const id = asRecord(r, i)[key];
          return id === undefined || id === null ? "" : String(id);
        });
  if (ids !== undefined) {
    const result = await runBatch(q, ids, mode, "deleted", async (id, i) => {
      if (id === "") throw new SandboxHttpError(400, `Required id field(s) not found in record ${i}: ${key}`);
      const [row] = await deleteRecords(q, table, idWhere(input, id), opts);
      if (row === undefined) throw recordNotFound(id);
      return row;
    });
    return outcome(options, result.resource, result.deferredError);
  }
  const filter = options.text("filter");
  if (filter !== undefined && filter.trim() !== "") {
    const rows = await deleteRecords(q, table, access.where(table, filter), opts);
    return outcome(options, rows, null);
  }
  if (options.bool("force")) {
    const where = access.where(table, undefined);
    const rows = await deleteRecords(q, table, where, { all: true });
    return { response: ok({ success: true }, rows.length), deferredError: null };
  }
  throw new SandboxHttpError(400, "No filter or records given for delete request.");
}

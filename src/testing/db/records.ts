import { SandboxHttpError } from "../errors.js";
import { actingContextOf } from "./acting-context.js";
import { mapDatabaseError, type RecordOperation } from "./database-error.js";
import { findColumn, type AggregateField, type OrderTerm } from "./query-options.js";
import { bindFragment, bindValue, quoteIdent } from "./sql-fragment.js";
import { relationNames } from "./table-relations.js";
import { isDecimalType, typecastRow } from "./typecast.js";
import type { ColumnInfo, Queryable, SqlFragment, TableInfo } from "./types.js";
import { castFilterValue, castWriteValue } from "./value-input.js";

/** Options of {@link selectRecords}. Placeholders in `where` are numbered from `$1`. */
export interface SelectOptions {
  /** `"*"` = every column the acting role may read (a grouped query: the group columns). */
  fields: "*" | readonly string[];
  aggregates?: readonly AggregateField[];
  where: SqlFragment | null;
  order?: readonly OrderTerm[];
  /** Row cap; null/absent = no LIMIT (the caller applies DreamFactory's cap). */
  limit?: number | null;
  offset?: number;
  group?: readonly string[] | null;
}

/** Options of the write functions. */
export interface WriteOptions {
  /** Fields to return per affected row, re-read through the read relation; absent = primary key only. */
  fields?: "*" | readonly string[];
}

/** Options of {@link updateRecords} and {@link deleteRecords}. */
export interface BulkWriteOptions extends WriteOptions {
  /** Must be true to run with `where === null` (every row). @default false */
  all?: boolean;
}

type Row = Record<string, unknown>;

const READABLE_SQL = `
SELECT a.attname AS name FROM pg_attribute a
WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped
  AND has_column_privilege(a.attrelid, a.attnum, 'SELECT')
ORDER BY a.attnum`;

async function readableColumns(q: Queryable, table: TableInfo): Promise<string[]> {
  const context = actingContextOf(q);
  if (context) return context.readableColumns(table);
  const { rows } = await q.query<{ name: string }>(READABLE_SQL, [relationNames(table).read]);
  const names = new Set(rows.map((r) => r.name));
  return table.columns.filter((c) => names.has(c.name)).map((c) => c.name);
}

function requireColumn(table: TableInfo, name: string): ColumnInfo {
  const column = findColumn(table, name);
  if (!column) throw new SandboxHttpError(400, `Invalid field requested: ${name}`);
  return column;
}

function primaryKeyColumns(table: TableInfo): ColumnInfo[] {
  const names = table.primaryKey.length > 0 ? table.primaryKey : [table.columns[0]?.name ?? "id"];
  return names.map((name) => requireColumn(table, name));
}

function aggregateSql(aggregate: AggregateField, table: TableInfo): string {
  const argument = aggregate.column === null ? "*" : quoteIdent(requireColumn(table, aggregate.column).name);
  return `${aggregate.fn}(${argument}) AS ${quoteIdent(aggregate.alias)}`;
}

function aggregateTypes(aggregates: readonly AggregateField[], table: TableInfo): Map<string, Pick<ColumnInfo, "type">> {
  const types = new Map<string, Pick<ColumnInfo, "type">>();
  for (const a of aggregates) {
    const column = a.column === null ? undefined : findColumn(table, a.column);
    if (a.fn === "COUNT") types.set(a.alias, { type: "integer" });
    else if (a.fn === "SUM" || a.fn === "AVG") types.set(a.alias, { type: column && !isDecimalType(column.type) && a.fn === "SUM" ? "bigint" : "decimal" });
    else types.set(a.alias, { type: column?.type ?? "string" });
  }
  return types;
}

async function run<R>(operation: RecordOperation, table: TableInfo, fn: () => Promise<R>): Promise<R> {
  try {
    return await fn();
  } catch (error) {
    throw mapDatabaseError(error, operation, table.name);
  }
}

/**
 * Reads records of `table` through its read relation (for `customers` a masking view), as the acting role of
 * `q`. `fields: "*"` selects the columns the role may read (so `employees.salary` is simply absent for a sales
 * rep); an explicitly requested column the role may not read fails in the database (SQLSTATE 42501) → 403
 * "Denied access to some of the requested fields.". Rows are typecast per reference §2.2.4. Without grouping,
 * the primary key is appended to the order as a tie-breaker so pages are stable. Identifiers come from the
 * catalog; every value is a bound parameter.
 */
export async function selectRecords(q: Queryable, table: TableInfo, options: SelectOptions): Promise<Row[]> {
  const aggregates = options.aggregates ?? [];
  const group = options.group && options.group.length > 0 ? options.group.map((g) => requireColumn(table, g).name) : null;
  let columns: string[];
  if (options.fields === "*") {
    if (group) columns = group;
    else if (aggregates.length > 0) columns = [];
    else {
      columns = await readableColumns(q, table);
      if (columns.length === 0) columns = table.columns.map((c) => c.name); // let the database deny it
    }
  } else {
    columns = options.fields.map((f) => requireColumn(table, f).name);
  }
  if (group) {
    const stray = columns.find((c) => !group.includes(c));
    if (stray) throw new SandboxHttpError(400, `Field '${stray}' must be listed in group or used in an aggregate.`);
  } else if (aggregates.length > 0) {
    throw new SandboxHttpError(400, `Invalid field requested: ${aggregates[0]?.fn}(${aggregates[0]?.column ?? "*"})`);
  }
  const select = [...columns.map(quoteIdent), ...aggregates.map((a) => aggregateSql(a, table))];
  if (select.length === 0) throw new SandboxHttpError(400, "Invalid field requested: ");

  const params: unknown[] = [];
  let sql = `SELECT ${select.join(", ")} FROM ${relationNames(table).read}`;
  if (options.where) sql += ` WHERE ${bindFragment(params, options.where)}`;
  if (group) sql += ` GROUP BY ${group.map(quoteIdent).join(", ")}`;
  const order = (options.order ?? []).map((term) => {
    const isAggregate = aggregates.some((a) => a.alias === term.field);
    const name = isAggregate ? term.field : requireColumn(table, term.field).name;
    return `${quoteIdent(name)} ${term.direction}${term.nulls ? ` NULLS ${term.nulls}` : ""}`;
  });
  if (!group && aggregates.length === 0) {
    for (const pk of primaryKeyColumns(table)) {
      if (!(options.order ?? []).some((t) => t.field === pk.name)) order.push(`${quoteIdent(pk.name)} ASC`);
    }
  }
  if (order.length > 0) sql += ` ORDER BY ${order.join(", ")}`;
  if (options.limit !== undefined && options.limit !== null) sql += ` LIMIT ${bindValue(params, Math.max(0, Math.floor(options.limit)))}`;
  if (options.offset) sql += ` OFFSET ${bindValue(params, Math.max(0, Math.floor(options.offset)))}`;

  const { rows } = await run("retrieve", table, () => q.query<Row>(sql, params));
  const extra = aggregateTypes(aggregates, table);
  return rows.map((row) => typecastRow(row, table, extra));
}

/** Counts the records of `table` matching `where` (through the read relation, as the acting role). */
export async function countRecords(q: Queryable, table: TableInfo, where: SqlFragment | null): Promise<number> {
  const params: unknown[] = [];
  let sql = `SELECT count(*) AS n FROM ${relationNames(table).read}`;
  if (where) sql += ` WHERE ${bindFragment(params, where)}`;
  const { rows } = await run("retrieve", table, () => q.query<{ n: string | number }>(sql, params));
  return Number(rows[0]?.n ?? 0);
}

/**
 * `"id" IN ($1, …)` for the primary key (or `idField`) of `table`, values cast like filter values (an
 * integer key with a non-integer id → 400 "Field 'id' must be a valid integer.").
 */
export function idsWhere(table: TableInfo, ids: ReadonlyArray<string | number>, idField?: string): SqlFragment {
  const column = idField ? requireColumn(table, idField) : primaryKeyColumns(table)[0];
  if (!column) throw new SandboxHttpError(400, "Invalid field requested: id");
  if (ids.length === 0) return { sql: "false", params: [] };
  const params = ids.map((id) => castFilterValue(String(id).trim(), column));
  return { sql: `${quoteIdent(column.name)} IN (${params.map((_, i) => `$${i + 1}`).join(", ")})`, params };
}

function keyWhere(table: TableInfo, keys: readonly Row[]): SqlFragment {
  const pk = primaryKeyColumns(table);
  if (keys.length === 0) return { sql: "false", params: [] };
  const params: unknown[] = [];
  const clauses = keys.map(
    (key) => `(${pk.map((c) => `${quoteIdent(c.name)} = ${bindValue(params, key[c.name])}`).join(" AND ")})`,
  );
  return { sql: clauses.join(" OR "), params };
}

function recordValue(record: Row, column: ColumnInfo): { present: boolean; value: unknown } {
  if (Object.prototype.hasOwnProperty.call(record, column.name)) return { present: true, value: record[column.name] };
  const key = Object.keys(record).find((k) => k.toLowerCase() === column.name.toLowerCase());
  return key === undefined ? { present: false, value: undefined } : { present: true, value: record[key] };
}

function assertRecord(record: unknown): asserts record is Row {
  if (typeof record !== "object" || record === null || Array.isArray(record)) {
    throw new SandboxHttpError(400, "Invalid record: a record must be a JSON object.");
  }
}

/** `fields` plus the primary key (write answers always identify their rows). */
function withKey(table: TableInfo, fields: "*" | readonly string[]): "*" | string[] {
  if (fields === "*") return "*";
  const names = fields.map((f) => requireColumn(table, f).name);
  for (const pk of primaryKeyColumns(table)) if (!names.includes(pk.name)) names.unshift(pk.name);
  return names;
}

async function reread(q: Queryable, table: TableInfo, keys: Row[], fields: "*" | readonly string[]): Promise<Row[]> {
  const rows = await selectRecords(q, table, { fields: withKey(table, fields), where: keyWhere(table, keys) });
  const pk = primaryKeyColumns(table).map((c) => c.name);
  const found = new Map(rows.map((r) => [JSON.stringify(pk.map((k) => r[k])), r]));
  return keys.map((key) => found.get(JSON.stringify(pk.map((k) => key[k]))) ?? key);
}

function sortByKey(table: TableInfo, rows: Row[]): Row[] {
  const pk = primaryKeyColumns(table).map((c) => c.name);
  return [...rows].sort((a, b) => {
    for (const k of pk) {
      const x = a[k] as number | string;
      const y = b[k] as number | string;
      if (x < y) return -1;
      if (x > y) return 1;
    }
    return 0;
  });
}

/**
 * Inserts one record into `table` (base table, as the acting role) and returns its primary key
 * (`{ id: 7 }`), or the requested `fields` re-read through the read relation. Field rules of reference
 * §2.2.3: unknown keys are ignored, auto-increment keys are ignored, explicit null on a NOT NULL column →
 * 400 "Field 'x' can not be NULL.", a missing required column → 400 "Required field 'x' can not be NULL.",
 * a non-integer for an integer column → 400 "Field 'x' must be a valid integer.". Constraint and value errors
 * from the database → 400 "Failed to create records in '{t}'.\n<reason>"; privilege/RLS denials → 403.
 */
export async function insertRecord(q: Queryable, table: TableInfo, record: Row, options: WriteOptions = {}): Promise<Row> {
  assertRecord(record);
  const names: string[] = [];
  const params: unknown[] = [];
  for (const column of table.columns) {
    if (column.autoIncrement) continue;
    const { present, value } = recordValue(record, column);
    if (!present || value === undefined) {
      if (column.required) throw new SandboxHttpError(400, `Required field '${column.name}' can not be NULL.`);
      continue;
    }
    if (value === null && !column.allowNull) throw new SandboxHttpError(400, `Field '${column.name}' can not be NULL.`);
    names.push(quoteIdent(column.name));
    params.push(castWriteValue(value, column));
  }
  const returning = primaryKeyColumns(table).map((c) => quoteIdent(c.name)).join(", ");
  const target = relationNames(table).write;
  const sql =
    names.length === 0
      ? `INSERT INTO ${target} DEFAULT VALUES RETURNING ${returning}`
      : `INSERT INTO ${target} (${names.join(", ")}) VALUES (${params.map((_, i) => `$${i + 1}`).join(", ")}) RETURNING ${returning}`;
  const { rows } = await run("create", table, () => q.query<Row>(sql, params));
  const key = typecastRow(rows[0] ?? {}, table);
  if (!options.fields) return key;
  const [row] = await reread(q, table, [key], options.fields);
  return row ?? key;
}

/**
 * Applies `changes` to every record of `table` matching `where` (base table, as the acting role) and returns
 * the primary keys of the updated rows sorted by key (or the requested `fields`, re-read). Primary-key and
 * unknown keys in `changes` are ignored; explicit null on a NOT NULL column → 400 "Field 'x' can not be NULL.";
 * values are validated like {@link insertRecord}. With nothing to change, the matching keys are returned.
 * `where === null` is refused unless `options.all` is true.
 */
export async function updateRecords(
  q: Queryable,
  table: TableInfo,
  where: SqlFragment | null,
  changes: Row,
  options: BulkWriteOptions = {},
): Promise<Row[]> {
  assertRecord(changes);
  if (where === null && !options.all) throw new TypeError("updateRecords needs a where fragment (or options.all)");
  const sets: string[] = [];
  const params: unknown[] = [];
  for (const column of table.columns) {
    if (column.isPrimaryKey || column.autoIncrement) continue;
    const { present, value } = recordValue(changes, column);
    if (!present || value === undefined) continue;
    if (value === null && !column.allowNull) throw new SandboxHttpError(400, `Field '${column.name}' can not be NULL.`);
    sets.push(`${quoteIdent(column.name)} = ${bindValue(params, castWriteValue(value, column))}`);
  }
  const returning = primaryKeyColumns(table).map((c) => quoteIdent(c.name)).join(", ");
  const target = relationNames(table).write;
  let sql = sets.length === 0 ? `SELECT ${returning} FROM ${target}` : `UPDATE ${target} SET ${sets.join(", ")}`;
  if (where) sql += ` WHERE ${bindFragment(params, where)}`;
  if (sets.length > 0) sql += ` RETURNING ${returning}`;
  const { rows } = await run("update", table, () => q.query<Row>(sql, params));
  const keys = sortByKey(table, rows.map((r) => typecastRow(r, table)));
  return options.fields ? reread(q, table, keys, options.fields) : keys;
}

/**
 * Deletes every record of `table` matching `where` (base table, as the acting role) and returns the primary
 * keys of the deleted rows sorted by key, or the requested `fields` read (through the read relation) just
 * before deleting. `where === null` is refused unless `options.all` is true.
 */
export async function deleteRecords(
  q: Queryable,
  table: TableInfo,
  where: SqlFragment | null,
  options: BulkWriteOptions = {},
): Promise<Row[]> {
  if (where === null && !options.all) throw new TypeError("deleteRecords needs a where fragment (or options.all)");
  const before = options.fields ? await selectRecords(q, table, { fields: withKey(table, options.fields), where }) : null;
  const params: unknown[] = [];
  const returning = primaryKeyColumns(table).map((c) => quoteIdent(c.name)).join(", ");
  let sql = `DELETE FROM ${relationNames(table).write}`;
  if (where) sql += ` WHERE ${bindFragment(params, where)}`;
  sql += ` RETURNING ${returning}`;
  const { rows } = await run("delete", table, () => q.query<Row>(sql, params));
  const keys = sortByKey(table, rows.map((r) => typecastRow(r, table)));
  if (!before) return keys;
  const pk = primaryKeyColumns(table).map((c) => c.name);
  const byKey = new Map(before.map((r) => [JSON.stringify(pk.map((k) => r[k])), r]));
  return keys.map((key) => byKey.get(JSON.stringify(pk.map((k) => key[k]))) ?? key);
}

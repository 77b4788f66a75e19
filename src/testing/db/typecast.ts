import type { ColumnInfo, TableInfo } from "./types.js";

/** DreamFactory types returned as JSON numbers (reference §2.2.4). `bigid` stays a string. */
const INTEGER_TYPES = new Set(["id", "reference", "integer", "smallint", "tinyint", "mediumint", "bigint", "user_id", "user_id_on_create", "user_id_on_update"]);
const DECIMAL_TYPES = new Set(["decimal", "double", "float", "money"]);

/** True for DreamFactory's integer family (values must be whole numbers). */
export function isIntegerType(type: string): boolean {
  return INTEGER_TYPES.has(type) || type === "bigid";
}

/** True for decimal/double/float/money. */
export function isDecimalType(type: string): boolean {
  return DECIMAL_TYPES.has(type);
}

/** True for date and time types. */
export function isDateTimeType(type: string): boolean {
  return /^(date|time|timetz|datetime|datetimetz|timestamp|timestamptz|timestamp_on_create|timestamp_on_update)$/.test(type);
}

/** True for character types (the only ones LIKE/CONTAINS/STARTS WITH/ENDS WITH accept). */
export function isTextType(type: string): boolean {
  return /^(string|text|mediumtext|longtext)$/.test(type);
}

/**
 * Casts one database value for the API the way DreamFactory does (reference §2.2.4): integer family, `id`,
 * `reference` → number; decimal/double/float/money → number; boolean → boolean; `bigid`, date/time types,
 * text → string (timestamps as Postgres prints them: "YYYY-MM-DD HH:MM:SS"); json → JSON text; NULL → null.
 */
export function typecastValue(value: unknown, column: Pick<ColumnInfo, "type">): unknown {
  if (value === null || value === undefined) return null;
  const type = column.type;
  if (INTEGER_TYPES.has(type) || DECIMAL_TYPES.has(type)) {
    if (typeof value === "number") return value;
    const n = Number(value);
    return Number.isFinite(n) ? n : String(value);
  }
  if (type === "boolean") {
    if (typeof value === "boolean") return value;
    return value === "t" || value === "true" || value === 1 || value === "1";
  }
  if (type === "json" || type === "jsonb") return typeof value === "string" ? value : JSON.stringify(value);
  if (value instanceof Uint8Array) return Buffer.from(value).toString("base64");
  if (value instanceof Date) return value.toISOString().slice(0, 19).replace("T", " ");
  return typeof value === "string" ? value : String(value);
}

/**
 * Casts a result row: each key that names a column of `table` is cast with {@link typecastValue}; other keys
 * (aggregate aliases) are converted by `extra` when given, else left alone.
 */
export function typecastRow(
  row: Record<string, unknown>,
  table: TableInfo,
  extra: ReadonlyMap<string, Pick<ColumnInfo, "type">> = new Map(),
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row)) {
    const column = table.columns.find((c) => c.name === key) ?? extra.get(key);
    out[key] = column ? typecastValue(value, column) : value;
  }
  return out;
}

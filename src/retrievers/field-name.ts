/**
 * Validation of the column names and path segments the app configures on a retriever.
 *
 * DreamFactory puts column names bare into filter strings and `fields` lists, so a name with a space,
 * comma, parenthesis, operator or brace would change the meaning of the request. Only plain identifiers pass.
 */

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;
const SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

/**
 * Throws a `TypeError` naming the option unless `value` is a plain column identifier (`[A-Za-z_][A-Za-z0-9_]*`).
 *
 * @param value - the configured column name
 * @param option - option name for the error message, e.g. "searchFields[0]"
 */
export function assertFieldName(value: unknown, option: string): asserts value is string {
  if (typeof value !== "string" || !IDENTIFIER.test(value)) {
    throw new TypeError(`${option} must be a column name made of letters, digits and underscores`);
  }
}

/**
 * Throws a `TypeError` naming the option unless `value` is a safe service or table name
 * (letters, digits, `_`, `.`, `-`; no `..`).
 *
 * @param value - the configured service or table name
 * @param option - option name for the error message
 */
export function assertPathSegment(value: unknown, option: string): asserts value is string {
  if (typeof value !== "string" || !SEGMENT.test(value) || value.includes("..")) {
    throw new TypeError(`${option} must be a DreamFactory name made of letters, digits, '_', '.' and '-'`);
  }
}

/**
 * The `_table` path of a DreamFactory table, after `/api/v2`: `/{service}/_table/{table}`.
 * Both names must have passed {@link assertPathSegment}.
 *
 * @param service - database service name
 * @param table - table name
 */
export function tablePath(service: string, table: string): string {
  return `/${encodeURIComponent(service)}/_table/${encodeURIComponent(table)}`;
}

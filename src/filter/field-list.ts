import { checkFieldName } from "./filter-condition.js";
import { filterInputError } from "./filter-input-error.js";

/** Most columns one `fields`, `order` or `group` list may name. */
const MAX_LIST = 100;

/**
 * Validates a list of column names (`fields`, `group`): an array or a comma-separated string of ASCII
 * identifiers. `"*"` or an empty list means "all columns" and yields `undefined`.
 *
 * @param input - e.g. `["id", "total"]` or `"id,total"`
 * @param what - parameter name used in error messages
 * @returns the deduplicated names in order, or `undefined` for all columns
 * @throws DreamFactoryError `invalid_input`
 */
export function parseFieldList(input: string | readonly string[] | undefined, what = "fields"): string[] | undefined {
  if (input === undefined) return undefined;
  const items = (typeof input === "string" ? input.split(",") : [...input]).map((s) => (typeof s === "string" ? s.trim() : s));
  const names = items.filter((s) => s !== "");
  if (names.length === 0 || (names.length === 1 && names[0] === "*")) return undefined;
  if (names.length > MAX_LIST) throw filterInputError(`${what} lists at most ${MAX_LIST} columns.`);
  const out: string[] = [];
  for (const name of names) {
    if (name === "*") throw filterInputError(`${what}: "*" cannot be combined with column names.`);
    const checked = checkFieldName(name);
    if (!out.includes(checked)) out.push(checked);
  }
  return out;
}

/** One sort key of an `order` clause. */
export interface OrderKey {
  field: string;
  direction: "ASC" | "DESC";
}

/**
 * Validates a sort order: comma-separated (or an array of) `field [asc|desc]` items.
 *
 * @param input - e.g. `"total desc, id"` or `["total desc", "id asc"]`
 * @returns the keys, or `undefined` when the input is empty
 * @throws DreamFactoryError `invalid_input` naming the expected shape
 */
export function parseOrder(input: string | readonly string[] | undefined): OrderKey[] | undefined {
  if (input === undefined) return undefined;
  const items = (typeof input === "string" ? input.split(",") : [...input]).map((s) => String(s).trim()).filter((s) => s !== "");
  if (items.length === 0) return undefined;
  if (items.length > MAX_LIST) throw filterInputError(`order lists at most ${MAX_LIST} columns.`);
  return items.map((item) => {
    const match = /^([^\s]+)(?:\s+(asc|desc))?$/i.exec(item);
    if (match === null) {
      throw filterInputError(`order items look like "column" or "column asc|desc", e.g. "total desc, id asc".`);
    }
    return { field: checkFieldName(match[1]), direction: (match[2] ?? "asc").toUpperCase() as "ASC" | "DESC" };
  });
}

/**
 * Renders sort keys as DreamFactory's `order` parameter, e.g. `total DESC,id ASC`.
 *
 * @param keys - validated keys from {@link parseOrder}
 */
export function renderOrder(keys: readonly OrderKey[]): string {
  return keys.map((k) => `${k.field} ${k.direction}`).join(",");
}

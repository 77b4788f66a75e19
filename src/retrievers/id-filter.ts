/**
 * Row ids inside a DreamFactory `IN` list.
 *
 * DreamFactory splits an IN list at commas, strips `()[]` from its ends and quotes from each item, and substitutes
 * `{lookups}` anywhere in the filter. There is no escaping, so an id is only carried if it is a finite number or a
 * string of letters, digits, `.`, `-` and `:` (integers, UUIDs, slugs). Anything else cannot be asked about safely.
 */

const SAFE_STRING_ID = /^[\p{L}\p{N}][\p{L}\p{N}.:-]{0,127}$/u;

/**
 * The id as it would appear in an IN list, or `undefined` if it cannot be carried safely.
 *
 * @param id - a row id taken from a document's metadata
 */
export function idFilterValue(id: unknown): string | undefined {
  // Numbers: only forms the string rule below also accepts (so "-5" or "1e+21" are dropped, not thrown on later).
  if (typeof id === "number") return Number.isFinite(id) ? idFilterValue(String(id)) : undefined;
  if (typeof id === "bigint") return idFilterValue(id.toString());
  if (typeof id === "string" && SAFE_STRING_ID.test(id)) return id;
  return undefined;
}

/**
 * `(field IN (1,2,3))` for ids already passed through {@link idFilterValue}; `undefined` when the list is empty.
 *
 * @param field - id column (a plain identifier)
 * @param ids - safe id values
 */
export function buildIdInFilter(field: string, ids: readonly string[]): string | undefined {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(field)) throw new TypeError("id field is not a plain column name");
  if (ids.length === 0) return undefined;
  for (const id of ids) {
    if (idFilterValue(id) !== id) throw new TypeError("id holds characters a filter cannot carry");
  }
  return `(${field} IN (${ids.join(",")}))`;
}

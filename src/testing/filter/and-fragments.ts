import { shiftPlaceholders } from "../db/sql-fragment.js";
import type { SqlFragment } from "../db/types.js";

/**
 * ANDs two WHERE fragments (both numbered from `$1`): `(a) AND (b)` with b's placeholders renumbered after
 * a's. Either may be null (the other is returned unchanged); both null → null.
 * @example andFragments({ sql: '"a" = $1', params: [1] }, { sql: '"b" = $1', params: [2] })
 * // { sql: '("a" = $1) AND ("b" = $2)', params: [1, 2] }
 */
export function andFragments(a: SqlFragment | null, b: SqlFragment | null): SqlFragment | null {
  if (!a) return b;
  if (!b) return a;
  return { sql: `(${a.sql}) AND (${shiftPlaceholders(b.sql, a.params.length)})`, params: [...a.params, ...b.params] };
}

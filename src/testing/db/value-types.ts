/**
 * Postgres types that both sandbox drivers return as the server's text form, so PGlite and node-postgres
 * hand back exactly the same JavaScript values:
 *
 * - `int8` (bigint, `count(*)`) and `numeric` → string (no precision loss; typecast.ts turns them into numbers
 *   for API output),
 * - `date`, `time`, `timetz`, `timestamp`, `timestamptz`, `interval` → string as Postgres prints it with
 *   DateStyle ISO (e.g. `"2024-03-05 10:20:30"` for `timestamp(0)`), never a `Date`.
 *
 * Everything else keeps the drivers' shared defaults: `int2`/`int4`/`oid`/`float4`/`float8` → number,
 * `bool` → boolean, `json`/`jsonb` → parsed value, `text`/`varchar` → string, NULL → null.
 */
export const TEXT_RESULT_TYPE_OIDS: readonly number[] = [20, 1700, 1082, 1083, 1114, 1184, 1266, 1186];

import { substituteLookups } from "./lookups.js";
import type { SelectedFilters } from "./resolve-permissions.js";

/**
 * DreamFactory's write-side check of server filters (df-database `validateRecord` / `compareByOperator`,
 * reference §7.4): the values being written are compared with each filter after lookup substitution. On update
 * only fields present in the payload are checked. With `AND` any failing filter denies; with `OR` the first passing
 * filter allows, and — DreamFactory's quirk — all failing never denies.
 * @returns true when the record may be written.
 */
export function recordPassesFilters(
  record: Readonly<Record<string, unknown>>,
  selected: SelectedFilters,
  lookups: ReadonlyMap<string, string>,
  forUpdate: boolean,
): boolean {
  for (const filter of selected.filters) {
    const field = findKey(record, filter.name);
    if (forUpdate && field === undefined) continue;
    const actual = field === undefined ? null : record[field];
    const pass = compareByOperator(filter.operator, actual, interpretFilterValue(substituteLookups(filter.value, lookups)));
    if (selected.filterOp === "OR") {
      if (pass) return true;
    } else if (!pass) {
      return false;
    }
  }
  return true;
}

function findKey(record: Readonly<Record<string, unknown>>, name: string): string | undefined {
  const lower = name.toLowerCase();
  return Object.keys(record).find((k) => k.toLowerCase() === lower);
}

type Scalar = string | number | boolean | null;

/** Strips matching outer quotes and reads `true`, `false`, `null` like DreamFactory. */
function interpretFilterValue(raw: string): Scalar {
  const text = raw.trim();
  const quoted = /^(['"])(.*)\1$/s.exec(text);
  if (quoted) return quoted[2] ?? "";
  switch (text.toLowerCase()) {
    case "true":
      return true;
    case "false":
      return false;
    case "null":
      return null;
    default:
      return text;
  }
}

function isNumeric(v: unknown): boolean {
  return (typeof v === "number" && Number.isFinite(v)) || (typeof v === "string" && v.trim() !== "" && Number.isFinite(Number(v)));
}

/** PHP-style loose equality for the scalar shapes a JSON record and a filter value can take. */
function looseEquals(a: unknown, b: Scalar): boolean {
  if (a === null || a === undefined) return b === null || b === "" || b === false;
  if (b === null) return a === "" || a === false || a === 0;
  if (typeof a === "boolean" || typeof b === "boolean") return Boolean(a) === toBool(b);
  if (isNumeric(a) && isNumeric(b)) return Number(a) === Number(b);
  return String(a) === String(b);
}

function toBool(v: Scalar): boolean {
  if (typeof v === "string") return !(v === "" || v === "0");
  return Boolean(v);
}

function compareOrder(a: unknown, b: Scalar): number | null {
  if (a === null || a === undefined || b === null) return null;
  if (isNumeric(a) && isNumeric(b)) return Number(a) - Number(b);
  const x = String(a);
  const y = String(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

function listItems(value: Scalar): Scalar[] {
  const text = String(value ?? "").trim().replace(/^\(/, "").replace(/\)$/, "");
  return text.split(",").map((item) => interpretFilterValue(item));
}

function compareByOperator(operator: string, actual: unknown, expected: Scalar): boolean {
  const text = actual === null || actual === undefined ? "" : String(actual);
  const pattern = expected === null ? "" : String(expected);
  switch (operator.trim().toUpperCase()) {
    case "=":
      return looseEquals(actual, expected);
    case "!=":
    case "<>":
      return !looseEquals(actual, expected);
    case ">":
      return (compareOrder(actual, expected) ?? 0) > 0;
    case ">=":
      return (compareOrder(actual, expected) ?? -1) >= 0;
    case "<":
      return (compareOrder(actual, expected) ?? 0) < 0;
    case "<=":
      return (compareOrder(actual, expected) ?? 1) <= 0;
    case "IN":
      return listItems(expected).some((item) => looseEquals(actual, item));
    case "NOT IN":
      return !listItems(expected).some((item) => looseEquals(actual, item));
    case "STARTS WITH":
      return text.startsWith(pattern);
    case "ENDS WITH":
      return text.endsWith(pattern);
    case "CONTAINS":
      return text.includes(pattern);
    case "IS NULL":
      return actual === null || actual === undefined;
    case "IS NOT NULL":
      return actual !== null && actual !== undefined;
    default:
      return false;
  }
}

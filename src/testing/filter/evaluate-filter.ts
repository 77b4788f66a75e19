import { isDateTimeType, isDecimalType, isIntegerType } from "../db/typecast.js";
import type { ColumnInfo, TableInfo } from "../db/types.js";
import type { FilterNode } from "./filter-node.js";
import { likeMatcher } from "./like-pattern.js";
import { resolveComparison } from "./resolve-comparison.js";

/** SQL's three-valued logic: true, false or unknown (null). */
type Truth = boolean | null;

/** Code-point order, i.e. Postgres `COLLATE "C"` on UTF-8 text. */
function compareText(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = (x[i] as string).codePointAt(0)! - (y[i] as string).codePointAt(0)!;
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

/** Compares a row value with a bound filter value the way Postgres compares them for `column`. */
function compare(rowValue: unknown, bound: string | boolean, column: ColumnInfo): number {
  if (isIntegerType(column.type) || isDecimalType(column.type)) return Math.sign(Number(rowValue) - Number(bound));
  if (column.type === "boolean") return Number(Boolean(rowValue)) - Number(bound === true || bound === "true");
  if (isDateTimeType(column.type)) return compareText(String(rowValue), String(bound));
  return compareText(String(rowValue), String(bound));
}

function not(value: Truth): Truth {
  return value === null ? null : !value;
}

function evaluate(node: FilterNode, row: Record<string, unknown>, table: TableInfo): Truth {
  switch (node.kind) {
    case "and": {
      let result: Truth = true;
      for (const operand of node.operands) {
        const v = evaluate(operand, row, table);
        if (v === false) return false;
        if (v === null) result = null;
      }
      return result;
    }
    case "or": {
      let result: Truth = false;
      for (const operand of node.operands) {
        const v = evaluate(operand, row, table);
        if (v === true) return true;
        if (v === null) result = null;
      }
      return result;
    }
    case "not":
      return not(evaluate(node.operand, row, table));
    default: {
      const c = resolveComparison(node, table);
      const value = row[c.column.name];
      const isNull = value === null || value === undefined;
      if (c.operator === "IS NULL") return isNull;
      if (c.operator === "IS NOT NULL") return !isNull;
      if (isNull) return null;
      switch (c.operator) {
        case "LIKE":
          return likeMatcher(String(c.value))(String(value));
        case "NOT LIKE":
          return !likeMatcher(String(c.value))(String(value));
        case "IN":
          return (c.values ?? []).some((v) => compare(value, v, c.column) === 0);
        case "NOT IN":
          return !(c.values ?? []).some((v) => compare(value, v, c.column) === 0);
        default: {
          const d = compare(value, c.value as string | boolean, c.column);
          if (c.operator === "=") return d === 0;
          if (c.operator === "!=") return d !== 0;
          if (c.operator === ">") return d > 0;
          if (c.operator === ">=") return d >= 0;
          if (c.operator === "<") return d < 0;
          return d <= 0;
        }
      }
    }
  }
}

/**
 * Evaluates a parsed filter against one row in memory with SQL semantics: NULL compares as unknown (only
 * IS [NOT] NULL sees it), AND/OR/NOT use three-valued logic and a row matches only when the result is true,
 * LIKE is case-sensitive with `%`, `_` and `\` escapes, text compares in code-point order (the demo schema's
 * `COLLATE "C"`), numbers numerically, timestamps as "YYYY-MM-DD HH:MM:SS" text. `row` holds values as
 * selectRecords returns them. Throws like filterToSql for unknown fields or values that do not fit.
 * Not modelled: `char(n)` blank-padding semantics.
 */
export function evaluateFilter(node: FilterNode, row: Record<string, unknown>, table: TableInfo): boolean {
  return evaluate(node, row, table) === true;
}

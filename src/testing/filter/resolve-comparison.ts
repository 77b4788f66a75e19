import { SandboxHttpError } from "../errors.js";
import { findColumn } from "../db/query-options.js";
import { isTextType } from "../db/typecast.js";
import type { ColumnInfo, TableInfo } from "../db/types.js";
import { castFilterValue } from "../db/value-input.js";
import { FILTER_MESSAGES, likeOnNonTextMessage, unknownFieldMessage } from "./filter-messages.js";
import type { ComparisonNode, ComparisonOperator } from "./filter-node.js";

/** A comparison checked against a table: its column and the values to bind (cast to the column type). */
export interface ResolvedComparison {
  column: ColumnInfo;
  operator: ComparisonOperator;
  /** Bound value of single-value operators (string, or boolean for boolean columns). */
  value: string | boolean | null;
  /** Bound items of IN / NOT IN. */
  values: Array<string | boolean> | null;
}

/**
 * Resolves `node.field` against `table` (case-insensitive; unknown → 400 "Invalid or unparsable field in
 * filter request: '{field}'") and casts its value(s) to the column type (castFilterValue). LIKE-family
 * operators need a text column and a pattern that does not end with the escape character `\`.
 */
export function resolveComparison(node: ComparisonNode, table: TableInfo): ResolvedComparison {
  const column = findColumn(table, node.field);
  if (!column) throw new SandboxHttpError(400, unknownFieldMessage(node.field));
  if (node.operator === "LIKE" || node.operator === "NOT LIKE") {
    if (!isTextType(column.type)) throw new SandboxHttpError(400, likeOnNonTextMessage(column.name));
    const pattern = node.value ?? "";
    const trailing = /\\+$/.exec(pattern)?.[0].length ?? 0;
    if (trailing % 2 === 1) throw new SandboxHttpError(400, FILTER_MESSAGES.likeTrailingEscape);
    return { column, operator: node.operator, value: pattern, values: null };
  }
  if (node.operator === "IS NULL" || node.operator === "IS NOT NULL") {
    return { column, operator: node.operator, value: null, values: null };
  }
  if (node.operator === "IN" || node.operator === "NOT IN") {
    return { column, operator: node.operator, value: null, values: (node.values ?? []).map((v) => castFilterValue(v, column)) };
  }
  return { column, operator: node.operator, value: castFilterValue(node.value ?? "", column), values: null };
}

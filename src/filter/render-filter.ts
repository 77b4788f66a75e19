import type { FilterAst, FilterCondition } from "./filter-ast.js";
import { filterInputError } from "./filter-input-error.js";
import { FILTER_LIMITS } from "./filter-limits.js";
import type { WhereOperator, WhereScalar } from "./where-condition.js";

const OPERATOR_TEXT: Record<WhereOperator, string> = {
  "=": "=",
  "!=": "!=",
  ">": ">",
  ">=": ">=",
  "<": "<",
  "<=": "<=",
  like: "LIKE",
  not_like: "NOT LIKE",
  contains: "CONTAINS",
  starts_with: "STARTS WITH",
  ends_with: "ENDS WITH",
  in: "IN",
  not_in: "NOT IN",
  is_null: "IS NULL",
  is_not_null: "IS NOT NULL",
};

/**
 * Renders a filter tree (already in normal form, as produced by {@link compileWhere}'s validation or
 * {@link parseFilter}) as a DreamFactory filter string: every operand of AND/OR in parentheses, text
 * single-quoted, numbers and booleans bare, CONTAINS / STARTS WITH / ENDS WITH values unquoted.
 *
 * @param ast - the filter tree
 * @returns e.g. `(status = 'open') AND ((total > 100) OR (priority = true))`
 * @throws DreamFactoryError `invalid_input` when the result exceeds the length bound
 */
export function renderFilter(ast: FilterAst): string {
  const text = renderNode(ast);
  if (text.length > FILTER_LIMITS.maxFilterLength) {
    throw filterInputError(`The filter is too long (${text.length} characters; at most ${FILTER_LIMITS.maxFilterLength}).`);
  }
  return text;
}

function renderNode(ast: FilterAst): string {
  if (ast.type === "condition") return renderCondition(ast);
  const joiner = ast.type === "and" ? " AND " : " OR ";
  return ast.conditions.map((operand) => `(${renderNode(operand)})`).join(joiner);
}

function renderCondition(c: FilterCondition): string {
  const op = OPERATOR_TEXT[c.op];
  if (c.op === "is_null" || c.op === "is_not_null") return `${c.field} ${op}`;
  if (c.op === "in" || c.op === "not_in") {
    const items = Array.isArray(c.value) ? c.value : [];
    return `${c.field} ${op} (${items.map(renderScalar).join(",")})`;
  }
  const value = c.value as WhereScalar;
  if (c.op === "contains" || c.op === "starts_with" || c.op === "ends_with") return `${c.field} ${op} ${String(value)}`;
  return `${c.field} ${op} ${renderScalar(value)}`;
}

function renderScalar(value: WhereScalar): string {
  return typeof value === "string" ? `'${value}'` : String(value);
}

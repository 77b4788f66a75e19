import type { FilterAst } from "./filter-ast.js";
import { makeFilterCondition } from "./filter-condition.js";
import { filterInputError } from "./filter-input-error.js";
import { FILTER_LIMITS } from "./filter-limits.js";
import { renderFilter } from "./render-filter.js";
import type { Where, WhereNode } from "./where-condition.js";

/**
 * Turns typed conditions into a filter tree in normal form: validated, single-operand groups unwrapped,
 * nested groups of the same kind flattened. `undefined` when there is nothing to filter on.
 *
 * @param where - a list of conditions/groups (joined by AND) or one condition/group
 * @throws DreamFactoryError `invalid_input` for an unsafe field or value, an empty group, or too much nesting
 */
export function whereToFilterAst(where: Where): FilterAst | undefined {
  const counter = { conditions: 0 };
  if (Array.isArray(where)) {
    if (where.length === 0) return undefined;
    return toAst({ and: where }, 1, counter);
  }
  return toAst(where, 1, counter);
}

/**
 * Compiles typed conditions into a DreamFactory filter string that DreamFactory parses exactly as
 * meant: every operand of AND/OR is parenthesised (`(a = 1) AND (b = 'x')`, nested
 * `((a = 1) OR (b = 2)) AND (c = 3)`), text is single-quoted, numbers and booleans are bare, and
 * `contains` / `starts_with` / `ends_with` values are unquoted (DreamFactory would keep quotes inside
 * the LIKE pattern).
 *
 * It refuses, with a `DreamFactoryError` of code `invalid_input`, every value DreamFactory cannot carry
 * safely: curly braces (DreamFactory substitutes `{user.email}` / `{session.token}` lookups server-side and
 * can echo them back), `) AND (` sequences, single quotes inside quoted values (there is no escape),
 * `=`, `<`, `>` and operator words inside values, commas or parentheses in `in` items, control characters
 * and over-long values; and column names other than ASCII identifiers.
 *
 * @param where - a list of conditions/groups (joined by AND) or one condition/group
 * @returns the filter string, or `""` for an empty list
 * @example
 * ```ts
 * compileWhere([{ field: "status", op: "=", value: "open" }, { field: "total", op: ">", value: 100 }]);
 * // "(status = 'open') AND (total > 100)"
 * compileWhere({ or: [{ field: "name", op: "contains", value: "Acme" }, { field: "id", op: "in", value: [1, 2] }] });
 * // "(name CONTAINS Acme) OR (id IN (1,2))"
 * ```
 */
export function compileWhere(where: Where): string {
  const ast = whereToFilterAst(where);
  return ast === undefined ? "" : renderFilter(ast);
}

function toAst(node: WhereNode, depth: number, counter: { conditions: number }): FilterAst {
  if (typeof node !== "object" || node === null || Array.isArray(node)) {
    throw filterInputError("Each condition must be an object { field, op, value } or a group { and: [...] } / { or: [...] }.");
  }
  const record = node as unknown as Record<string, unknown>;
  const isAnd = "and" in record;
  const isOr = "or" in record;
  if (isAnd || isOr) {
    if ((isAnd && isOr) || "field" in record) {
      throw filterInputError("A group has exactly one key, and or or, holding a list of conditions.");
    }
    const kind = isAnd ? "and" : "or";
    const operands = record[kind];
    if (!Array.isArray(operands) || operands.length === 0) {
      throw filterInputError(`An ${kind} group needs a non-empty list of conditions.`);
    }
    if (depth > FILTER_LIMITS.maxGroupDepth) {
      throw filterInputError(`Conditions are nested too deeply (at most ${FILTER_LIMITS.maxGroupDepth} levels of and/or groups).`);
    }
    const children = operands.map((child: WhereNode) => toAst(child, depth + 1, counter));
    if (children.length === 1) return children[0] as FilterAst;
    return { type: kind, conditions: children.flatMap((c) => (c.type === kind ? c.conditions : [c])) };
  }
  counter.conditions += 1;
  if (counter.conditions > FILTER_LIMITS.maxConditions) {
    throw filterInputError(`Too many conditions (at most ${FILTER_LIMITS.maxConditions}).`);
  }
  return makeFilterCondition(record.field, record.op, record.value);
}

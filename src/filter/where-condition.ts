/**
 * Comparison operators accepted by {@link compileWhere}, in the spelling a model or an app writes them.
 *
 * `contains`, `starts_with` and `ends_with` become DreamFactory's `CONTAINS` / `STARTS WITH` / `ENDS WITH`
 * (SQL `LIKE` with `%` added by DreamFactory); `like` / `not_like` take a pattern with `%` and `_` wildcards.
 */
export const WHERE_OPERATORS = [
  "=",
  "!=",
  ">",
  ">=",
  "<",
  "<=",
  "like",
  "not_like",
  "contains",
  "starts_with",
  "ends_with",
  "in",
  "not_in",
  "is_null",
  "is_not_null",
] as const;

/** A comparison operator of a `where` condition: `= != > >= < <= like not_like contains starts_with ends_with in not_in is_null is_not_null`. */
export type WhereOperator = (typeof WHERE_OPERATORS)[number];

/** A value a condition compares with: text, a finite number or a boolean. */
export type WhereScalar = string | number | boolean;

/**
 * One typed condition on a column.
 *
 * @example
 * ```ts
 * const open: WhereCondition = { field: "status", op: "=", value: "open" };
 * const big: WhereCondition = { field: "total", op: ">=", value: 1000 };
 * const some: WhereCondition = { field: "id", op: "in", value: [1, 2, 3] };
 * const noEmail: WhereCondition = { field: "email", op: "is_null" };
 * ```
 */
export interface WhereCondition {
  /** Column name: ASCII letters, digits and `_`, not starting with a digit. */
  field: string;
  /** Comparison operator. */
  op: WhereOperator;
  /**
   * The value: a scalar for comparisons, a non-empty list for `in` / `not_in`, nothing for `is_null` /
   * `is_not_null`.
   */
  value?: WhereScalar | WhereScalar[] | null;
}

/**
 * A group of conditions joined by AND or by OR; groups nest (up to a bounded depth).
 *
 * @example
 * ```ts
 * const where: WhereGroup = { or: [{ field: "status", op: "=", value: "open" }, { and: [
 *   { field: "status", op: "=", value: "shipped" }, { field: "total", op: ">", value: 500 }] }] };
 * ```
 */
export type WhereGroup = { and: WhereNode[] } | { or: WhereNode[] };

/** A condition or a group. */
export type WhereNode = WhereCondition | WhereGroup;

/** What {@link compileWhere} accepts: a list of nodes (joined by AND) or one node. */
export type Where = WhereNode[] | WhereNode;

import type { WhereOperator, WhereScalar } from "./where-condition.js";

/**
 * One comparison in a parsed or compiled filter.
 *
 * Normal form: `value` is absent for `is_null` / `is_not_null`, a non-empty array for `in` / `not_in`,
 * a string for `like`, `not_like`, `contains`, `starts_with`, `ends_with`, and a scalar otherwise.
 */
export interface FilterCondition {
  type: "condition";
  field: string;
  op: WhereOperator;
  value?: WhereScalar | WhereScalar[];
}

/** Two or more operands joined by AND or OR. Never directly holds a group of its own type (flattened). */
export interface FilterGroup {
  type: "and" | "or";
  conditions: FilterAst[];
}

/**
 * A filter as a tree: what {@link parseFilter} returns and what {@link compileWhere} renders.
 * Two filters with deep-equal trees mean the same thing to DreamFactory.
 */
export type FilterAst = FilterCondition | FilterGroup;

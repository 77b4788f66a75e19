/** SQL comparison a parsed DreamFactory filter condition maps to. */
export type ComparisonOperator =
  | "="
  | "!="
  | ">"
  | ">="
  | "<"
  | "<="
  | "LIKE"
  | "NOT LIKE"
  | "IN"
  | "NOT IN"
  | "IS NULL"
  | "IS NOT NULL";

/**
 * One condition, e.g. `total >= 100`. Values are the text after DreamFactory's processing (quotes stripped;
 * `%` added for CONTAINS / STARTS WITH / ENDS WITH); they are cast to the column type when compiled or
 * evaluated against a table.
 */
export interface ComparisonNode {
  kind: "comparison";
  /** The field as written (resolved case-insensitively against the table later). */
  field: string;
  operator: ComparisonOperator;
  /** The operator as written, upper-cased (e.g. "CONTAINS", "GTE", "NOT LIKE"), for messages. */
  written: string;
  /** Value of single-value operators; null for IN lists and IS [NOT] NULL. */
  value: string | null;
  /** Items of IN / NOT IN; null otherwise. */
  values: string[] | null;
}

/** Conditions joined by AND (or OR); at least two operands. */
export interface LogicalNode {
  kind: "and" | "or";
  operands: FilterNode[];
}

/** A leading `NOT (…)`. */
export interface NotNode {
  kind: "not";
  operand: FilterNode;
}

/** A parsed DreamFactory filter (the sandbox's AST). */
export type FilterNode = ComparisonNode | LogicalNode | NotNode;

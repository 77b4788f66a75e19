/**
 * Messages of the sandbox's filter parser. The first group is DreamFactory's own wording (reference §3.1);
 * the second is what the sandbox answers (400) where DreamFactory would silently misread a filter or fail
 * with a 500 — see the list at the top of parse-filter.ts. Messages never repeat filter values (after lookup
 * substitution a value could hold a secret); like DreamFactory, they may repeat a field as written.
 */
export const FILTER_MESSAGES = {
  unparsable: "Invalid or unparsable filter request.",
  listParentheses: "Filter value lists must be wrapped in parentheses.",
  logicalInValue:
    "Invalid filter: AND/OR (or &&/||) inside a condition. Wrap every condition in parentheses and join them " +
    "exactly as '(a = 1) AND (b = 2)'; DreamFactory would read the rest of the text as the value.",
  notPosition:
    "Invalid filter: NOT is only recognised at the very start of a filter, as 'NOT (...)'. Inside parentheses " +
    "or after AND/OR DreamFactory misreads it; use !=, NOT LIKE, NOT IN or IS NOT NULL instead.",
  quotedLikeShorthand:
    "Invalid filter: CONTAINS, STARTS WITH and ENDS WITH take an unquoted value; DreamFactory would keep the " +
    "quotes inside the LIKE pattern. Write 'name CONTAINS abc' or use LIKE with a quoted pattern.",
  rawExpression:
    "Invalid filter: a value wrapped in parentheses is inserted into SQL unbound by DreamFactory; the sandbox " +
    "refuses it. Quote the value instead.",
  unbalancedQuotes:
    "Invalid filter: a value that begins or ends with a quote must be wrapped in matching quotes (and items of " +
    "an IN list cannot contain commas).",
  unbalancedParentheses: "Invalid filter: unbalanced parentheses.",
  norXor: "Invalid filter: NOR and XOR are not supported (DreamFactory passes them to SQL verbatim).",
  allOperator: "Invalid filter: the ALL operator is not supported (DreamFactory generates invalid SQL for it).",
  negatedOperator:
    "Invalid filter: NOT before an operator is only supported for LIKE, CONTAINS, STARTS WITH, ENDS WITH and IN.",
  textAfterNull: "Invalid filter: unexpected text after IS NULL / IS NOT NULL.",
  likeTrailingEscape: "Invalid filter: a LIKE pattern must not end with a backslash (the escape character).",
} as const;

/** DreamFactory's message for a left side that is not a column of the table. */
export function unknownFieldMessage(field: string): string {
  return `Invalid or unparsable field in filter request: '${field}'`;
}

/** DreamFactory's unknown-field message, plus why: the text before the operator holds another operator. */
export function operatorInValueMessage(field: string): string {
  return (
    `${unknownFieldMessage(field)}. The text before the operator contains another operator, a quote or a ` +
    "parenthesis: DreamFactory splits a condition at the first operator of its list (=, <, > before LIKE or " +
    "IN), so a value containing '=', '<', '>' or an operator word is misread. Use LIKE with '_' or '%' for " +
    "those characters."
  );
}

/** LIKE / CONTAINS / STARTS WITH / ENDS WITH used on a column that is not text. */
export function likeOnNonTextMessage(column: string): string {
  return `Invalid filter: field '${column}' is not a text column; LIKE, CONTAINS, STARTS WITH and ENDS WITH need one.`;
}

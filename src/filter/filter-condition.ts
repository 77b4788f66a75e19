import type { FilterCondition } from "./filter-ast.js";
import { filterInputError } from "./filter-input-error.js";
import { FILTER_LIMITS } from "./filter-limits.js";
import { findOperatorWord } from "./operator-words.js";
import { WHERE_OPERATORS, type WhereOperator, type WhereScalar } from "./where-condition.js";

const FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
const RAW_LOGICAL_WORD = /(^|\s)(and|or)(\s|$)|&&|\|\|/i;
const LOGICAL_SPLIT = /\)\s*(?:and|or|nor|xor|&&|\|\|)\s*\(/i;

/** Operators whose value DreamFactory takes as raw text (it adds `%` before stripping quotes). */
const RAW_VALUE_OPERATORS = new Set<WhereOperator>(["contains", "starts_with", "ends_with"]);
/** Operators DreamFactory finds by a word, so their values must not hold operator words. */
const WORD_OPERATOR_OPS = new Set<WhereOperator>([
  "like", "not_like", "contains", "starts_with", "ends_with", "in", "not_in",
]);

/** How a value travels: inside single quotes, as raw unquoted text, or as one item of an IN list. */
type ValueContext = "quoted" | "raw" | "item";

/**
 * Checks a column name: ASCII identifier only (no dots, quotes, spaces or look-alike letters).
 *
 * @param field - candidate column name
 * @returns the same name
 * @throws DreamFactoryError `invalid_input`
 */
export function checkFieldName(field: unknown): string {
  if (typeof field !== "string" || field.length === 0) {
    throw filterInputError("Each condition needs a column name in `field`.");
  }
  if (/^[A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*$/.test(field)) {
    throw filterInputError(
      `Column "${field}" is not allowed: filters on related tables (dotted names) are not supported; filter on this table's own columns.`,
    );
  }
  if (/^(and|or|not)$/i.test(field)) {
    throw filterInputError(`Column name "${field}" is not allowed in filters: AND, OR and NOT are read as logical operators.`);
  }
  if (field.length > 64 || !FIELD_NAME.test(field)) {
    throw filterInputError(
      "A column name is not allowed: column names contain only letters, digits and _ (as listed by dreamfactory_describe_table).",
    );
  }
  return field;
}

/**
 * Builds a condition in normal form from an operator and a value, refusing anything DreamFactory
 * cannot carry safely or unambiguously (lookups in braces, quotes inside quoted values, operator
 * characters or words inside values, control characters, over-long values, malformed lists).
 *
 * @param field - column name
 * @param op - operator (must be one of {@link WHERE_OPERATORS})
 * @param value - the value as given by the caller
 * @throws DreamFactoryError `invalid_input` with a message written for the model
 */
export function makeFilterCondition(field: unknown, op: unknown, value: unknown): FilterCondition {
  const name = checkFieldName(field);
  if (typeof op !== "string" || !(WHERE_OPERATORS as readonly string[]).includes(op)) {
    throw filterInputError(
      `The operator on ${name} is not supported; use one of: ${WHERE_OPERATORS.join(", ")}.`,
    );
  }
  const operator = op as WhereOperator;
  if (operator === "is_null" || operator === "is_not_null") {
    if (value !== undefined && value !== null) {
      throw filterInputError(`Operator ${operator} on ${name} takes no value; remove "value".`);
    }
    return { type: "condition", field: name, op: operator };
  }
  if (value === undefined || value === null) {
    throw filterInputError(
      `Condition on ${name} with operator ${operator} needs a value (to test for missing values use is_null).`,
    );
  }
  if (operator === "in" || operator === "not_in") {
    const items = Array.isArray(value) ? value : [value];
    if (items.length === 0) throw filterInputError(`The ${operator} list for ${name} is empty; give at least one value.`);
    if (items.length > FILTER_LIMITS.maxListItems) {
      throw filterInputError(
        `The ${operator} list for ${name} has ${items.length} values; at most ${FILTER_LIMITS.maxListItems} are allowed.`,
      );
    }
    return {
      type: "condition",
      field: name,
      op: operator,
      value: items.map((item) => checkScalar(name, operator, item, "item")),
    };
  }
  if (Array.isArray(value)) {
    throw filterInputError(`Operator ${operator} on ${name} takes one value, not a list (use in for lists).`);
  }
  if (operator === "like" || operator === "not_like" || RAW_VALUE_OPERATORS.has(operator)) {
    if (typeof value === "boolean") {
      throw filterInputError(`Operator ${operator} on ${name} needs a text value, not a boolean.`);
    }
    const text = typeof value === "number" ? String(checkScalar(name, operator, value, "quoted")) : value;
    const context: ValueContext = RAW_VALUE_OPERATORS.has(operator) ? "raw" : "quoted";
    return { type: "condition", field: name, op: operator, value: checkScalar(name, operator, text, context) };
  }
  return { type: "condition", field: name, op: operator, value: checkScalar(name, operator, value, "quoted") };
}

function checkScalar(field: string, op: WhereOperator, value: unknown, context: ValueContext): WhereScalar {
  if (typeof value === "boolean") return value;
  if (typeof value === "number") {
    if (!Number.isFinite(value) || /e/i.test(String(value))) {
      throw filterInputError(`The number for ${field} must be finite and written without an exponent.`);
    }
    return Object.is(value, -0) ? 0 : value;
  }
  if (typeof value !== "string") {
    throw filterInputError(`Values for ${field} must be text, numbers or booleans.`);
  }
  const where = `The value for ${field}`;
  if (value.length > FILTER_LIMITS.maxValueLength) {
    throw filterInputError(`${where} is too long (${value.length} characters; at most ${FILTER_LIMITS.maxValueLength}).`);
  }
  if (CONTROL.test(value)) throw filterInputError(`${where} contains control characters (e.g. line breaks); remove them.`);
  if (value.includes("{") || value.includes("}")) {
    throw filterInputError(
      `${where} contains a curly brace; braces are not allowed in filters because DreamFactory replaces {…} lookups on the server. Remove the braces.`,
    );
  }
  if (LOGICAL_SPLIT.test(value)) {
    throw filterInputError(`${where} contains a ") AND (" style sequence that DreamFactory would split on; shorten the value.`);
  }
  if (/[=<>]/.test(value)) {
    throw filterInputError(
      `${where} contains =, < or >, which DreamFactory would read as a comparison operator; search for a part of the value without them (e.g. with contains).`,
    );
  }
  if (context !== "raw" && value.includes("'")) {
    throw filterInputError(
      `${where} contains a single quote, which DreamFactory cannot escape; search for a part of the value without it using contains.`,
    );
  }
  if (WORD_OPERATOR_OPS.has(op)) {
    const word = findOperatorWord(value);
    if (word !== undefined) {
      throw filterInputError(
        `${where} contains the word "${word.toLowerCase()}", which DreamFactory would read as an operator; search for a shorter part of the value.`,
      );
    }
  }
  if (context === "item" && /[,()]/.test(value)) {
    throw filterInputError(`Items of the ${op} list for ${field} cannot contain commas or parentheses.`);
  }
  if (context === "raw") {
    if (value.length === 0) throw filterInputError(`${where} is empty; ${op} needs some text to search for.`);
    if (value.trim() !== value) throw filterInputError(`${where} cannot start or end with spaces for ${op}.`);
    if (/[()]/.test(value)) throw filterInputError(`${where} cannot contain parentheses for ${op}; search for a part without them.`);
    if (RAW_LOGICAL_WORD.test(value)) {
      throw filterInputError(
        `${where} contains AND, OR, && or ||, which would read as joining conditions; use separate conditions or a shorter part of the value.`,
      );
    }
    if (/^['"]|['"]$/.test(value)) {
      throw filterInputError(
        `${where} starts or ends with a quote; write ${op} values without quotes (DreamFactory would search for the quote characters too).`,
      );
    }
  }
  return value;
}

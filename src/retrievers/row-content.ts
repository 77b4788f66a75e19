import { assertFieldName } from "./field-name.js";

/** A row as DreamFactory returns it. */
export type Row = Record<string, unknown>;

/**
 * How a row becomes document text: a function of the row, or a list of columns whose values are joined
 * (one per line, empty values skipped).
 */
export type RowContent = ((row: Row) => string) | readonly string[];

/**
 * Checks a {@link RowContent} option at construction: a function, or a non-empty list of plain column names.
 *
 * @param value - the option value
 * @param option - option name for the `TypeError`
 */
export function assertRowContent(value: unknown, option: string): asserts value is RowContent {
  if (typeof value === "function") return;
  if (!Array.isArray(value) || value.length === 0) {
    throw new TypeError(`${option} must be a function (row) => string or a non-empty list of column names`);
  }
  value.forEach((field, i) => assertFieldName(field, `${option}[${i}]`));
}

/**
 * The columns a {@link RowContent} reads, or `undefined` for a function (which may read any column).
 *
 * @param content - the option value
 */
export function rowContentFields(content: RowContent): readonly string[] | undefined {
  return typeof content === "function" ? undefined : content;
}

/**
 * Renders a row's text. Column values that are objects are written as JSON; null/undefined/"" are skipped.
 * A function's result must be a string (anything else becomes "").
 *
 * @param content - function or column list
 * @param row - the row
 */
export function renderRowContent(content: RowContent, row: Row): string {
  if (typeof content === "function") {
    const text = content(row);
    return typeof text === "string" ? text : "";
  }
  const parts: string[] = [];
  for (const field of content) {
    const value = row[field];
    if (value === null || value === undefined || value === "") continue;
    parts.push(typeof value === "object" ? JSON.stringify(value) : String(value));
  }
  return parts.join("\n");
}

import { parseFilter } from "./parse-filter.js";
import { renderFilter } from "./render-filter.js";

/**
 * Checks a raw DreamFactory filter (e.g. written by a model) with the package's strict parser and returns it in this
 * package's normal form (every AND/OR operand parenthesised, values quoted the safe way).
 *
 * @param text - the raw filter
 * @returns the normalised filter string, e.g. `"(status = 'open') AND (total > 100)"` for
 *   `"(status=open) and (total>100)"`
 * @throws DreamFactoryError `invalid_input` (message written for the model) when the filter is ambiguous or unsafe
 */
export function validateFilter(text: string): string {
  return renderFilter(parseFilter(text));
}

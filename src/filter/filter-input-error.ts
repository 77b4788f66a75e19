import { DreamFactoryError } from "../errors/index.js";

/** Hint appended to filter errors so a model can correct itself. */
export const FILTER_SYNTAX_HINT =
  "Write each condition in parentheses joined by AND or OR, e.g. (status = 'open') AND (total > 100).";

/**
 * A `DreamFactoryError` with code `invalid_input` for a filter, field or value this package refuses to send.
 * The message is written for the model and never echoes more than the offending (already checked) fragment.
 *
 * @param message - what is wrong and how to fix it
 */
export function filterInputError(message: string): DreamFactoryError {
  return new DreamFactoryError("invalid_input", message);
}

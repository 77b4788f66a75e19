/** Bounds on what a filter may hold. Values beyond them are refused with `invalid_input`. */
export const FILTER_LIMITS = {
  /** Longest text value (characters). */
  maxValueLength: 500,
  /** Most items in one `in` / `not_in` list. */
  maxListItems: 100,
  /** Deepest nesting of AND/OR groups (a flat list of conditions has depth 1). */
  maxGroupDepth: 4,
  /** Most comparisons in one filter. */
  maxConditions: 50,
  /** Longest filter string, raw or compiled (characters). */
  maxFilterLength: 4000,
} as const;

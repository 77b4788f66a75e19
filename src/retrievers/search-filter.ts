import type { SearchTerm } from "./search-terms.js";

/** Options of {@link buildSearchFilter}. */
export interface SearchFilterOptions {
  /**
   * Also search the spelling as typed, Capitalised and UPPER-case forms of each term, for databases whose
   * `LIKE` is case-sensitive (PostgreSQL, SQLite for non-ASCII). Set false for case-insensitive collations.
   * @default true
   */
  caseVariants?: boolean;
  /** Most `(field CONTAINS value)` comparisons in the filter; later terms are dropped to fit (the first term is always kept). @default 64 */
  maxClauses?: number;
}

/** The values searched for one term, deduplicated, lower-case first. */
export function termVariants(term: SearchTerm, caseVariants: boolean): string[] {
  if (!caseVariants) return [term.term];
  const first = Array.from(term.term);
  const capitalised = (first[0] ?? "").toUpperCase() + first.slice(1).join("");
  return [...new Set([term.term, term.original, capitalised, term.term.toUpperCase()])];
}

/**
 * A DreamFactory filter that matches rows where any search field contains any term:
 * `(title CONTAINS refund) OR (body CONTAINS refund) OR …` — every comparison parenthesised (DreamFactory only
 * recognises `OR` between parenthesised operands), values unquoted (DreamFactory wraps CONTAINS values with `%`
 * before stripping quotes, so quotes would be searched for literally).
 *
 * Terms must come from `extractSearchTerms` (letters, marks and digits only) and fields must be plain identifiers;
 * both are re-checked here and anything else is refused with a `TypeError`.
 * Returns `undefined` when there is no term.
 *
 * @param fields - columns to search
 * @param terms - search terms
 * @param options - case variants and clause bound
 */
export function buildSearchFilter(
  fields: readonly string[],
  terms: readonly SearchTerm[],
  options: SearchFilterOptions = {},
): string | undefined {
  const caseVariants = options.caseVariants ?? true;
  const maxClauses = options.maxClauses ?? 64;
  const clauses: string[] = [];
  for (const term of terms) {
    const values = termVariants(term, caseVariants);
    for (const value of values) {
      if (!/^[\p{L}\p{M}\p{N}]+$/u.test(value)) throw new TypeError("search term holds characters a filter cannot carry");
    }
    const forTerm = fields.flatMap((field) => {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(field)) throw new TypeError("search field is not a plain column name");
      return values.map((value) => `(${field} CONTAINS ${value})`);
    });
    if (clauses.length > 0 && clauses.length + forTerm.length > maxClauses) break;
    clauses.push(...forTerm);
  }
  return clauses.length === 0 ? undefined : clauses.join(" OR ");
}

/**
 * Joins DreamFactory filters with AND, each operand wrapped in parentheses: `(a) AND (b)`.
 * Empty or missing operands are skipped; a single operand is returned as it is.
 *
 * @param filters - filter strings (undefined/empty ignored)
 */
export function andFilters(...filters: Array<string | undefined>): string | undefined {
  const present = filters.filter((f): f is string => typeof f === "string" && f.trim() !== "");
  if (present.length <= 1) return present[0];
  return present.map((f) => `(${f})`).join(" AND ");
}

/**
 * Turning a free-text query into search terms that can travel safely inside a DreamFactory filter.
 *
 * A term is a run of Unicode letters, combining marks and digits. Everything else (spaces, quotes, braces,
 * parentheses, commas, `=<>!`, `%`, `_`, `:`…) separates terms, so no term can carry a DreamFactory lookup
 * (`{session.token}`), close a parenthesised operand, start an IN list, or act as a LIKE wildcard.
 */
import { findOperatorWord } from "../filter/operator-words.js";

/** English stop words dropped from queries: too common to narrow a search. */
export const STOP_WORDS: ReadonlySet<string> = new Set(
  (
    "a about above after again against all am an and any are as at be because been before being below between both " +
    "but by can could did do does doing down during each few for from further had has have having he her here hers " +
    "herself him himself his how i if in into is it its itself just me more most my myself no nor not now of off on " +
    "once only or other our ours ourselves out over own same she should so some such than that the their theirs them " +
    "themselves then there these they this those through to too under until up very was we were what when where " +
    "which while who whom why will with would you your yours yourself yourselves please tell show find give get " +
    "want need know let lets"
  ).split(" "),
);

/** Options of {@link extractSearchTerms}. */
export interface SearchTermOptions {
  /** Most terms kept (the first distinct ones in query order). @default 8 */
  maxTerms?: number;
  /** Shortest term kept, in characters; digits-only terms are kept at any length. @default 2 */
  minLength?: number;
  /** Longest term kept, in characters; longer runs are dropped, not cut. @default 40 */
  maxLength?: number;
}

/** One search term: its lower-cased form (for ranking) and the spelling the user typed (for case variants). */
export interface SearchTerm {
  /** Lower-cased, NFKC-normalised. */
  term: string;
  /** As typed, NFKC-normalised (same letters as `term`). */
  original: string;
}

const TOKEN = /[\p{L}\p{M}\p{N}]+/gu;
const DIGITS = /^\p{N}+$/u;

/**
 * Splits text into lower-cased tokens (runs of letters, marks and digits), without dropping anything.
 * Used for ranking; {@link extractSearchTerms} builds on it.
 *
 * @param text - any text
 */
export function tokenize(text: string): string[] {
  return Array.from(text.normalize("NFKC").toLowerCase().matchAll(TOKEN), (m) => m[0]);
}

/**
 * The search terms of a query: tokenised, lower-cased, stop words, DreamFactory operator words (`ne`, `in`,
 * `like`, …) and too short/long tokens dropped,
 * duplicates removed, at most `maxTerms`. Returns `[]` when nothing usable is left.
 *
 * @param query - the user's (or model's) free-text query
 * @param options - bounds
 */
export function extractSearchTerms(query: string, options: SearchTermOptions = {}): SearchTerm[] {
  const maxTerms = options.maxTerms ?? 8;
  const minLength = options.minLength ?? 2;
  const maxLength = options.maxLength ?? 40;
  const seen = new Set<string>();
  const out: SearchTerm[] = [];
  for (const m of query.normalize("NFKC").matchAll(TOKEN)) {
    if (out.length >= maxTerms) break;
    const original = m[0];
    const term = original.toLowerCase();
    const length = Array.from(term).length;
    if (length > maxLength) continue;
    if (length < minLength && !DIGITS.test(term)) continue;
    if (STOP_WORDS.has(term) || seen.has(term)) continue;
    // "ne", "in", "like", "gt"… would be read by DreamFactory as an operator inside the filter.
    if (findOperatorWord(term) !== undefined) continue;
    seen.add(term);
    out.push({ term, original });
  }
  return out;
}

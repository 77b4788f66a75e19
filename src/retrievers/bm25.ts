import { tokenize } from "./search-terms.js";

/** BM25 parameters. */
export interface Bm25Options {
  /** Term-frequency saturation. @default 1.2 */
  k1?: number;
  /** Length normalisation (0 = none, 1 = full). @default 0.75 */
  b?: number;
}

/** One ranked text: its index in the input and its BM25 score. */
export interface Bm25Hit {
  index: number;
  score: number;
}

/**
 * Ranks texts against query terms with Okapi BM25, the statistics (document frequency, average length) taken
 * from the texts themselves — here, the candidate rows DreamFactory returned for this user.
 *
 * A text token matches a term when it starts with it (`refund` matches `refunds`), in line with the server-side
 * `CONTAINS` search that selected the candidates. IDF is the non-negative variant `ln(1 + (N − df + 0.5)/(df + 0.5))`.
 * The result holds every text, best first; equal scores keep input order.
 *
 * @param terms - lower-cased query terms
 * @param texts - candidate texts
 * @param options - k1 and b
 * @example
 * ```ts
 * rankBm25(["refund"], ["refunds within 30 days", "shipping times"]); // [{ index: 0, score: … }, { index: 1, score: 0 }]
 * ```
 */
export function rankBm25(terms: readonly string[], texts: readonly string[], options: Bm25Options = {}): Bm25Hit[] {
  const k1 = options.k1 ?? 1.2;
  const b = options.b ?? 0.75;
  const uniqueTerms = [...new Set(terms.map((t) => t.toLowerCase()))];
  const docs = texts.map((text) => tokenize(text));
  const n = docs.length;
  const avgLength = n === 0 ? 0 : docs.reduce((sum, d) => sum + d.length, 0) / n;

  // term frequencies per document
  const tf = docs.map((tokens) => {
    const counts = new Map<string, number>();
    for (const token of tokens) {
      for (const term of uniqueTerms) {
        if (token.startsWith(term)) counts.set(term, (counts.get(term) ?? 0) + 1);
      }
    }
    return counts;
  });
  const idf = new Map<string, number>();
  for (const term of uniqueTerms) {
    const df = tf.reduce((count, counts) => count + (counts.has(term) ? 1 : 0), 0);
    idf.set(term, Math.log(1 + (n - df + 0.5) / (df + 0.5)));
  }

  const hits = docs.map((tokens, index) => {
    const counts = tf[index] ?? new Map<string, number>();
    const norm = avgLength === 0 ? 1 : 1 - b + (b * tokens.length) / avgLength;
    let score = 0;
    for (const [term, f] of counts) {
      score += (idf.get(term) ?? 0) * ((f * (k1 + 1)) / (f + k1 * norm));
    }
    return { index, score };
  });
  return hits.sort((x, y) => y.score - x.score || x.index - y.index);
}

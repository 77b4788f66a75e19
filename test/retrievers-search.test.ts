import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { extractSearchTerms, tokenize, STOP_WORDS } from "../src/retrievers/search-terms.js";
import { andFilters, buildSearchFilter, termVariants } from "../src/retrievers/search-filter.js";
import { buildIdInFilter, idFilterValue } from "../src/retrievers/id-filter.js";
import { rankBm25 } from "../src/retrievers/bm25.js";
import { parseFilter } from "../src/filter/index.js";

/**
 * DreamFactory's filter-string parser (df-sqldb Table::parseFilterString, reference §3.1), reduced to what
 * decides the meaning of a search filter: split at the first `) AND (`, then `) OR (`, recurse; a leaf has its
 * outer parentheses trimmed and is matched against the comparison operators in DreamFactory's order.
 */
const OPERATORS = [">=", "<=", "!=", "=", "<>", ">", "<", " GTE ", " LTE ", " NE ", " EQ ", " GT ", " LT ", "NOT IN", " IN ", " ALL ", " LIKE ", "STARTS WITH", "ENDS WITH", " CONTAINS ", "IS NULL", "IS NOT NULL"];
interface Leaf { field: string; op: string; value: string }
/** PHP's stripos folds ASCII letters only, so positions never shift (JS toUpperCase turns "ẖ" into two characters). */
const asciiUpper = (text: string): string => text.replace(/[a-z]/g, (c) => c.toUpperCase());
function dfLeaves(filter: string, out: Leaf[] = [], ops: string[] = []): { leaves: Leaf[]; ops: string[] } {
  for (const logical of ["AND", "OR"]) {
    const padded = `) ${logical} (`;
    const pos = asciiUpper(filter).indexOf(padded);
    if (pos >= 0) {
      ops.push(logical);
      dfLeaves(filter.slice(0, pos).trim(), out, ops);
      dfLeaves(filter.slice(pos + padded.length).trim(), out, ops);
      return { leaves: out, ops };
    }
  }
  const pure = filter.replace(/^[()]+|[()]+$/g, "");
  for (const op of OPERATORS) {
    const pos = asciiUpper(pure).indexOf(op);
    if (pos >= 0) {
      out.push({ field: pure.slice(0, pos).trim(), op: op.trim(), value: pure.slice(pos + op.length).trim() });
      return { leaves: out, ops };
    }
  }
  throw new Error(`unparsable: ${filter}`);
}

const UNSAFE = /['"{}(),=<>%_!:;\\\s[\]|&*?^$@#`~+/]/u;

describe("extractSearchTerms", () => {
  it("lower-cases, drops stop words and duplicates, keeps query order", () => {
    expect(extractSearchTerms("What is the Refund POLICY for refund requests?").map((t) => t.term)).toEqual([
      "refund",
      "policy",
      "requests",
    ]);
  });

  it("keeps the typed spelling next to the lower-cased term", () => {
    expect(extractSearchTerms("iPhone VPN")).toEqual([
      { term: "iphone", original: "iPhone" },
      { term: "vpn", original: "VPN" },
    ]);
  });

  it("splits at characters a filter cannot carry, so lookups and operators never survive", () => {
    const terms = extractSearchTerms("{session.token} a=1) OR (b 'quoted' 50%_sale x,y").map((t) => t.term);
    expect(terms).toEqual(["session", "token", "1", "quoted", "50", "sale"]);
  });

  it("bounds the number and length of terms; keeps short numbers", () => {
    expect(extractSearchTerms("alpha beta gamma delta", { maxTerms: 2 }).map((t) => t.term)).toEqual(["alpha", "beta"]);
    expect(extractSearchTerms(`${"x".repeat(41)} ok`).map((t) => t.term)).toEqual(["ok"]);
    expect(extractSearchTerms("q 7 z9").map((t) => t.term)).toEqual(["7", "z9"]);
  });

  it("drops words DreamFactory would read as operators (ne, in, like, gt, contains…)", () => {
    expect(extractSearchTerms("ne refund like GT contains gte invoice eq lt lte all").map((t) => t.term)).toEqual(["refund", "invoice"]);
  });

  it("keeps letters of any script", () => {
    expect(extractSearchTerms("Überweisung café 東京").map((t) => t.term)).toEqual(["überweisung", "café", "東京"]);
  });

  it("returns nothing for a query of stop words and punctuation", () => {
    expect(extractSearchTerms("what is it? -- (the) {}")).toEqual([]);
    expect(STOP_WORDS.has("the")).toBe(true);
  });

  it("property: every term is letters/marks/digits only, lower-case, bounded, unique", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 200 }), fc.integer({ min: 1, max: 12 }), (query, maxTerms) => {
        const terms = extractSearchTerms(query, { maxTerms });
        expect(terms.length).toBeLessThanOrEqual(maxTerms);
        expect(new Set(terms.map((t) => t.term)).size).toBe(terms.length);
        for (const { term, original } of terms) {
          expect(term).toMatch(/^[\p{L}\p{M}\p{N}]+$/u);
          expect(original).toMatch(/^[\p{L}\p{M}\p{N}]+$/u);
          expect(term).not.toMatch(UNSAFE);
          expect(term).toBe(original.toLowerCase());
        }
      }),
      { numRuns: 500 },
    );
  });

  it("tokenize lower-cases and splits on non-word characters", () => {
    expect(tokenize("Refunds: 30-day window!")).toEqual(["refunds", "30", "day", "window"]);
  });
});

describe("buildSearchFilter", () => {
  it("ORs parenthesised, unquoted CONTAINS comparisons across fields and terms", () => {
    const terms = extractSearchTerms("refund policy");
    expect(buildSearchFilter(["title", "body"], terms, { caseVariants: false })).toBe(
      "(title CONTAINS refund) OR (body CONTAINS refund) OR (title CONTAINS policy) OR (body CONTAINS policy)",
    );
  });

  it("adds the typed, Capitalised and UPPER spellings for case-sensitive LIKE", () => {
    expect(termVariants({ term: "iphone", original: "iPhone" }, true)).toEqual(["iphone", "iPhone", "Iphone", "IPHONE"]);
    expect(termVariants({ term: "42", original: "42" }, true)).toEqual(["42"]);
    expect(buildSearchFilter(["title"], extractSearchTerms("Refund"))).toBe(
      "(title CONTAINS refund) OR (title CONTAINS Refund) OR (title CONTAINS REFUND)",
    );
  });

  it("stays within maxClauses by dropping later terms, but always keeps the first term", () => {
    const terms = extractSearchTerms("one two three four");
    const filter = buildSearchFilter(["a", "b"], terms, { caseVariants: false, maxClauses: 5 });
    expect(filter).toBe("(a CONTAINS one) OR (b CONTAINS one) OR (a CONTAINS two) OR (b CONTAINS two)");
    expect(buildSearchFilter(["a", "b", "c"], terms, { caseVariants: false, maxClauses: 1 })).toBe(
      "(a CONTAINS one) OR (b CONTAINS one) OR (c CONTAINS one)",
    );
  });

  it("returns undefined without terms and refuses unsafe fields or terms", () => {
    expect(buildSearchFilter(["title"], [])).toBeUndefined();
    expect(() => buildSearchFilter(["ti tle"], extractSearchTerms("x1"))).toThrow(TypeError);
    expect(() => buildSearchFilter(["title"], [{ term: "{session.token}", original: "{session.token}" }])).toThrow(TypeError);
    expect(() => buildSearchFilter(["title"], [{ term: "a%", original: "a%" }])).toThrow(TypeError);
  });

  it("property: DreamFactory's parser reads exactly (field CONTAINS term) leaves joined by OR, AND only to the app filter", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 120 }), fc.boolean(), (query, variants) => {
        const terms = extractSearchTerms(query);
        const search = buildSearchFilter(["title", "body"], terms, { caseVariants: variants });
        if (search === undefined) {
          expect(terms).toEqual([]);
          return;
        }
        const full = andFilters(search, "team = sales");
        const { leaves, ops } = dfLeaves(full ?? "");
        expect(ops.filter((o) => o === "AND")).toHaveLength(1);
        const last = leaves.pop();
        expect(last).toEqual({ field: "team", op: "=", value: "sales" });
        for (const leaf of leaves) {
          expect(["title", "body"]).toContain(leaf.field);
          expect(leaf.op).toBe("CONTAINS");
          expect(leaf.value).toMatch(/^[\p{L}\p{M}\p{N}]+$/u);
          // A leaf is one spelling (as typed, Capitalised, UPPER) of a term; compare upper-cased, since lower-casing is
          // context-dependent in Unicode (Σ becomes σ or final ς depending on what follows).
          expect(terms.map((t) => t.term.toUpperCase())).toContain(leaf.value.toUpperCase());
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe("cross-check with the package's strict filter parser (src/filter)", () => {
  it("property: search and id filters are accepted and read as intended", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 80 }), fc.array(fc.integer({ min: 1, max: 99999 }), { minLength: 1, maxLength: 20 }), (query, idList) => {
        const search = buildSearchFilter(["title", "body"], extractSearchTerms(query));
        if (search !== undefined) {
          const ast = parseFilter(andFilters(search, "is_internal = false") ?? "") as { type: string; conditions: Array<{ type: string; op?: string; conditions?: Array<{ op: string }> }> };
          expect(ast.type).toBe("and");
          const first = ast.conditions[0]!;
          const leaves = first.type === "or" ? first.conditions ?? [] : [first];
          for (const leaf of leaves) expect(leaf.op).toBe("contains");
        }
        const ids = [...new Set(idList.map(String))];
        expect(parseFilter(buildIdInFilter("id", ids) ?? "")).toMatchObject({ type: "condition", field: "id", op: "in", value: ids.map(Number) });
      }),
      { numRuns: 300 },
    );
  });
});

describe("andFilters", () => {
  it("parenthesises every operand and skips empty ones", () => {
    expect(andFilters("(a CONTAINS x) OR (b CONTAINS x)", "status = published")).toBe(
      "((a CONTAINS x) OR (b CONTAINS x)) AND (status = published)",
    );
    expect(andFilters("a = 1", undefined, "  ")).toBe("a = 1");
    expect(andFilters(undefined)).toBeUndefined();
  });

  it("keeps an app filter with OR at its top level correctly grouped", () => {
    const { leaves, ops } = dfLeaves(andFilters("(t CONTAINS x)", "(a = 1) OR (b = 2)") ?? "");
    expect(ops).toEqual(["AND", "OR"]);
    expect(leaves.map((l) => l.field)).toEqual(["t", "a", "b"]);
  });
});

describe("id filter", () => {
  it("carries integers, UUIDs and slugs; refuses anything else", () => {
    expect(idFilterValue(7)).toBe("7");
    expect(idFilterValue("7")).toBe("7");
    expect(idFilterValue("3f2b8c1e-0000-4000-8000-000000000001")).toBe("3f2b8c1e-0000-4000-8000-000000000001");
    expect(idFilterValue(10n)).toBe("10");
    expect(idFilterValue(0.5)).toBe("0.5");
    // Numbers whose text a filter cannot carry are dropped here, never thrown on when the IN list is built.
    for (const bad of ["a,b", "1)", "(1", "{user.id}", "'1'", "a b", "", ":p", NaN, Infinity, null, undefined, {}, "x=1", -5, 1e21, -3n]) {
      expect(idFilterValue(bad)).toBeUndefined();
    }
  });

  it("builds a parenthesised IN list that DreamFactory's parser reads as one IN comparison", () => {
    const filter = buildIdInFilter("id", ["1", "2", "30"]);
    expect(filter).toBe("(id IN (1,2,30))");
    const { leaves } = dfLeaves(andFilters(filter, "status = published") ?? "");
    expect(leaves[0]).toEqual({ field: "id", op: "IN", value: "(1,2,30" });
    expect(buildIdInFilter("id", [])).toBeUndefined();
    expect(() => buildIdInFilter("id", ["1,2"])).toThrow(TypeError);
    expect(() => buildIdInFilter("i d", ["1"])).toThrow(TypeError);
  });
});

describe("rankBm25", () => {
  it("puts the text that matches more and rarer terms first", () => {
    const texts = ["shipping times and carriers", "refund policy: refunds within 30 days", "policy on remote work"];
    const hits = rankBm25(["refund", "policy"], texts);
    expect(hits.map((h) => h.index)).toEqual([1, 2, 0]);
    expect(hits[2]?.score).toBe(0);
  });

  it("matches token prefixes, like the server-side CONTAINS that selected the candidates", () => {
    const hits = rankBm25(["refund"], ["Refunds are issued", "nothing here"]);
    expect(hits[0]).toMatchObject({ index: 0 });
    expect(hits[0]?.score).toBeGreaterThan(0);
  });

  it("weights a rare term above a common one and shorter texts above longer ones", () => {
    const texts = ["alpha beta", "alpha gamma", "alpha delta"];
    const [first] = rankBm25(["alpha", "gamma"], texts);
    expect(first?.index).toBe(1);
    const [short] = rankBm25(["alpha"], ["alpha " + "pad ".repeat(30), "alpha pad"]);
    expect(short?.index).toBe(1);
  });

  it("saturates term frequency", () => {
    const [a, b] = rankBm25(["x1"], ["x1 y", "x1 x1 x1 x1 x1 x1 x1 x1 x1 x1"], { b: 0 }).sort((p, q) => p.index - q.index);
    expect(b!.score / a!.score).toBeLessThan(2.2);
    expect(b!.score).toBeGreaterThan(a!.score);
  });

  it("keeps input order on ties and handles empty input", () => {
    expect(rankBm25(["zzz"], ["a", "b", "c"]).map((h) => h.index)).toEqual([0, 1, 2]);
    expect(rankBm25(["a"], [])).toEqual([]);
  });

  it("property: returns every index once, sorted by score, scores non-negative", () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 40 }), { maxLength: 20 }), fc.array(fc.stringMatching(/^[a-z]{1,4}$/), { maxLength: 4 }), (texts, terms) => {
        const hits = rankBm25(terms, texts);
        expect(hits.map((h) => h.index).sort((x, y) => x - y)).toEqual(texts.map((_, i) => i));
        for (let i = 1; i < hits.length; i++) expect(hits[i - 1]!.score).toBeGreaterThanOrEqual(hits[i]!.score);
        for (const h of hits) expect(h.score).toBeGreaterThanOrEqual(0);
      }),
    );
  });
});

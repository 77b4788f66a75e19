/**
 * DreamFactory's SQL filter grammar (reference §3.1, df-sqldb `Table::parseFilterString`), parsed into an AST.
 *
 * What DreamFactory accepts, the sandbox accepts with the same meaning:
 * - logical operators only between parenthesised operands, written exactly `) AND (` / `)AND(` (also `&&`,
 *   `OR`, `||`, case-insensitive); the result follows SQL precedence over the text as written (NOT > AND > OR),
 *   which is what DreamFactory's generated SQL does;
 * - a leading `NOT (…)` / `NOT(…)` at the very start of the filter;
 * - comparison operators tried in DreamFactory's order (first operator of the list found anywhere wins):
 *   `>=`, `<=`, `!=`, `=`, `<>`, `>`, `<`, ` GTE `, ` LTE `, ` NE `, ` EQ `, ` GT `, ` LT `, `NOT IN`, ` IN `,
 *   ` ALL `, ` LIKE `, `STARTS WITH`, `ENDS WITH`, ` CONTAINS `, `IS NULL`, `IS NOT NULL`; a `NOT` word
 *   directly before LIKE / CONTAINS / STARTS WITH / ENDS WITH / IN negates it;
 * - values optionally wrapped in matching `'…'` or `"…"` (stripped); CONTAINS/STARTS WITH/ENDS WITH wrap the
 *   raw value with `%`; IN / NOT IN take a parenthesised comma list; IS [NOT] NULL take no value;
 * - values are cast to the column type when compiled (filter-to-sql.ts) and always bound as parameters.
 *
 * DreamFactory's own 400s, with its exact messages: no operator (also BETWEEN) → "Invalid or unparsable filter
 * request."; unknown field → "Invalid or unparsable field in filter request: '{field}'"; IN without
 * parentheses → "Filter value lists must be wrapped in parentheses."; non-digits for an integer column →
 * "Field '{f}' must be a valid integer.".
 *
 * Where DreamFactory SILENTLY misreads a filter (or produces invalid SQL → 500), the sandbox answers 400 with
 * a clear message instead (messages in filter-messages.ts):
 * 1. AND/OR/&&/|| inside a condition, i.e. not written as `) AND (`: `a=1 AND b=2`, `(a=1) AND b=2`,
 *    `(a=1)  AND (b=2)` (two spaces) — DreamFactory binds the rest of the text as the value.
 * 2. NOT after a logical operator (`(a=1) AND NOT (b=2)`), inside parentheses (`(a=1) AND (NOT (b=2))`,
 *    `((NOT (a=1)))`), or twice (`NOT NOT (a=1)`) — DreamFactory misparses or fails.
 * 3. A quoted value with CONTAINS / STARTS WITH / ENDS WITH (`name CONTAINS 'abc'`) — DreamFactory keeps the
 *    quotes inside the LIKE pattern and matches nothing.
 * 4. A value containing `=`, `<`, `>` or an operator word with LIKE / IN / CONTAINS … (`name LIKE 'a=b%'`) —
 *    DreamFactory splits at the symbol (it too answers 400, for an odd field; the sandbox explains why).
 * 5. A raw parenthesised value (`a = (NOW())`) — DreamFactory inserts it into the SQL unbound.
 * 6. A value that begins or ends with a quote without being wrapped in matching quotes (`'abc`, an IN item
 *    `'a,b'` split at its comma) — DreamFactory binds the quote characters as data.
 * 7. Unbalanced parentheses — DreamFactory generates invalid SQL (500).
 * 8. NOR / XOR — passed to SQL verbatim (invalid in Postgres, 500).
 * 9. The ALL operator — DreamFactory generates invalid SQL (500).
 * 10. NOT before another operator (`a NOT = 1`, `a NOT IS NULL`) — invalid SQL (500).
 * 11. Text after IS NULL / IS NOT NULL (`a IS NULL 5`) — DreamFactory ignores it.
 * 12. LIKE / CONTAINS / STARTS WITH / ENDS WITH on a non-text column, a LIKE pattern ending with `\`, and
 *     values that do not fit a decimal, boolean or date/time column — the database fails (500); the sandbox
 *     answers 400 ("Field 'x' must be a valid number." / "… boolean." / "… date/time.").
 *
 * Not supported: `:name` parameters from `params` (left as text). Lookups such as `{user.id}` are substituted
 * by the HTTP layer before parsing; a leftover `{…}` is plain text.
 */
import { SandboxHttpError } from "../errors.js";
import { FILTER_MESSAGES, operatorInValueMessage } from "./filter-messages.js";
import type { ComparisonNode, ComparisonOperator, FilterNode } from "./filter-node.js";

type Kind = "value" | "list" | "none" | "all";

interface OperatorSpec {
  /** As written in DreamFactory's list. */
  written: string;
  /** Text searched for (words padded with spaces, as `padOperator` does). */
  search: string;
  sql: ComparisonOperator;
  kind: Kind;
  wrap?: "contains" | "starts" | "ends";
}

function spec(written: string, sql: ComparisonOperator, kind: Kind = "value", wrap?: OperatorSpec["wrap"]): OperatorSpec {
  const search = /^[A-Z]+$/.test(written) ? ` ${written} ` : written;
  return { written, search: search.toLowerCase(), sql, kind, ...(wrap ? { wrap } : {}) };
}

/** DreamFactory's parsing order (DbComparisonOperators::getParsingOrder). */
const OPERATORS: readonly OperatorSpec[] = [
  spec(">=", ">="),
  spec("<=", "<="),
  spec("!=", "!="),
  spec("=", "="),
  spec("<>", "!="),
  spec(">", ">"),
  spec("<", "<"),
  spec("GTE", ">="),
  spec("LTE", "<="),
  spec("NE", "!="),
  spec("EQ", "="),
  spec("GT", ">"),
  spec("LT", "<"),
  spec("NOT IN", "NOT IN", "list"),
  spec("IN", "IN", "list"),
  spec("ALL", "IN", "all"),
  spec("LIKE", "LIKE"),
  spec("STARTS WITH", "LIKE", "value", "starts"),
  spec("ENDS WITH", "LIKE", "value", "ends"),
  spec("CONTAINS", "LIKE", "value", "contains"),
  spec("IS NULL", "IS NULL", "none"),
  spec("IS NOT NULL", "IS NOT NULL", "none"),
];

type Token =
  | { t: "(" }
  | { t: ")" }
  | { t: "not" }
  | { t: "and" }
  | { t: "or" }
  | { t: "cmp"; node: ComparisonNode };

const JOINT = /\) (&&|AND|\|\||OR|NOR|XOR) \(/i;
/** AND/OR/&&/|| with text on both sides (a lone value "OR", e.g. a US state, is fine). */
const LOGICAL_WORD = /\S[\s)]*[\s)](AND|OR)[\s(][\s(]*\S|\S\s*(&&|\|\|)\s*\S/i;
const OPERATOR_IN_FIELD = /['"()=<>!]|\s(LIKE|IN|NOT IN|ALL|CONTAINS|STARTS WITH|ENDS WITH|IS NULL|IS NOT NULL|EQ|NE|GT|GTE|LT|LTE)(\s|$)/i;

function fail(message: string): never {
  throw new SandboxHttpError(400, message);
}

/** DreamFactory's quote stripping: `'x'` / `"x"` when the inner text does not itself start or end with that quote. */
function stripQuotes(raw: string): { text: string; quoted: string | null } {
  for (const q of ["'", '"']) {
    if (raw.length >= 2 && raw.startsWith(q) && raw.endsWith(q)) {
      const inner = raw.slice(1, -1);
      if (!inner.startsWith(q) && !inner.endsWith(q)) return { text: inner, quoted: q };
    }
  }
  return { text: raw, quoted: null };
}

/** Processes one value as DreamFactory's parseFilterValue would, refusing the misreads listed above. */
function processValue(raw: string): string {
  const { text, quoted } = stripQuotes(raw);
  if (quoted) {
    if (text.includes(quoted) && LOGICAL_WORD.test(text)) fail(FILTER_MESSAGES.logicalInValue);
    return text;
  }
  if (raw.startsWith("(") && raw.endsWith(")")) fail(FILTER_MESSAGES.rawExpression);
  if (/^['"]|['"]$/.test(raw)) fail(FILTER_MESSAGES.unbalancedQuotes);
  if (LOGICAL_WORD.test(raw)) fail(FILTER_MESSAGES.logicalInValue);
  return raw;
}

function count(text: string, ch: string): number {
  let n = 0;
  for (const c of text) if (c === ch) n += 1;
  return n;
}

/** Parses one comparison (the text between a condition's parentheses). Returns the `)` the value took back. */
function parseComparison(text: string): { node: ComparisonNode; tookBack: number } {
  // ASCII-only folding, like PHP's stripos: positions in `lower` must be positions in `text` (JS toLowerCase turns
  // "İ" into two characters, which would shift every later slice).
  const lower = text.replace(/[A-Z]/g, (c) => c.toLowerCase());
  for (const op of OPERATORS) {
    const pos = lower.indexOf(op.search);
    if (pos < 0) continue;
    let field = text.slice(0, pos).trim();
    let value = text.slice(pos + op.search.length).trim();
    let negate = false;
    if (field.includes(" ")) {
      const parts = field.split(" ");
      if (parts.length > 1 && (parts[parts.length - 1] as string).toLowerCase() === "not") {
        parts.pop();
        field = parts.join(" ");
        negate = true;
      }
    }
    if (/^NOT(\s|\(|$)/i.test(field)) fail(FILTER_MESSAGES.notPosition);
    if (LOGICAL_WORD.test(field)) fail(FILTER_MESSAGES.logicalInValue);
    if (OPERATOR_IN_FIELD.test(field)) fail(operatorInValueMessage(field));

    let tookBack = 0;
    if (!value.startsWith("'")) {
      const open = count(value, "(");
      const close = count(value, ")");
      if (open !== 0 && open !== close) {
        if (open < close) fail(FILTER_MESSAGES.unbalancedParentheses);
        tookBack = open - close;
        value += ")".repeat(tookBack);
      }
    }

    const written = (negate ? `NOT ${op.written}` : op.written).toUpperCase();
    let operator = op.sql;
    if (negate) {
      if (operator === "LIKE") operator = "NOT LIKE";
      else if (operator === "IN" && op.kind === "list") operator = "NOT IN";
      else fail(FILTER_MESSAGES.negatedOperator);
    }
    const base = { kind: "comparison" as const, field, operator, written };
    switch (op.kind) {
      case "all":
        return fail(FILTER_MESSAGES.allOperator);
      case "list": {
        if (!(value.startsWith("(") && value.endsWith(")"))) fail(FILTER_MESSAGES.listParentheses);
        const values = value
          .slice(1, -1)
          .split(",")
          .map((item) => processValue(item.trim()));
        return { node: { ...base, value: null, values }, tookBack };
      }
      case "none":
        if (value !== "") fail(FILTER_MESSAGES.textAfterNull);
        return { node: { ...base, value: null, values: null }, tookBack };
      default: {
        if (op.wrap) {
          if (/^['"]/.test(value)) fail(FILTER_MESSAGES.quotedLikeShorthand);
          if (LOGICAL_WORD.test(value)) fail(FILTER_MESSAGES.logicalInValue);
          const wrapped = op.wrap === "contains" ? `%${value}%` : op.wrap === "starts" ? `${value}%` : `%${value}`;
          return { node: { ...base, value: wrapped, values: null }, tookBack };
        }
        return { node: { ...base, value: processValue(value), values: null }, tookBack };
      }
    }
  }
  return fail(FILTER_MESSAGES.unparsable);
}

/** Tokens of one piece between logical joints: `(`…, an optional leading NOT, the comparison, `)`…. */
function pieceTokens(piece: string, first: boolean): Token[] {
  const tokens: Token[] = [];
  let text = piece.trim();
  if (first && /^NOT ?\(/i.test(text)) {
    tokens.push({ t: "not" });
    text = text.slice(3).trim();
  }
  let open = 0;
  while (text[open] === "(") open += 1;
  let close = 0;
  while (close < text.length - open && text[text.length - 1 - close] === ")") close += 1;
  const middle = text.slice(open, text.length - close);
  if (/^\s*NOT(\s|\()/i.test(middle)) fail(FILTER_MESSAGES.notPosition);
  if (middle.trim() === "") fail(FILTER_MESSAGES.unparsable);
  const { node, tookBack } = parseComparison(middle);
  if (tookBack > close) fail(FILTER_MESSAGES.unbalancedParentheses);
  for (let i = 0; i < open; i++) tokens.push({ t: "(" });
  tokens.push({ t: "cmp", node });
  for (let i = 0; i < close - tookBack; i++) tokens.push({ t: ")" });
  return tokens;
}

function tokenize(filter: string): Token[] {
  let text = filter;
  for (const op of ["&&", "AND", "||", "OR", "NOR", "XOR"]) {
    const escaped = op.replace(/[|&]/g, "\\$&");
    text = text.replace(new RegExp(`\\)${escaped}\\(`, "gi"), `) ${op} (`);
  }
  if (/\)\s*(AND|OR|&&|\|\|)\s*NOT\s*\(/i.test(text)) fail(FILTER_MESSAGES.notPosition);
  const parts = text.split(JOINT);
  const tokens: Token[] = [];
  const pieces = Math.floor(parts.length / 2) + 1;
  for (let i = 0; i < pieces; i++) {
    const piece = `${i > 0 ? "(" : ""}${parts[i * 2] as string}${i < pieces - 1 ? ")" : ""}`;
    tokens.push(...pieceTokens(piece, i === 0));
    const joint = parts[i * 2 + 1];
    if (joint !== undefined) {
      const word = joint.toUpperCase();
      if (word === "NOR" || word === "XOR") fail(FILTER_MESSAGES.norXor);
      tokens.push({ t: word === "AND" || word === "&&" ? "and" : "or" });
    }
  }
  return tokens;
}

/** Recursive descent over the tokens with SQL precedence (NOT > AND > OR). */
class TokenParser {
  #pos = 0;
  constructor(private readonly tokens: Token[]) {}

  parse(): FilterNode {
    const node = this.#or();
    if (this.#pos !== this.tokens.length) fail(FILTER_MESSAGES.unbalancedParentheses);
    return node;
  }

  #or(): FilterNode {
    const operands = [this.#and()];
    while (this.tokens[this.#pos]?.t === "or") {
      this.#pos += 1;
      operands.push(this.#and());
    }
    return operands.length === 1 ? (operands[0] as FilterNode) : { kind: "or", operands: flatten("or", operands) };
  }

  #and(): FilterNode {
    const operands = [this.#unary()];
    while (this.tokens[this.#pos]?.t === "and") {
      this.#pos += 1;
      operands.push(this.#unary());
    }
    return operands.length === 1 ? (operands[0] as FilterNode) : { kind: "and", operands: flatten("and", operands) };
  }

  #unary(): FilterNode {
    const token = this.tokens[this.#pos];
    if (token?.t === "not") {
      this.#pos += 1;
      return { kind: "not", operand: this.#unary() };
    }
    if (token?.t === "(") {
      this.#pos += 1;
      const inner = this.#or();
      if (this.tokens[this.#pos]?.t !== ")") fail(FILTER_MESSAGES.unbalancedParentheses);
      this.#pos += 1;
      return inner;
    }
    if (token?.t === "cmp") {
      this.#pos += 1;
      return token.node;
    }
    return fail(FILTER_MESSAGES.unbalancedParentheses);
  }
}

function flatten(kind: "and" | "or", operands: FilterNode[]): FilterNode[] {
  return operands.flatMap((o) => (o.kind === kind ? o.operands : [o]));
}

/**
 * Parses a DreamFactory filter string into a {@link FilterNode}, exactly as described at the top of this file.
 * Fields are not checked here (see `filterToSql` / `evaluateFilter`, which resolve them against a table).
 * Throws SandboxHttpError(400) with DreamFactory's message, or the sandbox's for a misread. An empty filter is
 * "Invalid or unparsable filter request." — callers treat an absent/empty filter as no filter.
 * @example parseFilter("(status = open) AND (total >= 100)")
 */
export function parseFilter(text: string): FilterNode {
  const filter = text.trim();
  if (filter === "") fail(FILTER_MESSAGES.unparsable);
  return new TokenParser(tokenize(filter)).parse();
}

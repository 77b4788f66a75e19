import type { FilterAst, FilterCondition } from "./filter-ast.js";
import { makeFilterCondition } from "./filter-condition.js";
import { FILTER_SYNTAX_HINT, filterInputError } from "./filter-input-error.js";
import { FILTER_LIMITS } from "./filter-limits.js";
import type { WhereOperator, WhereScalar } from "./where-condition.js";

/** Operators in the order they are tried (longest spelling first). Word forms need a following space or "(". */
const OPERATOR_SPELLINGS: ReadonlyArray<readonly [RegExp, WhereOperator]> = [
  [/^>=/, ">="],
  [/^<=/, "<="],
  [/^!=/, "!="],
  [/^<>/, "!="],
  [/^=/, "="],
  [/^>/, ">"],
  [/^</, "<"],
  [/^is\s+not\s+null(?=$|[\s)])/i, "is_not_null"],
  [/^is\s+null(?=$|[\s)])/i, "is_null"],
  [/^not\s+like(?=\s)/i, "not_like"],
  [/^not\s+in(?=[\s(])/i, "not_in"],
  [/^like(?=\s)/i, "like"],
  [/^in(?=[\s(])/i, "in"],
  [/^contains(?=\s)/i, "contains"],
  [/^starts\s+with(?=\s)/i, "starts_with"],
  [/^ends\s+with(?=\s)/i, "ends_with"],
  [/^gte(?=\s)/i, ">="],
  [/^lte(?=\s)/i, "<="],
  [/^gt(?=\s)/i, ">"],
  [/^lt(?=\s)/i, "<"],
  [/^eq(?=\s)/i, "="],
  [/^ne(?=\s)/i, "!="],
];

const NUMBER = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?$/;
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*/;
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u2028\u2029]/;

/**
 * Parses a DreamFactory filter string with this package's own strict reading of DreamFactory's grammar,
 * accepting it only if DreamFactory would read it the same, unambiguous way.
 *
 * Accepted: comparisons `field op value` with `= != <> > >= < <=`, `EQ NE GT GTE LT LTE`, `LIKE`, `NOT LIKE`,
 * `CONTAINS`, `STARTS WITH`, `ENDS WITH`, `IN (…)`, `NOT IN (…)`, `IS NULL`, `IS NOT NULL`; values quoted
 * (`'x'` or `"x"`), numbers, `true`/`false` (lower-case: booleans; any other spelling, e.g. `TRUE`, stays the
 * text it is, as DreamFactory reads it) or simple bare words; operands of `AND` / `OR` (`&&`, `||`) each in
 * parentheses. Refused: curly braces (server-side lookups), a logical `NOT`, `BETWEEN`, `NOR`/`XOR`, AND and
 * OR mixed at one level, unparenthesised operands of AND/OR, parenthesised raw-SQL values, parentheses inside a
 * double-quoted value (DreamFactory repairs parentheses in everything but single-quoted values), dotted (related)
 * columns, and every value {@link compileWhere} refuses.
 *
 * @param text - the filter, e.g. written by a model
 * @returns the filter as a tree in normal form (groups flattened)
 * @throws DreamFactoryError `invalid_input` with a message that says what to change
 * @example
 * ```ts
 * parseFilter("(status = 'open') AND (total > 100)");
 * // { type: "and", conditions: [{ type: "condition", field: "status", op: "=", value: "open" }, …] }
 * ```
 */
export function parseFilter(text: string): FilterAst {
  if (typeof text !== "string") throw filterInputError("The filter must be a string.");
  if (text.length > FILTER_LIMITS.maxFilterLength) {
    throw filterInputError(`The filter is too long (${text.length} characters; at most ${FILTER_LIMITS.maxFilterLength}).`);
  }
  if (CONTROL.test(text)) throw filterInputError("The filter contains control characters; remove them.");
  if (text.includes("{") || text.includes("}")) {
    throw filterInputError(
      "The filter contains a curly brace; braces are not allowed because DreamFactory replaces {…} lookups on the server. Remove them.",
    );
  }
  if (text.trim().length === 0) throw filterInputError(`The filter is empty. ${FILTER_SYNTAX_HINT}`);
  const parser = new FilterParser(text);
  const ast = parser.parseExpression(0);
  parser.skipSpace();
  if (!parser.atEnd()) parser.fail(`unexpected "${parser.peekWord()}"`);
  if (groupDepth(ast) > FILTER_LIMITS.maxGroupDepth) {
    throw filterInputError(`The filter is nested too deeply (at most ${FILTER_LIMITS.maxGroupDepth} levels of AND/OR groups).`);
  }
  if (countConditions(ast) > FILTER_LIMITS.maxConditions) {
    throw filterInputError(`The filter has too many conditions (at most ${FILTER_LIMITS.maxConditions}).`);
  }
  return ast;
}

interface Term {
  ast: FilterAst;
  parenthesised: boolean;
}

class FilterParser {
  private pos = 0;

  constructor(private readonly text: string) {}

  atEnd(): boolean {
    return this.pos >= this.text.length;
  }

  skipSpace(): void {
    while (!this.atEnd() && /\s/.test(this.text[this.pos] as string)) this.pos += 1;
  }

  peekWord(): string {
    const rest = this.text.slice(this.pos);
    const word = /^\S+/.exec(rest)?.[0] ?? rest;
    return word.length > 20 ? `${word.slice(0, 20)}…` : word;
  }

  fail(what: string): never {
    throw filterInputError(`Invalid filter: ${what} at position ${this.pos + 1}. ${FILTER_SYNTAX_HINT}`);
  }

  parseExpression(parenDepth: number): FilterAst {
    const terms: Term[] = [this.parseTerm(parenDepth)];
    let kind: "and" | "or" | undefined;
    for (;;) {
      this.skipSpace();
      if (this.atEnd() || this.text[this.pos] === ")") break;
      const op = this.readLogicalOperator();
      if (kind !== undefined && kind !== op) {
        this.fail("AND and OR are mixed at one level, which is ambiguous; group them with parentheses, e.g. ((a = 1) OR (b = 2)) AND (c = 3),");
      }
      kind = op;
      terms.push(this.parseTerm(parenDepth));
    }
    if (kind === undefined) return (terms[0] as Term).ast;
    if (terms.some((t) => !t.parenthesised)) {
      this.fail(`each operand of ${kind.toUpperCase()} must be in parentheses (DreamFactory misreads a = 1 AND b = 2)`);
    }
    const conditions = terms.flatMap((t) => (t.ast.type === kind ? t.ast.conditions : [t.ast]));
    return { type: kind, conditions };
  }

  private readLogicalOperator(): "and" | "or" {
    const rest = this.text.slice(this.pos);
    const match = /^(and|or|&&|\|\|)(?=\s|\()/i.exec(rest);
    if (match !== null) {
      this.pos += (match[1] as string).length;
      const word = (match[1] as string).toLowerCase();
      return word === "and" || word === "&&" ? "and" : "or";
    }
    if (/^not\b/i.test(rest)) this.failNot();
    if (/^(nor|xor)\b/i.test(rest)) this.fail("NOR and XOR are not supported; use AND / OR");
    return this.fail(
      `expected AND, OR or ")" but found "${this.peekWord()}" (quote text values that contain spaces, e.g. city = 'New York')`,
    );
  }

  private failNot(): never {
    return this.fail("NOT before a condition is not supported (DreamFactory only reads it at the very start, and not at all when a role filter applies); use !=, NOT IN, NOT LIKE or IS NOT NULL instead");
  }

  private parseTerm(parenDepth: number): Term {
    this.skipSpace();
    if (this.atEnd()) this.fail("a condition is missing");
    if (this.text[this.pos] === "(") {
      if (parenDepth >= FILTER_LIMITS.maxGroupDepth + 2) this.fail("too many nested parentheses");
      this.pos += 1;
      const ast = this.parseExpression(parenDepth + 1);
      this.skipSpace();
      if (this.text[this.pos] !== ")") this.fail('expected ")"');
      this.pos += 1;
      return { ast, parenthesised: true };
    }
    if (/^not(?=\s|\()/i.test(this.text.slice(this.pos))) this.failNot();
    return { ast: this.parseComparison(), parenthesised: false };
  }

  private parseComparison(): FilterCondition {
    const field = IDENTIFIER.exec(this.text.slice(this.pos))?.[0];
    if (field === undefined) this.fail(`expected a column name but found "${this.peekWord()}"`);
    this.pos += field.length;
    const after = this.text[this.pos];
    if (after === ".") {
      this.fail(`filters on related tables ("${field}.…") are not supported; filter on this table's own columns`);
    }
    if (after !== undefined && !/[\s=<>!]/.test(after)) this.fail(`unexpected character after column name ${field}`);
    this.skipSpace();
    const op = this.readOperator(field);
    this.skipSpace();
    const value = this.readValue(field, op);
    return makeFilterCondition(field, op, value);
  }

  private readOperator(field: string): WhereOperator {
    const rest = this.text.slice(this.pos);
    for (const [pattern, op] of OPERATOR_SPELLINGS) {
      const match = pattern.exec(rest);
      if (match !== null) {
        this.pos += match[0].length;
        return op;
      }
    }
    if (/^between\b/i.test(rest)) this.fail("BETWEEN is not supported by DreamFactory; use (x >= a) AND (x <= b)");
    if (/^not\b/i.test(rest)) this.fail(`after ${field}, NOT may only be followed by LIKE or IN`);
    return this.fail(`expected a comparison operator after ${field} but found "${this.peekWord()}"`);
  }

  private readValue(field: string, op: WhereOperator): WhereScalar | WhereScalar[] | undefined {
    if (op === "is_null" || op === "is_not_null") return undefined;
    if (op === "in" || op === "not_in") return this.readList(field, op);
    if (op === "contains" || op === "starts_with" || op === "ends_with") return this.readRawText(field, op);
    return this.readScalar(field, op, false);
  }

  private readList(field: string, op: WhereOperator): WhereScalar[] {
    if (this.text[this.pos] !== "(") this.fail(`the ${op.replace("_", " ").toUpperCase()} list for ${field} must be in parentheses, e.g. ${field} IN (1,2,3)`);
    this.pos += 1;
    const items: WhereScalar[] = [];
    for (;;) {
      this.skipSpace();
      items.push(this.readScalar(field, op, true));
      this.skipSpace();
      const next = this.text[this.pos];
      this.pos += 1;
      if (next === ")") return items;
      if (next !== ",") {
        this.pos -= 1;
        this.fail(`expected "," or ")" in the list for ${field}`);
      }
    }
  }

  private readRawText(field: string, op: WhereOperator): string {
    const end = this.text.indexOf(")", this.pos);
    const raw = this.text.slice(this.pos, end === -1 ? this.text.length : end).trim();
    if (raw.length === 0) this.fail(`${op} on ${field} needs a value, e.g. ${field} ${op.replace("_", " ").toUpperCase()} text`);
    if (/^(['"]).*\1$/s.test(raw)) {
      this.fail(`write ${op.replace("_", " ").toUpperCase()} values without quotes, e.g. ${field} ${op.replace("_", " ").toUpperCase()} Acme (DreamFactory would search for the quote characters too)`);
    }
    if (raw.includes("(")) this.fail(`the value for ${field} cannot contain parentheses`);
    this.pos = end === -1 ? this.text.length : end;
    while (this.pos > 0 && /\s/.test(this.text[this.pos - 1] as string)) this.pos -= 1;
    return raw;
  }

  private readScalar(field: string, op: WhereOperator, inList: boolean): WhereScalar {
    const first = this.text[this.pos];
    if (first === "'" || first === '"') {
      const close = this.text.indexOf(first, this.pos + 1);
      if (close === -1) this.fail(`a quoted value for ${field} is not closed`);
      const value = this.text.slice(this.pos + 1, close);
      if (first === '"' && /[()]/.test(value)) {
        // DreamFactory exempts only single-quoted values from its parenthesis repair: it would append ")" to
        // "(1 &" and bind the quotes too, or fail on an unmatched ")".
        this.fail(`a double-quoted value for ${field} cannot contain parentheses; write it in single quotes, e.g. ${field} = '(a)'`);
      }
      this.pos = close + 1;
      const next = this.text[this.pos];
      if (next !== undefined && !/[\s),]/.test(next)) {
        this.fail(`unexpected text after the quoted value for ${field} (a value cannot contain the quote character)`);
      }
      return value;
    }
    if (first === "(") {
      this.fail(`a value in parentheses for ${field} would be sent to the database as raw SQL; quote the value instead`);
    }
    const token = (inList ? /^[^\s(),'"]+/ : /^[^\s()'"]+/).exec(this.text.slice(this.pos))?.[0];
    if (token === undefined) this.fail(`expected a value for ${field} after ${op}`);
    this.pos += token.length;
    if (NUMBER.test(token) && String(Number(token)) === token) return Number(token);
    // Only lower-case true / false become booleans (rendered back exactly as written): DreamFactory reads a bare
    // word as text and casts it by the column type, so TRUE / False must keep their letters for a text column.
    if (token === "true" || token === "false") return token === "true";
    if (token.toLowerCase() === "null") this.fail(`compare with null using ${field} IS NULL or ${field} IS NOT NULL`);
    if (/^:/.test(token)) this.fail(`parameter placeholders (:name) are not supported; write the value itself`);
    return token;
  }
}

function groupDepth(ast: FilterAst): number {
  return ast.type === "condition" ? 0 : 1 + Math.max(...ast.conditions.map(groupDepth));
}

function countConditions(ast: FilterAst): number {
  return ast.type === "condition" ? 1 : ast.conditions.reduce((n, c) => n + countConditions(c), 0);
}

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isDreamFactoryError } from "../src/errors/index.js";
import { compileWhere, FILTER_LIMITS, parseFilter, validateFilter, whereToFilterAst, WHERE_OPERATORS } from "../src/filter/index.js";
import type { WhereCondition, WhereNode, WhereOperator, WhereScalar } from "../src/filter/index.js";

function refusal(text: string): string {
  try {
    validateFilter(text);
  } catch (e) {
    expect(isDreamFactoryError(e)).toBe(true);
    expect((e as { code: string }).code).toBe("invalid_input");
    return (e as Error).message;
  }
  throw new Error(`validateFilter accepted ${text}`);
}

describe("parseFilter / validateFilter: accepted forms are normalised", () => {
  it.each([
    ["status = 'open'", "status = 'open'"],
    ["status='open'", "status = 'open'"],
    ['status = "open"', "status = 'open'"],
    ["status = open", "status = 'open'"],
    ["(status=open) and (total>100)", "(status = 'open') AND (total > 100)"],
    ["(status = 'open')AND(total >= 5.5)", "(status = 'open') AND (total >= 5.5)"],
    ["(a = 1) && (b = 2) && (c = 3)", "(a = 1) AND (b = 2) AND (c = 3)"],
    ["(a = 1) || (b <> 2)", "(a = 1) OR (b != 2)"],
    ["((a = 1) OR (b = 2)) AND (c = 3)", "((a = 1) OR (b = 2)) AND (c = 3)"],
    ["((a = 1) AND (b = 2)) AND (c = 3)", "(a = 1) AND (b = 2) AND (c = 3)"],
    ["((a = 1))", "a = 1"],
    ["total GTE 5", "total >= 5"],
    ["total gt 5", "total > 5"],
    ["total lt 5", "total < 5"],
    ["total lte 5", "total <= 5"],
    ["total eq 5", "total = 5"],
    ["total ne 5", "total != 5"],
    ["name like 'J%'", "name LIKE 'J%'"],
    ["name LIKE J%", "name LIKE 'J%'"],
    ["name not like '%x'", "name NOT LIKE '%x'"],
    ["name contains foo bar", "name CONTAINS foo bar"],
    ["(name starts with O'Br) OR (name ends with son)", "(name STARTS WITH O'Br) OR (name ENDS WITH son)"],
    ["id in (1, 2,'x')", "id IN (1,2,'x')"],
    ["id IN(1)", "id IN (1)"],
    ["status not in ('a','b')", "status NOT IN ('a','b')"],
    ["email is null", "email IS NULL"],
    ["(email IS NOT NULL) AND (x = true)", "(email IS NOT NULL) AND (x = true)"],
    ["code = 007", "code = '007'"],
    ["price = 1.50", "price = '1.50'"],
    ["d = 2024-01-01", "d = '2024-01-01'"],
    ["flag = false", "flag = false"],
    // A bare TRUE / FALSE in another case is text to DreamFactory (cast by the column type): kept as written.
    ["flag = FALSE", "flag = 'FALSE'"],
    ["(name = True) OR (name in (TRUE, false))", "(name = 'True') OR (name IN ('TRUE',false))"],
    ["name = '(1 &'", "name = '(1 &'"],
    ['name = "a b"', "name = 'a b'"],
    ["name = 'a (b) c'", "name = 'a (b) c'"],
    ["  status   =   'open'  ", "status = 'open'"],
  ])("%s → %s", (input, expected) => {
    expect(validateFilter(input)).toBe(expected);
  });

  it("returns a typed tree", () => {
    expect(parseFilter("(a = 1) OR (b in ('x', 2))")).toEqual({
      type: "or",
      conditions: [
        { type: "condition", field: "a", op: "=", value: 1 },
        { type: "condition", field: "b", op: "in", value: ["x", 2] },
      ],
    });
  });
});

describe("parseFilter: refusals", () => {
  it.each([
    ["({session.token} = 1)", /curly brace/],
    ["(owner_id = {user.id})", /curly brace/],
    ["name = '{user.email}'", /curly brace/],
    ["a = 1 AND b = 2", /must be in parentheses/],
    ["(a = 1) AND b = 2", /must be in parentheses/],
    ["(a = 1) OR (b = 2) AND (c = 3)", /mixed/],
    ["NOT (a = 1)", /NOT before a condition/],
    ["(a = 1) AND NOT (b = 2)", /NOT before a condition/],
    ["(a = 1) AND (NOT (b = 2))", /NOT before a condition/],
    ["(a = 1) NOR (b = 2)", /NOR and XOR/],
    ["a between 1 and 2", /BETWEEN/],
    // DreamFactory repairs parentheses in every value but a single-quoted one: "(1 &" would become "(1 &")
    ['name < "(1 &"', /double-quoted value for name cannot contain parentheses; write it in single quotes/],
    ['name = "a)"', /double-quoted value for name cannot contain parentheses/],
    ['(id = 1) AND (name IN ("(x", 2))', /double-quoted value for name cannot contain parentheses/],
    ["(a BETWEEN (1,2))", /BETWEEN/],
    ["a = (NOW())", /raw SQL/],
    ["a = (SELECT 1)", /raw SQL/],
    ["customers.country = 'DE'", /related tables/],
    ["name contains 'foo'", /without quotes/],
    ["name like 'a=b'", /comparison operator/],
    ["name like 'cats in hats'", /"in"/],
    ["id in 1,2", /parentheses/],
    ["id in (1,(2))", /raw SQL/],
    ["id in ()", /expected a value/],
    ["name = 'O'Brien'", /quoted value|quote/],
    ["name = \"O'Brien\"", /single quote/],
    ["name = 'unterminated", /not closed/],
    ["a = null", /IS NULL/],
    ["a = :param", /placeholders/],
    ["a", /comparison operator/],
    ["a ~ 1", /unexpected character|comparison operator/],
    ["= 1", /column name/],
    ["(a = 1", /expected "\)"/],
    ["a = 1)", /unexpected/],
    ["(a = 1) AND ()", /column name/],
    ["a = 1 2", /quote text values/],
    ["a = x y", /quote text values/],
    ["a not between 1", /NOT may only/],
    ["", /empty/],
    ["   ", /empty/],
    ["a = 'x\ny'", /control/],
    ["a\u0000 = 1", /control/],
  ])("%s", (input, pattern) => {
    expect(refusal(input)).toMatch(pattern);
  });

  it("refuses over-long filters, deep nesting and too many conditions", () => {
    expect(refusal(`a = '${"x".repeat(FILTER_LIMITS.maxFilterLength)}'`)).toMatch(/too long/);
    let deep = "a = 1";
    for (let i = 0; i < FILTER_LIMITS.maxGroupDepth + 1; i++) deep = `(${deep}) ${i % 2 ? "AND" : "OR"} (b = ${i})`;
    expect(refusal(deep)).toMatch(/nested too deeply|too many nested/);
    const many = Array.from({ length: FILTER_LIMITS.maxConditions + 1 }, (_, i) => `(a = ${i})`).join(" AND ");
    expect(refusal(many)).toMatch(/too many conditions/);
    expect(refusal(`${"(".repeat(20)}a = 1${")".repeat(20)}`)).toMatch(/too many nested/);
  });

  it("never echoes a lookup back in its message", () => {
    const message = refusal("({session.token} = 1) AND ({user.email} = 2)");
    expect(message).not.toContain("session.token");
    expect(message).not.toContain("user.email");
  });
});

// ---- property tests -------------------------------------------------------------------------------

const fieldArb = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,11}$/);
const textArb = fc.stringMatching(/^[A-Za-z0-9 _%.@"&ÄöÜß-]{0,16}$/);
const rawTextArb = fc.stringMatching(/^[A-Za-z0-9_%.@'&ÄöÜß-]([A-Za-z0-9 _%.@'&ÄöÜß-]{0,14}[A-Za-z0-9_%.@&ÄöÜß-])?$/);
const numberArb = fc.oneof(fc.integer({ min: -1_000_000, max: 1_000_000 }), fc.double({ min: -1e6, max: 1e6, noNaN: true }));
const scalarArb: fc.Arbitrary<WhereScalar> = fc.oneof(textArb, numberArb, fc.boolean());

const conditionArb: fc.Arbitrary<WhereCondition> = fc
  .tuple(fieldArb, fc.constantFrom(...WHERE_OPERATORS))
  .chain(([field, op]: [string, WhereOperator]) => {
    switch (op) {
      case "is_null":
      case "is_not_null":
        return fc.constant<WhereCondition>({ field, op });
      case "in":
      case "not_in":
        return fc.array(scalarArb, { minLength: 1, maxLength: 5 }).map((value) => ({ field, op, value }));
      case "contains":
      case "starts_with":
      case "ends_with":
        return rawTextArb.map((value) => ({ field, op, value }));
      case "like":
      case "not_like":
        return textArb.map((value) => ({ field, op, value }));
      default:
        return scalarArb.map((value) => ({ field, op, value }));
    }
  });

const { tree: treeArb } = fc.letrec<{ tree: WhereNode; group: WhereNode }>((tie) => ({
  tree: fc.oneof({ maxDepth: 3, depthIdentifier: "where" }, conditionArb, tie("group")),
  group: fc.oneof(
    fc.array(tie("tree"), { minLength: 1, maxLength: 4 }).map((and) => ({ and })),
    fc.array(tie("tree"), { minLength: 1, maxLength: 4 }).map((or) => ({ or })),
  ),
}));

/** Compiles when the tree is acceptable; a refusal must be a typed invalid_input error. */
function compileOrRefuse(tree: WhereNode | WhereNode[]): string | undefined {
  try {
    return compileWhere(tree);
  } catch (e) {
    if (isDreamFactoryError(e) && e.code === "invalid_input") return undefined;
    throw e;
  }
}

describe("round trip: parseFilter(compileWhere(tree)) equals the normalised tree", () => {
  it("holds for random condition trees", () => {
    let compiled = 0;
    let total = 0;
    fc.assert(
      fc.property(treeArb, (tree) => {
        total += 1;
        const text = compileOrRefuse(tree);
        if (text === undefined) return;
        compiled += 1;
        expect(parseFilter(text)).toEqual(whereToFilterAst(tree));
        expect(validateFilter(text)).toBe(text);
      }),
      { numRuns: 1500 },
    );
    // the generators mostly produce acceptable trees; refusals (operator words, deep nesting) are the exception
    expect(compiled / total).toBeGreaterThan(0.6);
  });

  it("compiled output is always fully parenthesised at every AND/OR", () => {
    fc.assert(
      fc.property(treeArb, (tree) => {
        const text = compileOrRefuse(tree);
        if (text === undefined || !/ (AND|OR) /.test(text)) return;
        // every logical operator sits between ")" and "(" (DreamFactory's only recognised form)
        const outside = text.replace(/'[^']*'/g, "''");
        for (const m of outside.matchAll(/ (AND|OR) /g)) {
          expect(outside[(m.index ?? 0) - 1]).toBe(")");
          expect(outside[(m.index ?? 0) + m[0].length]).toBe("(");
        }
      }),
      { numRuns: 500 },
    );
  });

  it("wild input: compileWhere either refuses with invalid_input or round-trips, and never lets braces through", () => {
    const wildText = fc.string({ unit: "binary", maxLength: 24 });
    const wildCondition = fc.record({
      field: fc.oneof(fieldArb, fc.string({ maxLength: 8 })),
      op: fc.constantFrom(...WHERE_OPERATORS),
      value: fc.oneof(wildText, fc.array(wildText, { maxLength: 3 }), numberArb, fc.constant(undefined)),
    });
    fc.assert(
      fc.property(fc.array(wildCondition, { minLength: 1, maxLength: 3 }), (conditions) => {
        const text = compileOrRefuse(conditions as WhereCondition[]);
        if (text === undefined) return;
        expect(text).not.toMatch(/[{}\u0000-\u001f]/);
        expect(parseFilter(text)).toEqual(whereToFilterAst(conditions as WhereCondition[]));
      }),
      { numRuns: 1500 },
    );
  });

  it("wild raw filters: validateFilter either refuses with invalid_input or returns a string it accepts unchanged", () => {
    const piece = fc.constantFrom("(", ")", " AND ", " OR ", "a", "b1", " = ", " > ", " like ", " in ", "'x'", "1", " NOT ", "{", ",", "contains ", " is null", "\"", "'");
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }).map((p) => p.join("")), (text) => {
        let normal: string;
        try {
          normal = validateFilter(text);
        } catch (e) {
          expect(isDreamFactoryError(e) && e.code === "invalid_input").toBe(true);
          return;
        }
        expect(validateFilter(normal)).toBe(normal);
        expect(normal).not.toContain("{");
      }),
      { numRuns: 3000 },
    );
  });
});

import { describe, expect, it } from "vitest";
import { isDreamFactoryError } from "../src/errors/index.js";
import { compileWhere, FILTER_LIMITS, parseFieldList, parseOrder, renderOrder, whereToFilterAst } from "../src/filter/index.js";
import type { Where, WhereCondition } from "../src/filter/index.js";

function refused(where: Where): string {
  try {
    compileWhere(where);
  } catch (e) {
    expect(isDreamFactoryError(e)).toBe(true);
    expect((e as { code: string }).code).toBe("invalid_input");
    return (e as Error).message;
  }
  throw new Error(`compileWhere accepted ${JSON.stringify(where)}`);
}

const c = (field: string, op: WhereCondition["op"], value?: WhereCondition["value"]): WhereCondition =>
  value === undefined ? { field, op } : { field, op, value };

describe("compileWhere: output shape", () => {
  it("renders every operator with DreamFactory's spelling and quoting", () => {
    expect(compileWhere([c("status", "=", "open")])).toBe("status = 'open'");
    expect(compileWhere([c("total", "!=", 5)])).toBe("total != 5");
    expect(compileWhere([c("total", ">", 1.5)])).toBe("total > 1.5");
    expect(compileWhere([c("total", ">=", -3)])).toBe("total >= -3");
    expect(compileWhere([c("total", "<", 0)])).toBe("total < 0");
    expect(compileWhere([c("total", "<=", 10)])).toBe("total <= 10");
    expect(compileWhere([c("active", "=", true)])).toBe("active = true");
    expect(compileWhere([c("name", "like", "J%")])).toBe("name LIKE 'J%'");
    expect(compileWhere([c("name", "not_like", "J_n")])).toBe("name NOT LIKE 'J_n'");
    expect(compileWhere([c("name", "contains", "Acme")])).toBe("name CONTAINS Acme");
    expect(compileWhere([c("name", "starts_with", "Ac")])).toBe("name STARTS WITH Ac");
    expect(compileWhere([c("name", "ends_with", "me Ltd")])).toBe("name ENDS WITH me Ltd");
    expect(compileWhere([c("id", "in", [1, 2, 3])])).toBe("id IN (1,2,3)");
    expect(compileWhere([c("status", "not_in", ["open", "void"])])).toBe("status NOT IN ('open','void')");
    expect(compileWhere([c("email", "is_null")])).toBe("email IS NULL");
    expect(compileWhere([c("email", "is_not_null")])).toBe("email IS NOT NULL");
  });

  it("parenthesises every operand of AND / OR, nested groups included", () => {
    expect(compileWhere([c("a", "=", 1), c("b", "=", "x")])).toBe("(a = 1) AND (b = 'x')");
    expect(compileWhere({ and: [{ or: [c("a", "=", 1), c("b", "=", 2)] }, c("c", "=", 3)] })).toBe(
      "((a = 1) OR (b = 2)) AND (c = 3)",
    );
    expect(compileWhere({ or: [c("a", "=", 1), { and: [c("b", "=", 2), { or: [c("c", "=", 3), c("d", "is_null")] }] }] })).toBe(
      "(a = 1) OR ((b = 2) AND ((c = 3) OR (d IS NULL)))",
    );
  });

  it("flattens same-kind nesting and unwraps one-element groups", () => {
    expect(compileWhere({ and: [c("a", "=", 1), { and: [c("b", "=", 2), c("c", "=", 3)] }] })).toBe("(a = 1) AND (b = 2) AND (c = 3)");
    expect(compileWhere({ or: [{ and: [c("a", "=", 1)] }] })).toBe("a = 1");
    expect(compileWhere([])).toBe("");
  });

  it("keeps a quoted string and a number distinct, and wraps a scalar given to in", () => {
    expect(compileWhere([c("code", "=", "007")])).toBe("code = '007'");
    expect(compileWhere([c("code", "=", 7)])).toBe("code = 7");
    expect(compileWhere([c("id", "in", 4)])).toBe("id IN (4)");
    expect(compileWhere([c("n", "=", -0)])).toBe("n = 0");
  });

  it("allows ordinary text: spaces, unicode, double quotes, parentheses in quoted values, % and _", () => {
    expect(compileWhere([c("name", "=", "Müller & Söhne (UK)")])).toBe("name = 'Müller & Söhne (UK)'");
    expect(compileWhere([c("note", "=", 'say "hi"')])).toBe(`note = 'say "hi"'`);
    expect(compileWhere([c("name", "contains", "O'Brien")])).toBe("name CONTAINS O'Brien");
    expect(compileWhere([c("sku", "like", "A_1%")])).toBe("sku LIKE 'A_1%'");
  });

  it("whereToFilterAst returns the normal-form tree", () => {
    expect(whereToFilterAst([c("a", "contains", 12)])).toEqual({ type: "condition", field: "a", op: "contains", value: "12" });
    expect(whereToFilterAst([])).toBeUndefined();
  });
});

describe("compileWhere: refuses what DreamFactory cannot carry safely", () => {
  it("refuses lookups in braces anywhere in a value (DreamFactory would substitute and echo them)", () => {
    expect(refused([c("x", "=", "{session.token}")])).toMatch(/curly brace/);
    expect(refused([c("x", "contains", "a{user.email}")])).toMatch(/curly brace/);
    expect(refused([c("x", "in", ["ok", "{session.id}"])])).toMatch(/curly brace/);
    expect(refused([c("x", "like", "}")])).toMatch(/curly brace/);
  });

  it("refuses ) AND ( / ) OR ( sequences in values, with any spacing", () => {
    expect(refused([c("x", "=", "a') AND (b = 1")])).toBeTruthy();
    expect(refused([c("x", "=", "a)OR(b")])).toMatch(/split/);
    expect(refused([c("x", "=", "a)  and  (b")])).toMatch(/split/);
    expect(refused([c("x", "=", "a)&&(b")])).toMatch(/split/);
  });

  it("refuses a single quote inside a quoted value (no escape in DreamFactory)", () => {
    expect(refused([c("name", "=", "O'Brien")])).toMatch(/single quote/);
    expect(refused([c("name", "like", "O'%")])).toMatch(/single quote/);
    expect(refused([c("name", "in", ["O'Brien"])])).toMatch(/single quote/);
  });

  it("refuses =, < and > inside values of every operator", () => {
    for (const op of ["=", "like", "contains", "in", ">", "starts_with"] as const) {
      expect(refused([c("x", op, "a=b")])).toMatch(/comparison operator/);
      expect(refused([c("x", op, "a<b")])).toMatch(/comparison operator/);
      expect(refused([c("x", op, "a>b")])).toMatch(/comparison operator/);
    }
  });

  it("refuses operator words inside LIKE / IN / CONTAINS values", () => {
    expect(refused([c("x", "like", "cats in hats")])).toMatch(/"in"/);
    expect(refused([c("x", "contains", "a like b")])).toMatch(/"like"/);
    expect(refused([c("x", "in", ["starts with"])])).toMatch(/"starts with"/);
    expect(refused([c("x", "ends_with", "is null")])).toMatch(/"is null"/);
    // but a plain equality may hold them: DreamFactory tries = before the words
    expect(compileWhere([c("x", "=", "cats in hats")])).toBe("x = 'cats in hats'");
  });

  it("refuses commas and parentheses in IN items, and empty or oversized lists", () => {
    expect(refused([c("x", "in", ["a,b"])])).toMatch(/commas or parentheses/);
    expect(refused([c("x", "not_in", ["(a)"])])).toMatch(/commas or parentheses/);
    expect(refused([c("x", "in", [])])).toMatch(/empty/);
    expect(refused([c("x", "in", Array.from({ length: FILTER_LIMITS.maxListItems + 1 }, (_, i) => i))])).toMatch(/at most/);
  });

  it("refuses control characters and over-long values", () => {
    expect(refused([c("x", "=", "a\nb")])).toMatch(/control/);
    expect(refused([c("x", "=", "a\u0000")])).toMatch(/control/);
    expect(refused([c("x", "=", "a\u2028")])).toMatch(/control/);
    expect(refused([c("x", "=", "y".repeat(FILTER_LIMITS.maxValueLength + 1))])).toMatch(/too long/);
    expect(compileWhere([c("x", "=", "y".repeat(FILTER_LIMITS.maxValueLength))])).toHaveLength(FILTER_LIMITS.maxValueLength + 6);
  });

  it("refuses ambiguous raw values for contains / starts_with / ends_with", () => {
    expect(refused([c("x", "contains", "'quoted'")])).toMatch(/quote/);
    expect(refused([c("x", "contains", " padded")])).toMatch(/spaces/);
    expect(refused([c("x", "contains", "")])).toMatch(/empty/);
    expect(refused([c("x", "starts_with", "a(b")])).toMatch(/parentheses/);
    expect(refused([c("x", "contains", true)])).toMatch(/text value/);
    expect(refused([c("x", "contains", "salt and pepper")])).toMatch(/AND, OR/);
    expect(refused([c("x", "ends_with", "a&&b")])).toMatch(/AND, OR/);
    expect(refused([c("x", "starts_with", "or else")])).toMatch(/AND, OR/);
    expect(compileWhere([c("x", "=", "salt and pepper")])).toBe("x = 'salt and pepper'");
  });

  it("refuses bad numbers, nulls, lists for scalar operators and values for is_null", () => {
    expect(refused([c("x", "=", Number.NaN)])).toMatch(/finite/);
    expect(refused([c("x", "=", Infinity)])).toMatch(/finite/);
    expect(refused([c("x", "=", 1e21)])).toMatch(/exponent/);
    expect(refused([c("x", "=", null)])).toMatch(/is_null/);
    expect(refused([c("x", "=")])).toMatch(/needs a value/);
    expect(refused([c("x", "=", [1, 2])])).toMatch(/not a list/);
    expect(refused([c("x", "is_null", 1)])).toMatch(/takes no value/);
    expect(refused([{ field: "x", op: "=", value: { a: 1 } } as unknown as WhereCondition])).toMatch(/text, numbers or booleans/);
  });

  it("refuses field names that are not ASCII identifiers", () => {
    for (const field of ["", "1abc", "a b", "a-b", "a.b", "a;b", "ａbc", "Ꭺbc", "a'b", "{user.id}", "x".repeat(65)]) {
      expect(refused([c(field, "=", 1)])).toMatch(/Column|column/);
    }
    expect(refused([c("customers.country", "=", "DE")])).toMatch(/related tables/);
    expect(refused([c("Or", "=", 1)])).toMatch(/logical operators/);
    expect(refused([c("not", "is_null")])).toMatch(/logical operators/);
  });

  it("refuses unknown operators, empty or mixed groups, deep nesting and too many conditions", () => {
    expect(refused([{ field: "x", op: "between", value: 1 } as unknown as WhereCondition])).toMatch(/not supported/);
    expect(refused({ and: [] })).toMatch(/non-empty/);
    expect(refused({ and: [c("a", "=", 1)], or: [c("b", "=", 1)] } as unknown as Where)).toMatch(/exactly one key/);
    let deep: Where = c("a", "=", 1);
    for (let i = 0; i < FILTER_LIMITS.maxGroupDepth + 1; i++) deep = i % 2 ? { and: [deep, c("b", "=", i)] } : { or: [deep, c("b", "=", i)] };
    expect(refused(deep)).toMatch(/nested too deeply/);
    expect(refused(Array.from({ length: FILTER_LIMITS.maxConditions + 1 }, (_, i) => c("a", "=", i)))).toMatch(/Too many/);
    expect(refused([null as unknown as WhereCondition])).toMatch(/object/);
  });
});

describe("field lists and order", () => {
  it("parses and validates fields", () => {
    expect(parseFieldList("id, total,id")).toEqual(["id", "total"]);
    expect(parseFieldList(["id", "name"])).toEqual(["id", "name"]);
    expect(parseFieldList("*")).toBeUndefined();
    expect(parseFieldList(undefined)).toBeUndefined();
    expect(() => parseFieldList("id,{session.token}")).toThrow(/not allowed/);
    expect(() => parseFieldList("COUNT(*)")).toThrow(/not allowed/);
  });

  it("parses and renders order", () => {
    expect(renderOrder(parseOrder("total desc, id") ?? [])).toBe("total DESC,id ASC");
    expect(renderOrder(parseOrder(["name ASC"]) ?? [])).toBe("name ASC");
    expect(parseOrder("")).toBeUndefined();
    expect(() => parseOrder("total; drop table")).toThrow(/order items/);
    expect(() => parseOrder("total sideways")).toThrow(/order items/);
    expect(() => parseOrder("{user.email} desc")).toThrow(/not allowed/);
  });
});

/**
 * The sandbox implements DreamFactory's own filter parser (reference §3.1, verified against DreamFactory 7.0.0).
 * For random condition trees, what compileWhere sends must be read by that parser exactly as meant: same logic
 * structure, same operators, same values after DreamFactory's quote stripping and % wrapping.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isDreamFactoryError } from "../src/errors/index.js";
import { compileWhere, validateFilter, whereToFilterAst, WHERE_OPERATORS } from "../src/filter/index.js";
import type { FilterAst, WhereCondition, WhereNode, WhereOperator, WhereScalar } from "../src/filter/index.js";
import type { FilterNode } from "../src/testing/filter/filter-node.js";
import { parseFilter as dreamFactoryParse } from "../src/testing/filter/parse-filter.js";

type Expected =
  | { kind: "comparison"; field: string; operator: string; value: string | null; values: string[] | null }
  | { kind: "and" | "or"; operands: Expected[] };

const SQL_OP: Record<WhereOperator, string> = {
  "=": "=", "!=": "!=", ">": ">", ">=": ">=", "<": "<", "<=": "<=", like: "LIKE", not_like: "NOT LIKE",
  contains: "LIKE", starts_with: "LIKE", ends_with: "LIKE", in: "IN", not_in: "NOT IN", is_null: "IS NULL", is_not_null: "IS NOT NULL",
};

/** What DreamFactory should make of our tree. */
function expected(ast: FilterAst): Expected {
  if (ast.type !== "condition") return { kind: ast.type, operands: ast.conditions.map(expected) };
  const text = (v: WhereScalar) => String(v);
  const value = ast.value;
  let single: string | null = null;
  let list: string[] | null = null;
  if (Array.isArray(value)) list = value.map(text);
  else if (value !== undefined) {
    single = text(value);
    if (ast.op === "contains") single = `%${single}%`;
    if (ast.op === "starts_with") single = `${single}%`;
    if (ast.op === "ends_with") single = `%${single}`;
  }
  return { kind: "comparison", field: ast.field, operator: SQL_OP[ast.op], value: single, values: list };
}

/** The sandbox's tree without presentation details, nested same-kind groups flattened. */
function actual(node: FilterNode): Expected {
  if (node.kind === "not") throw new Error("unexpected NOT");
  if (node.kind === "comparison") {
    return { kind: "comparison", field: node.field, operator: node.operator, value: node.value, values: node.values };
  }
  const operands = node.operands.map(actual).flatMap((o) => (o.kind === node.kind ? (o as { operands: Expected[] }).operands : [o]));
  return { kind: node.kind, operands };
}

const fieldArb = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,11}$/);
const textArb = fc.stringMatching(/^[A-Za-z0-9 _%.@"&()ÄöÜß-]{0,16}$/);
const rawTextArb = fc.stringMatching(/^[A-Za-z0-9_%.@'&ÄöÜß-]([A-Za-z0-9 _%.@'&ÄöÜß-]{0,14}[A-Za-z0-9_%.@&ÄöÜß-])?$/);
const numberArb = fc.oneof(fc.integer({ min: -1_000_000, max: 1_000_000 }), fc.double({ min: -1e6, max: 1e6, noNaN: true }));
const scalarArb: fc.Arbitrary<WhereScalar> = fc.oneof(textArb, numberArb, fc.boolean());
const conditionArb: fc.Arbitrary<WhereCondition> = fc
  .tuple(fieldArb, fc.constantFrom(...WHERE_OPERATORS))
  .chain(([field, op]: [string, WhereOperator]) => {
    if (op === "is_null" || op === "is_not_null") return fc.constant<WhereCondition>({ field, op });
    if (op === "in" || op === "not_in") return fc.array(scalarArb, { minLength: 1, maxLength: 5 }).map((value) => ({ field, op, value }));
    if (op === "contains" || op === "starts_with" || op === "ends_with") return rawTextArb.map((value) => ({ field, op, value }));
    if (op === "like" || op === "not_like") return textArb.map((value) => ({ field, op, value }));
    return scalarArb.map((value) => ({ field, op, value }));
  });
const { tree: treeArb } = fc.letrec<{ tree: WhereNode; group: WhereNode }>((tie) => ({
  tree: fc.oneof({ maxDepth: 3, depthIdentifier: "where" }, conditionArb, tie("group")),
  group: fc.oneof(
    fc.array(tie("tree"), { minLength: 1, maxLength: 4 }).map((and) => ({ and })),
    fc.array(tie("tree"), { minLength: 1, maxLength: 4 }).map((or) => ({ or })),
  ),
}));

describe("DreamFactory's parser (as implemented by the sandbox) reads compiled filters exactly as meant", () => {
  it("for random condition trees", () => {
    let checked = 0;
    fc.assert(
      fc.property(treeArb, (tree) => {
        let text: string;
        try {
          text = compileWhere(tree);
        } catch (e) {
          if (isDreamFactoryError(e) && e.code === "invalid_input") return;
          throw e;
        }
        checked += 1;
        const ast = whereToFilterAst(tree) as FilterAst;
        expect(actual(dreamFactoryParse(text))).toEqual(expected(ast));
      }),
      { numRuns: Number(process.env.FILTER_RUNS ?? 2000) },
    );
    expect(checked).toBeGreaterThan(1000);
  });

  it("for arbitrary text values (anything compileWhere accepts is read back unchanged)", () => {
    const wild = fc.oneof(fc.string({ unit: "binary", maxLength: 20 }), fc.string({ maxLength: 20 }), fc.stringMatching(/^[ -~]{0,20}$/));
    fc.assert(
      fc.property(fieldArb, fc.constantFrom(...WHERE_OPERATORS), wild, fc.array(wild, { minLength: 1, maxLength: 3 }), (field, op, value, list) => {
        const condition: WhereCondition = op === "in" || op === "not_in" ? { field, op, value: list } : op.startsWith("is_") ? { field, op } : { field, op, value };
        let text: string;
        try {
          text = compileWhere([condition]);
        } catch (e) {
          if (isDreamFactoryError(e) && e.code === "invalid_input") return;
          throw e;
        }
        expect(actual(dreamFactoryParse(text))).toEqual(expected(whereToFilterAst([condition]) as FilterAst));
      }),
      { numRuns: Number(process.env.FILTER_RUNS ?? 2000) },
    );
  });

  it("for raw filters normalised by validateFilter", () => {
    for (const raw of [
      "(status=open) and (total>100)",
      "((a = 1) OR (b = 2)) AND (c = 3)",
      "name contains foo bar",
      "(name starts with O'Br) OR (id in (1, 2,'x'))",
      "(email is not null) && (total GTE 5)",
      "name = 'Acme (UK) Ltd'",
    ]) {
      const normal = validateFilter(raw);
      expect(() => dreamFactoryParse(normal)).not.toThrow();
    }
  });
});

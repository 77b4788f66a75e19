import { describe, expect, it } from "vitest";
import { aggregateAlias, aggregateExpression, aggregateRows } from "../src/tools/client-aggregation.js";

describe("client-side aggregation (DreamFactory without aggregate fields)", () => {
  const rows = [
    { status: "open", total: 10, note: "b" },
    { status: "open", total: 5.5, note: null },
    { status: "shipped", total: 7, note: "a" },
    { status: null, total: null, note: "c" },
  ];

  it("names results like DreamFactory", () => {
    expect(aggregateExpression({ fn: "count" })).toBe("COUNT(*)");
    expect(aggregateAlias({ fn: "count" })).toBe("COUNT_ALL");
    expect(aggregateExpression({ fn: "sum", field: "total" })).toBe("SUM(total)");
    expect(aggregateAlias({ fn: "avg", field: "total" })).toBe("AVG_total");
  });

  it("groups with SQL semantics (COUNT(*) counts rows, others skip nulls)", () => {
    const out = aggregateRows(rows, ["status"], [
      { fn: "count" },
      { fn: "count", field: "note" },
      { fn: "sum", field: "total" },
      { fn: "avg", field: "total" },
      { fn: "min", field: "note" },
      { fn: "max", field: "total" },
    ]);
    expect(out).toEqual([
      { status: "open", COUNT_ALL: 2, COUNT_note: 1, SUM_total: 15.5, AVG_total: 7.75, MIN_note: "b", MAX_total: 10 },
      { status: "shipped", COUNT_ALL: 1, COUNT_note: 1, SUM_total: 7, AVG_total: 7, MIN_note: "a", MAX_total: 7 },
      { status: null, COUNT_ALL: 1, COUNT_note: 1, SUM_total: null, AVG_total: null, MIN_note: "c", MAX_total: null },
    ]);
  });

  it("without grouping yields one row, also over no rows", () => {
    expect(aggregateRows(rows, [], [{ fn: "count" }, { fn: "sum", field: "total" }])).toEqual([{ COUNT_ALL: 4, SUM_total: 22.5 }]);
    expect(aggregateRows([], [], [{ fn: "count" }, { fn: "max", field: "total" }])).toEqual([{ COUNT_ALL: 0, MAX_total: null }]);
  });

  it("sums decimals without float noise and accepts numeric strings", () => {
    const money = Array.from({ length: 10 }, () => ({ total: "0.1" }));
    expect(aggregateRows(money, [], [{ fn: "sum", field: "total" }])).toEqual([{ SUM_total: 1 }]);
  });
});

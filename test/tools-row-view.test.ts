import { describe, expect, it } from "vitest";
import { MAX_CELL_CHARS, MAX_ROWS_JSON_CHARS, viewRows } from "../src/tools/row-view.js";

describe("viewRows (what the model sees of the rows)", () => {
  it("shows short rows unchanged", () => {
    const rows = [{ id: 1, name: "a" }, { id: 2, name: null }];
    expect(viewRows(rows)).toEqual({ rows, dropped: 0, cellsCut: false });
  });

  it("cuts long text cells and says so, without changing the input rows", () => {
    const long = "x".repeat(MAX_CELL_CHARS + 50);
    const rows = [{ id: 1, body: long }];
    const view = viewRows(rows);
    expect(view.cellsCut).toBe(true);
    expect(String(view.rows[0]?.body)).toHaveLength(MAX_CELL_CHARS + "…[cut]".length);
    expect(rows[0]?.body).toBe(long);
  });

  it("drops trailing rows once the JSON would exceed the budget, keeping at least one", () => {
    const rows = Array.from({ length: 200 }, (_, i) => ({ id: i, text: "y".repeat(900) }));
    const view = viewRows(rows);
    expect(view.dropped).toBeGreaterThan(0);
    expect(view.rows.length + view.dropped).toBe(200);
    expect(JSON.stringify(view.rows).length).toBeLessThanOrEqual(MAX_ROWS_JSON_CHARS);
    expect(view.rows.map((r) => r.id)).toEqual(rows.slice(0, view.rows.length).map((r) => r.id));
  });
});

import { describe, expect, it } from "vitest";
import { SandboxHttpError } from "../src/testing/errors.js";
import { describeTable } from "../src/testing/db/describe-table.js";
import { openDatabase } from "../src/testing/db/open-database.js";
import { parseFields, parseGroup, parseOrder } from "../src/testing/db/query-options.js";
import { countRecords, deleteRecords, idsWhere, insertRecord, selectRecords, updateRecords } from "../src/testing/db/records.js";
import type { ActingUser, TableInfo } from "../src/testing/db/types.js";
import { andFragments } from "../src/testing/filter/and-fragments.js";
import { compileFilter } from "../src/testing/filter/filter-to-sql.js";
import { useResource } from "./support/sandbox-fixture.js";

const alice: ActingUser = { dbRole: "dfsb_sales_rep", userId: 1, email: "alice@example.com", team: "sales" };
const carol: ActingUser = { dbRole: "dfsb_sales_manager", userId: 3, email: "carol@example.com", team: "sales" };
const dave: ActingUser = { dbRole: "dfsb_support", userId: 4, email: "dave@example.com", team: "support" };
const admin: ActingUser = { dbRole: "dfsb_admin", userId: 5, email: "admin@example.com", team: "it" };

let orders: TableInfo;
let products: TableInfo;
let employees: TableInfo;
let customers: TableInfo;

const db = useResource(
  () => openDatabase({ seed: "demo", scale: { orders: 10_000, kbArticles: 50 } }),
  async () => {
    orders = db.table("orders")!;
    products = db.table("products")!;
    employees = db.table("employees")!;
    customers = db.table("customers")!;
  },
);

async function httpError(promise: Promise<unknown> | (() => unknown)): Promise<SandboxHttpError> {
  try {
    await (typeof promise === "function" ? promise() : promise);
  } catch (error) {
    if (error instanceof SandboxHttpError) return error;
    throw error;
  }
  throw new Error("expected a SandboxHttpError");
}

describe("query option parsers", () => {
  it("parses fields, with aggregates only when grouped", async () => {
    expect(parseFields(undefined, orders)).toEqual({ fields: "*", aggregates: [] });
    expect(parseFields(" * ", orders)).toEqual({ fields: "*", aggregates: [] });
    expect(parseFields("ID, Total,id", orders)).toEqual({ fields: ["id", "total"], aggregates: [] });
    expect((await httpError(() => parseFields("id,nope", orders))).message).toBe("Invalid field requested: nope");
    expect((await httpError(() => parseFields("COUNT(*)", orders))).message).toBe("Invalid field requested: COUNT(*)");
    expect(parseFields("status,count(*),SUM(total), avg(total)", orders, ["status"])).toEqual({
      fields: ["status"],
      aggregates: [
        { fn: "COUNT", column: null, alias: "COUNT_ALL" },
        { fn: "SUM", column: "total", alias: "SUM_total" },
        { fn: "AVG", column: "total", alias: "AVG_total" },
      ],
    });
    expect((await httpError(() => parseFields("SUM(*)", orders, ["status"]))).message).toBe("Invalid field requested: SUM(*)");
    expect((await httpError(() => parseFields("MAX(nope)", orders, ["status"]))).message).toBe("Invalid field requested: MAX(nope)");
  });

  it("parses order with DreamFactory's messages", async () => {
    expect(parseOrder("total DESC, ID", orders)).toEqual([
      { field: "total", direction: "DESC", nulls: null },
      { field: "id", direction: "ASC", nulls: null },
    ]);
    expect(parseOrder("notes desc nulls last", orders)).toEqual([{ field: "notes", direction: "DESC", nulls: "LAST" }]);
    expect(parseOrder("total sideways", orders)).toEqual([{ field: "total", direction: "ASC", nulls: null }]);
    expect(parseOrder(undefined, orders)).toEqual([]);
    expect((await httpError(() => parseOrder("total; DROP TABLE orders", orders))).message).toBe("Invalid order by clause in request.");
    expect((await httpError(() => parseOrder("nope desc", orders))).message).toBe("Invalid field 'nope' in order by clause.");
    const { aggregates } = parseFields("COUNT(*)", orders, ["status"]);
    expect(parseOrder("COUNT_ALL desc", orders, aggregates)).toEqual([{ field: "COUNT_ALL", direction: "DESC", nulls: null }]);
    expect(parseOrder("count(*) desc", orders, aggregates)[0]?.field).toBe("COUNT_ALL");
  });

  it("parses group with DreamFactory's message", async () => {
    expect(parseGroup("Status, currency", orders)).toEqual(["status", "currency"]);
    expect(parseGroup("", orders)).toBeNull();
    expect((await httpError(() => parseGroup("status,nope", orders))).message).toBe("Invalid or unknown field 'nope' in group by clause.");
  });
});

describe("selectRecords and countRecords", () => {
  it("typecasts values the way DreamFactory does", async () => {
    const [order] = await db.asUser(admin, (q) => selectRecords(q, orders, { fields: "*", where: idsWhere(orders, [7]) }));
    expect(order).toBeDefined();
    expect(Object.keys(order!)).toEqual(["id", "customer_id", "sales_rep_id", "status", "total", "currency", "ordered_at", "notes"]);
    expect(order!.id).toBe(7);
    expect(typeof order!.customer_id).toBe("number");
    expect(typeof order!.total).toBe("number");
    expect(order!.ordered_at).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    expect(order!.notes === null || typeof order!.notes === "string").toBe(true);
    const raw = await db.driver.query<{ total: string }>("SELECT total FROM dfsb.orders WHERE id = 7");
    expect(order!.total).toBe(Number(raw.rows[0]?.total));

    const [product] = await db.asUser(alice, (q) => selectRecords(q, products, { fields: ["price", "active"], where: idsWhere(products, [11]) }));
    expect(product).toEqual({ price: expect.any(Number), active: false });
  });

  it("filters, orders, pages and counts as the acting user", async () => {
    const where = compileFilter("(sales_rep_id = 1) AND (status = open)", orders);
    const count = await db.asUser(alice, (q) => countRecords(q, orders, where));
    expect(count).toBeGreaterThan(3);
    const all = await db.asUser(alice, (q) => selectRecords(q, orders, { fields: ["id", "total"], where, order: parseOrder("total desc", orders) }));
    expect(all).toHaveLength(count);
    const totals = all.map((r) => r.total as number);
    expect(totals).toEqual([...totals].sort((a, b) => b - a));
    const page = await db.asUser(alice, (q) =>
      selectRecords(q, orders, { fields: ["id", "total"], where, order: parseOrder("total desc", orders), limit: 2, offset: 1 }),
    );
    expect(page).toEqual(all.slice(1, 3));
    // without an order the primary key keeps pages stable
    const byId = await db.asUser(alice, (q) => selectRecords(q, orders, { fields: ["id"], where, limit: 3 }));
    expect(byId.map((r) => r.id)).toEqual([...all.map((r) => r.id as number)].sort((a, b) => a - b).slice(0, 3));
  });

  it("groups with aggregates under DreamFactory's aliases", async () => {
    const group = parseGroup("status", orders);
    const parsed = parseFields("status,COUNT(*),SUM(total),MAX(ordered_at)", orders, group);
    const rows = await db.asUser(carol, (q) =>
      selectRecords(q, orders, { ...parsed, group, where: null, order: parseOrder("COUNT_ALL desc", orders, parsed.aggregates) }),
    );
    expect(rows.map((r) => r.status).sort()).toEqual(["cancelled", "delivered", "open", "pending", "shipped"]);
    const counts = rows.map((r) => r.COUNT_ALL as number);
    expect(counts).toEqual([...counts].sort((a, b) => b - a));
    expect(counts.reduce((a, b) => a + b, 0)).toBe(10_000);
    for (const row of rows) {
      expect(typeof row.SUM_total).toBe("number");
      expect(row.MAX_ordered_at).toMatch(/^2024-/);
      const n = await db.asUser(carol, (q) => countRecords(q, orders, compileFilter(`status = ${row.status as string}`, orders)));
      expect(row.COUNT_ALL).toBe(n);
    }
    // "*" with a group selects the group columns
    const grouped = await db.asUser(carol, (q) => selectRecords(q, orders, { fields: "*", group: ["currency"], where: null, order: [] }));
    expect(grouped.map((r) => Object.keys(r))).toEqual([["currency"], ["currency"], ["currency"]]);
    const stray = await httpError(db.asUser(carol, (q) => selectRecords(q, orders, { fields: ["id"], group: ["status"], where: null })));
    expect(stray.status).toBe(400);
  });

  it("returns only readable columns for '*' and answers 403 for an explicitly requested denied column", async () => {
    const [rep] = await db.asUser(alice, (q) => selectRecords(q, employees, { fields: "*", where: idsWhere(employees, [2]) }));
    expect(rep).toEqual({ id: 2, email: "bob@example.com", first_name: "Bob", last_name: "Baker", title: "Sales Representative", team: "sales", manager_id: 3 });
    const [manager] = await db.asUser(carol, (q) => selectRecords(q, employees, { fields: "*", where: idsWhere(employees, [2]) }));
    expect(typeof manager?.salary).toBe("number");
    const denied = await httpError(db.asUser(alice, (q) => selectRecords(q, employees, { fields: ["id", "salary"], where: null })));
    expect([denied.status, denied.message]).toEqual([403, "Denied access to some of the requested fields."]);
    const filtered = await httpError(db.asUser(alice, (q) => countRecords(q, employees, compileFilter("salary > 1", employees))));
    expect(denied.status).toBe(filtered.status);
    const noOrders = await httpError(db.asUser(dave, (q) => selectRecords(q, orders, { fields: "*", where: null, limit: 1 })));
    expect(noOrders.status).toBe(403);
  });

  it("reads customers through the masking view and filters on the masked value for support", async () => {
    const [row] = await db.asUser(dave, (q) => selectRecords(q, customers, { fields: "*", where: idsWhere(customers, [3]) }));
    expect(row?.email).toMatch(/^[a-z]\*\*\*@/);
    const plain = (await db.driver.query<{ email: string }>("SELECT email FROM dfsb.customers WHERE id = 3")).rows[0]!.email;
    const byRealEmail = await db.asUser(dave, (q) => countRecords(q, customers, compileFilter(`email = ${plain}`, customers)));
    expect(byRealEmail).toBe(0);
    const byRealEmailAsRep = await db.asUser(alice, (q) => countRecords(q, customers, compileFilter(`email = ${plain}`, customers)));
    expect(byRealEmailAsRep).toBeGreaterThanOrEqual(1);
  });

  it("never echoes SQL in a database failure", async () => {
    const ghost: TableInfo = { name: "ghost", label: "Ghost", plural: "Ghosts", primaryKey: ["id"], columns: orders.columns, related: [] };
    const error = await httpError(db.asUser(admin, (q) => selectRecords(q, ghost, { fields: ["id"], where: null })));
    expect([error.status, error.message]).toEqual([500, "Failed to retrieve records from 'ghost'."]);
    expect(error.message).not.toMatch(/SELECT|FROM "|ghost"/);
  });
});

describe("writes", () => {
  it("inserts and returns the primary key or requested fields; validates fields like DreamFactory", async () => {
    const key = await db.asUser(carol, (q) =>
      insertRecord(q, products, { id: 999_999, sku: "SKU-T-1", name: "Test Widget", category: "Testing", price: "12.50", unknown_key: 1 }),
    );
    expect(Object.keys(key)).toEqual(["id"]);
    expect(key.id).toBeGreaterThan(200);
    expect(key.id).not.toBe(999_999);
    const full = await db.asUser(carol, (q) =>
      insertRecord(q, products, { sku: "SKU-T-2", name: "Test Gadget", category: "Testing", price: 3, active: "no" }, { fields: "*" }),
    );
    expect(full).toEqual({ id: (key.id as number) + 1, sku: "SKU-T-2", name: "Test Gadget", category: "Testing", price: 3, active: false });

    const cases: Array<[Record<string, unknown>, string]> = [
      [{ name: "x", category: "c", price: 1 }, "Required field 'sku' can not be NULL."],
      [{ sku: "S", name: null, category: "c", price: 1 }, "Field 'name' can not be NULL."],
      [{ sku: "S", name: "n", category: "c", price: 1, active: null }, "Field 'active' can not be NULL."],
    ];
    for (const [record, message] of cases) {
      const error = await httpError(db.asUser(carol, (q) => insertRecord(q, products, record)));
      expect([error.status, error.message]).toEqual([400, message]);
    }
    const badInt = await httpError(
      db.asUser(alice, (q) => insertRecord(q, orders, { customer_id: "twelve", sales_rep_id: 1, total: 5 })),
    );
    expect([badInt.status, badInt.message]).toEqual([400, "Field 'customer_id' must be a valid integer."]);
    const fraction = await httpError(db.asUser(alice, (q) => insertRecord(q, orders, { customer_id: 1.5, sales_rep_id: 1, total: 5 })));
    expect(fraction.message).toBe("Field 'customer_id' must be a valid integer.");
    const duplicate = await httpError(db.asUser(carol, (q) => insertRecord(q, products, { sku: "SKU-T-1", name: "n", category: "c", price: 1 })));
    expect(duplicate.status).toBe(400);
    expect(duplicate.message).toMatch(/^Failed to create records in 'products'\.\nduplicate key value violates unique constraint/);
    expect(duplicate.message).not.toMatch(/INSERT/);
    const fk = await httpError(db.asUser(alice, (q) => insertRecord(q, orders, { customer_id: 987_654, sales_rep_id: 1, total: 5 })));
    expect([fk.status, fk.message.split("\n")[0]]).toEqual([400, "Failed to create records in 'orders'."]);
    const expression = await httpError(db.asUser(carol, (q) => insertRecord(q, products, { sku: "E", name: { expression: "now()" }, category: "c", price: 1 })));
    expect(expression.message).toBe("SQL expression 'now()' is not permitted.");
    const denied = await httpError(db.asUser(alice, (q) => insertRecord(q, products, { sku: "R", name: "n", category: "c", price: 1 })));
    expect([denied.status, denied.message]).toEqual([403, "Denied access to some of the requested fields."]);
  });

  it("updates matching rows, ignoring the primary key in the body", async () => {
    const where = compileFilter("sku LIKE 'SKU-T-%'", products);
    const updated = await db.asUser(carol, (q) => updateRecords(q, products, where, { id: 1, price: 99.5, bogus: true }));
    expect(updated.length).toBe(2);
    expect(updated.map((r) => Object.keys(r))).toEqual([["id"], ["id"]]);
    const prices = await db.asUser(carol, (q) => selectRecords(q, products, { fields: ["id", "price"], where }));
    expect(prices.map((r) => r.price)).toEqual([99.5, 99.5]);
    const [first] = await db.asUser(carol, (q) => selectRecords(q, products, { fields: ["id", "price"], where: idsWhere(products, [1]) }));
    expect(first?.price).not.toBe(99.5);
    const withFields = await db.asUser(carol, (q) => updateRecords(q, products, where, { active: false }, { fields: ["sku"] }));
    expect(withFields.map((r) => r.sku)).toEqual(["SKU-T-1", "SKU-T-2"]);
    expect(withFields[0]).toHaveProperty("id");
    const noChange = await db.asUser(carol, (q) => updateRecords(q, products, where, { nothing: 1 }));
    expect(noChange).toEqual(updated);
    const nullName = await httpError(db.asUser(carol, (q) => updateRecords(q, products, where, { name: null })));
    expect([nullName.status, nullName.message]).toEqual([400, "Field 'name' can not be NULL."]);
    await expect(db.asUser(carol, (q) => updateRecords(q, products, null, { price: 1 }))).rejects.toThrow(TypeError);
  });

  it("deletes matching rows and returns their keys or their fields", async () => {
    const where = compileFilter("sku STARTS WITH SKU-T-", products);
    const before = await db.asUser(carol, (q) => countRecords(q, products, where));
    expect(before).toBe(2);
    const denied = await httpError(db.asUser(carol, (q) => deleteRecords(q, products, where)));
    expect(denied.status).toBe(403); // managers may not delete products
    const deleted = await db.asUser(admin, (q) => deleteRecords(q, products, where, { fields: ["sku", "price"] }));
    expect(deleted.map((r) => [r.sku, r.price])).toEqual([
      ["SKU-T-1", 99.5],
      ["SKU-T-2", 99.5],
    ]);
    expect(await db.asUser(admin, (q) => countRecords(q, products, where))).toBe(0);
    const none = await db.asUser(admin, (q) => deleteRecords(q, products, where));
    expect(none).toEqual([]);
  });

  it("combines fragments with renumbered placeholders", async () => {
    const a = compileFilter("status = open", orders);
    const b = compileFilter("(sales_rep_id = 2) AND (total > 10)", orders);
    const both = andFragments(a, b)!;
    expect(both.sql).toBe('("status" = $1) AND (("sales_rep_id" = $2) AND ("total" > $3))');
    expect(both.params).toEqual(["open", "2", "10"]);
    expect(andFragments(null, b)).toBe(b);
    expect(andFragments(a, null)).toBe(a);
    expect(andFragments(null, null)).toBeNull();
    const n = await db.asUser(admin, (q) => countRecords(q, orders, both));
    const expected = await db.driver.query<{ n: string }>(
      "SELECT count(*) AS n FROM dfsb.orders WHERE status = 'open' AND sales_rep_id = 2 AND total > 10",
    );
    expect(n).toBe(Number(expected.rows[0]?.n));
    expect(n).toBeGreaterThan(0);
  });

  it("validates ids", async () => {
    expect(idsWhere(orders, [1, "2"])).toEqual({ sql: '"id" IN ($1, $2)', params: ["1", "2"] });
    expect((await httpError(() => idsWhere(orders, ["x"]))).message).toBe("Field 'id' must be a valid integer.");
  });
});

describe("describeTable", () => {
  it("produces DreamFactory's _schema shape", () => {
    const schema = describeTable(orders, 31);
    expect(Object.keys(schema)).toEqual([
      "alias", "name", "label", "description", "native", "plural", "is_view", "primary_key", "name_field", "field", "related", "constraints", "access",
    ]);
    expect(schema).toMatchObject({ name: "orders", label: "Orders", plural: "Orders", is_view: false, primary_key: ["id"], access: 31 });
    const fields = schema.field as Array<Record<string, unknown>>;
    expect(fields.find((f) => f.name === "id")).toMatchObject({ type: "id", auto_increment: true, is_primary_key: true, required: false });
    expect(fields.find((f) => f.name === "customer_id")).toMatchObject({
      type: "reference", is_foreign_key: true, ref_table: "customers", ref_field: "id", ref_on_delete: "NO ACTION", required: true,
    });
    expect(fields.find((f) => f.name === "total")).toMatchObject({ type: "decimal", db_type: "numeric(12,2)", precision: 12, scale: 2 });
    expect(fields.find((f) => f.name === "status")).toMatchObject({ default: "open", required: false, length: 20 });
    const related = schema.related as Array<Record<string, unknown>>;
    expect(related[0]).toMatchObject({ name: "customers_by_customer_id", type: "belongs_to", field: "customer_id", ref_table: "customers", ref_field: "id" });
    expect(describeTable(db.table("kb_articles")!, ["GET"])).toMatchObject({ label: "Kb Articles", name_field: "title", access: ["GET"] });
    expect(Object.keys(schema.constraints as object)).toContain("orders_pkey");
  });
});

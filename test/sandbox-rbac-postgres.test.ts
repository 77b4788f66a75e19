import { describe, expect, it } from "vitest";
import { startSandbox, type RoleServiceAccess } from "../src/testing/index.js";
import { useResource } from "./support/sandbox-fixture.js";

/**
 * The main read / RBAC / RLS checks, against a real PostgreSQL server (CI sets TEST_DATABASE_URL). If the server
 * is unreachable, startSandbox throws and every test here fails: nothing is skipped.
 */
const DATABASE = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:55433/postgres";

const tokens: Record<"alice" | "bob" | "carol" | "dave" | "admin", string> = { alice: "", bob: "", carol: "", dave: "", admin: "" };

interface Reply {
  status: number;
  body: any;
}

async function call(who: keyof typeof tokens | null, method: string, path: string, body?: unknown): Promise<Reply> {
  const headers: Record<string, string> = { "X-DreamFactory-API-Key": sb.apiKey };
  if (who !== null) headers["X-DreamFactory-Session-Token"] = tokens[who];
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const res = await fetch(`${sb.url}/api/v2/db${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const text = await res.text();
  return { status: res.status, body: text === "" ? null : JSON.parse(text) };
}

async function count(sql: string, params: unknown[] = []): Promise<number> {
  const rows = await sb.query<{ n: number | string }>(sql, params);
  return Number(rows[0]?.n);
}

const DENIED = "Denied access to some of the requested fields.";

// An unreachable server makes every test fail (useResource), never skipped.
const sb = useResource(
  () => startSandbox({ database: DATABASE }),
  async () => {
    for (const who of Object.keys(tokens) as (keyof typeof tokens)[]) tokens[who] = await sb.login(sb.users[who].email, sb.users[who].password);
  },
);

describe("sandbox on a real PostgreSQL server", () => {
  it("runs on the server, not on PGlite", () => {
    expect(sb.databaseKind).toBe("postgres");
  });
});

describe("row filters on reads: each rep sees only their rows, counts match the database", () => {
  it("alice, bob and carol see different orders; totals equal direct counts", async () => {
    const all = await count("SELECT count(*) AS n FROM orders");
    const aliceDb = await count("SELECT count(*) AS n FROM orders WHERE sales_rep_id = 1");
    const bobDb = await count("SELECT count(*) AS n FROM orders WHERE sales_rep_id = 2");
    expect(aliceDb).toBeGreaterThan(0);
    expect(bobDb).toBeGreaterThan(0);
    expect((await call("alice", "GET", "/_table/orders?count_only=true")).body).toBe(aliceDb);
    expect((await call("bob", "GET", "/_table/orders?count_only=true")).body).toBe(bobDb);
    expect((await call("carol", "GET", "/_table/orders?count_only=true")).body).toBe(all);

    const page = await call("alice", "GET", "/_table/orders?limit=50&include_count=true&fields=id,sales_rep_id");
    expect(page.body.meta.count).toBe(aliceDb);
    expect(page.body.resource.every((o: any) => o.sales_rep_id === 1)).toBe(true);
    const bobPage = await call("bob", "GET", "/_table/orders?limit=50&fields=id,sales_rep_id");
    expect(bobPage.body.resource.every((o: any) => o.sales_rep_id === 2)).toBe(true);
  });

  it("the client filter is AND-ed with the role filter; {user.id} in a client filter is substituted", async () => {
    expect((await call("alice", "GET", "/_table/orders?count_only=true&filter=sales_rep_id%3D2")).body).toBe(0);
    const own = await count("SELECT count(*) AS n FROM orders WHERE sales_rep_id = 1 AND status = 'open'");
    expect((await call("alice", "GET", `/_table/orders?count_only=true&filter=${encodeURIComponent("status = open")}`)).body).toBe(own);
    const viaLookup = await call("bob", "GET", `/_table/customers?count_only=true&filter=${encodeURIComponent("sales_rep_id = {user.id}")}`);
    expect(viaLookup.body).toBe(await count("SELECT count(*) AS n FROM customers WHERE sales_rep_id = 2"));
  });

  it("{session.token} in a client filter is substituted and echoed in the 400, exactly like DreamFactory", async () => {
    const reply = await call("alice", "GET", `/_table/orders?filter=${encodeURIComponent("({session.token} = 1)")}`);
    expect(reply.status).toBe(400);
    // Compared without printing: the message holds alice's token.
    const expected = `Invalid or unparsable field in filter request: '${tokens.alice}'`;
    expect(reply.body.error.message === expected).toBe(true);
  });

  it("another rep's record by id is 404, the manager gets it", async () => {
    const [bobOrder] = await sb.query<{ id: number }>("SELECT id FROM orders WHERE sales_rep_id = 2 ORDER BY id LIMIT 1");
    const id = bobOrder?.id as number;
    const reply = await call("alice", "GET", `/_table/orders/${id}`);
    expect(reply).toEqual({ status: 404, body: { error: { code: 404, context: null, message: `Record with identifier '${id}' not found.`, status_code: 404 } } });
    expect((await call("carol", "GET", `/_table/orders/${id}`)).body).toMatchObject({ id, sales_rep_id: 2 });
    expect((await call("bob", "GET", `/_table/orders/${id}?fields=id,status`)).body).toEqual({ id, status: expect.any(String) });
  });
});

describe("row filters on writes", () => {
  it("alice cannot create an order for bob: 400 batch (code 1000) holding a 403; nothing changes", async () => {
    const before = await count("SELECT count(*) AS n FROM orders");
    const [customer] = await sb.query<{ id: number }>("SELECT id FROM customers WHERE sales_rep_id = 2 LIMIT 1");
    const reply = await call("alice", "POST", "/_table/orders", { resource: [{ customer_id: customer?.id, sales_rep_id: 2, total: 10 }] });
    expect(reply.status).toBe(400);
    expect(reply.body.error).toEqual({
      code: 1000,
      context: { error: [0], resource: [{ code: 403, context: null, message: DENIED, status_code: 403 }] },
      message: "Batch Error: Not all requested records could be created.",
      status_code: 400,
    });
    expect(await count("SELECT count(*) AS n FROM orders")).toBe(before);
  });

  it("alice cannot move her order to bob (403) nor touch bob's order (404); her own update works", async () => {
    const [mine] = await sb.query<{ id: number; total: string }>("SELECT id, total FROM orders WHERE sales_rep_id = 1 ORDER BY id LIMIT 1");
    const [bobs] = await sb.query<{ id: number; total: string }>("SELECT id, total FROM orders WHERE sales_rep_id = 2 ORDER BY id LIMIT 1");
    const moved = await call("alice", "PATCH", `/_table/orders/${mine?.id}`, { sales_rep_id: 2 });
    expect(moved).toEqual({ status: 403, body: { error: { code: 403, context: null, message: DENIED, status_code: 403 } } });
    expect((await call("alice", "PATCH", `/_table/orders/${bobs?.id}`, { notes: "x" })).status).toBe(404);
    expect((await call("alice", "DELETE", `/_table/orders/${bobs?.id}`)).status).toBe(404);
    expect(await count("SELECT count(*) AS n FROM orders WHERE id = $1 AND sales_rep_id = 2 AND notes IS NULL", [bobs?.id])).toBe(1);
    const ok = await call("alice", "PATCH", `/_table/orders/${mine?.id}`, { notes: "checked by alice" });
    expect(ok).toEqual({ status: 200, body: { id: mine?.id } });
    expect(await count("SELECT count(*) AS n FROM orders WHERE id = $1 AND notes = 'checked by alice'", [mine?.id])).toBe(1);
  });

  it("a rep's create for herself succeeds (200, id only) and can be deleted", async () => {
    const [customer] = await sb.query<{ id: number }>("SELECT id FROM customers WHERE sales_rep_id = 1 LIMIT 1");
    const created = await call("alice", "POST", "/_table/orders", { resource: [{ customer_id: customer?.id, sales_rep_id: 1, total: 12.5 }] });
    expect(created.status).toBe(200);
    const id = created.body.resource[0].id as number;
    expect(created.body).toEqual({ resource: [{ id }] });
    expect(await count("SELECT count(*) AS n FROM orders WHERE id = $1 AND sales_rep_id = 1", [id])).toBe(1);
    expect((await call("alice", "DELETE", `/_table/orders/${id}`)).body).toEqual({ id });
    expect(await count("SELECT count(*) AS n FROM orders WHERE id = $1", [id])).toBe(0);
  });
});

describe("lookups in written values (DreamFactory's interpretRecordValues)", () => {
  it("{user.id} passes the row filter and {session.token} really is written — clients must refuse lookups", async () => {
    const [customer] = await sb.query<{ id: number }>("SELECT id FROM customers WHERE sales_rep_id = 1 LIMIT 1");
    const created = await call("alice", "POST", "/_table/orders?fields=id,sales_rep_id", {
      resource: [{ customer_id: customer?.id, sales_rep_id: "{user.id}", total: 1, notes: "{session.token}" }],
    });
    expect(created.status).toBe(200);
    const row = created.body.resource[0] as { id: number; sales_rep_id: number };
    expect(row.sales_rep_id).toBe(1);
    const [stored] = await sb.query<{ notes: string }>("SELECT notes FROM orders WHERE id = $1", [row.id]);
    expect(stored?.notes === tokens.alice).toBe(true);
    expect((await call("alice", "DELETE", `/_table/orders/${row.id}`)).status).toBe(200);
  });
});

describe("role rules: support has no orders, listings follow the role", () => {
  it("dave gets 403 on orders with the component in the message", async () => {
    const reply = await call("dave", "GET", "/_table/orders");
    expect(reply.status).toBe(403);
    expect(reply.body.error.message).toBe("Access Forbidden. GET access to component '_table/orders' of service 'db' is not allowed by this user's role.");
  });

  it("_table listings and access lists differ per role", async () => {
    const names = async (who: keyof typeof tokens) => (await call(who, "GET", "/_table?as_list=true")).body.resource;
    expect(await names("alice")).toEqual(["customers", "employees", "kb_articles", "orders", "products"]);
    expect(await names("dave")).toEqual(["customers", "kb_articles", "products"]);
    const described = await call("alice", "GET", "/_table?fields=*");
    expect(described.body.resource.find((t: any) => t.name === "orders").access).toEqual(["GET", "POST", "PUT", "PATCH", "DELETE"]);
    expect(described.body.resource.find((t: any) => t.name === "products").access).toEqual(["GET"]);
    const accessList = (await call("dave", "GET", "?as_access_list=true")).body.resource as string[];
    expect(accessList).toContain("_table/customers/*");
    expect(accessList).not.toContain("_table/orders/*");
  });

  it("most specific rule wins over HTTP: exact _table/products does not cover _table/products/1", async () => {
    const row = (component: string): RoleServiceAccess => ({ service: "db", component, verbMask: 1, requestorMask: 1, filters: [], filterOp: "AND" });
    try {
      sb.setRoleAccess("support", [row(""), row("_table/products")]);
      expect((await call("dave", "GET", "/_table/products?limit=1")).status).toBe(200);
      const byId = await call("dave", "GET", "/_table/products/1");
      expect(byId.status).toBe(403);
      expect(byId.body.error.message).toContain("component '_table/products/1'");
      sb.setRoleAccess("support", [row(""), row("_table/products/*")]);
      expect((await call("dave", "GET", "/_table/products/1")).status).toBe(200);
      expect((await call("dave", "GET", "/_table/products?limit=1")).status).toBe(200);
    } finally {
      sb.resetRoleAccess();
    }
    expect((await call("dave", "GET", "/_table/customers?limit=1")).status).toBe(200);
  });
});

describe("database security visible through HTTP (RLS, column privileges, masking)", () => {
  it("dave reads customers with masked e-mails; carol reads them in full", async () => {
    const d = (await call("dave", "GET", "/_table/customers?limit=5&order=id")).body.resource;
    const c = (await call("carol", "GET", "/_table/customers?limit=5&order=id")).body.resource;
    const raw = await sb.query<{ id: number; email: string }>("SELECT id, email FROM customers ORDER BY id LIMIT 5");
    expect(c.map((r: any) => r.email)).toEqual(raw.map((r) => r.email));
    for (const [i, r] of d.entries()) {
      expect(r.email).toMatch(/^.\*\*\*@/);
      expect(r.email).not.toBe(raw[i]?.email);
    }
  });

  it("internal kb articles differ between dave (support team) and alice (sales team)", async () => {
    const visible = async (who: keyof typeof tokens) =>
      (await call(who, "GET", "/_table/kb_articles?filter=is_internal%3Dtrue&fields=id,team&limit=1000")).body.resource as Array<{ team: string }>;
    const forDave = await visible("dave");
    const forAlice = await visible("alice");
    expect(forDave.length).toBe(await count("SELECT count(*) AS n FROM kb_articles WHERE is_internal AND team = 'support'"));
    expect(forAlice.length).toBe(await count("SELECT count(*) AS n FROM kb_articles WHERE is_internal AND team = 'sales'"));
    expect(forDave.every((a) => a.team === "support")).toBe(true);
    expect(forAlice.every((a) => a.team === "sales")).toBe(true);
    expect(forDave.length).toBeGreaterThan(0);
  });

  it("a rep's employees rows omit salary; asking for it is denied; the manager sees it", async () => {
    const rep = (await call("alice", "GET", "/_table/employees?limit=1")).body.resource[0];
    expect(rep).not.toHaveProperty("salary");
    expect(rep).toHaveProperty("email");
    const denied = await call("alice", "GET", "/_table/employees?fields=id,salary");
    expect(denied).toEqual({ status: 403, body: { error: { code: 403, context: null, message: DENIED, status_code: 403 } } });
    expect((await call("carol", "GET", "/_table/employees?limit=1")).body.resource[0]).toHaveProperty("salary");
  });
});

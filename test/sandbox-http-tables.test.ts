import { request } from "node:http";
import { beforeAll, describe, expect, it } from "vitest";
import { startSandbox } from "../src/testing/index.js";
import { useResource } from "./support/sandbox-fixture.js";

const tokens = { alice: "", bob: "", carol: "", dave: "", admin: "" };
type Who = keyof typeof tokens | null;

interface Reply {
  status: number;
  body: any;
  text: string;
  headers: Headers;
}

async function call(
  who: Who,
  method: string,
  path: string,
  opts: { body?: unknown; raw?: string | Buffer; headers?: Record<string, string> } = {},
): Promise<Reply> {
  const headers: Record<string, string> = { "X-DreamFactory-API-Key": sb.apiKey, ...(opts.headers ?? {}) };
  if (who !== null) headers["X-DreamFactory-Session-Token"] = tokens[who];
  let body: string | Buffer | undefined = opts.raw;
  if (opts.body !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(opts.body);
  }
  const res = await fetch(`${sb.url}${path.startsWith("/api") ? path : `/api/v2/db${path}`}`, { method, headers, ...(body === undefined ? {} : { body }) });
  const text = await res.text();
  let parsed: unknown = undefined;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: res.status, body: parsed, text, headers: res.headers };
}

function error(status: number, message: string, code = status, context: unknown = null) {
  return { error: { code, context, message, status_code: status } };
}

async function count(sql: string, params: unknown[] = []): Promise<number> {
  return Number((await sb.query<{ n: string | number }>(sql, params))[0]?.n);
}

const sb = useResource(() => startSandbox(), async () => {
  for (const who of Object.keys(tokens) as (keyof typeof tokens)[]) tokens[who] = await sb.login(sb.users[who].email, sb.users[who].password);
});

describe("service discovery and service root (§2.1, §10.6)", () => {
  it("GET /api/v2 lists the services the role reaches", async () => {
    const names = async (who: Who) => (await call(who, "GET", "/api/v2")).body.services.map((s: any) => s.name);
    expect(await names("alice")).toEqual(["db"]);
    expect(await names("admin")).toEqual(["system", "user", "db"]);
    expect(await names(null)).toEqual([]);
    const db = (await call("alice", "GET", "/api/v2")).body;
    expect(db.services[0]).toEqual({ id: 3, name: "db", label: "Demo Database", description: expect.any(String), type: "pgsql", spec_url: "/api/v2/db/_spec" });
    expect(db.service_types.map((t: any) => t.name)).toEqual(["pgsql"]);
    expect((await call("admin", "GET", "/api/v2?group=Database")).body.services.map((s: any) => s.name)).toEqual(["db"]);
  });

  it("GET /api/v2/db lists resources; as_list; other verbs are 400", async () => {
    expect((await call("alice", "GET", "")).body).toEqual({ resource: [{ name: "_schema" }, { name: "_table" }] });
    expect((await call("alice", "GET", "?as_list=true")).body).toEqual({ resource: ["_schema", "_table"] });
    expect((await call("admin", "POST", "", { body: {} })).body).toEqual(
      error(400, "Post requests without a resource are not currently supported by the 'db' service."),
    );
    expect((await call("admin", "DELETE", "/_table")).body).toEqual(
      error(400, "Delete requests without a resource are not currently supported by the '_table' service."),
    );
  });

  it("unknown resources and tables: 404 after the role check, messages entity-encoded", async () => {
    expect((await call("admin", "GET", "/_proc")).body).toEqual(error(404, "Resource '_proc' not found for service 'db'."));
    expect((await call("carol", "GET", "/_table/nope")).body).toEqual(error(404, "Table &quot;nope&quot; does not exist in the database."));
    expect((await call("alice", "GET", "/_table/nope")).status).toBe(403);
    const odd = await call("admin", "GET", `/_table/${encodeURIComponent('a"b<c>&d')}`);
    expect(odd.body.error.message).toBe("Table &quot;a&quot;b&lt;c&gt;&amp;d&quot; does not exist in the database.");
    expect(Object.keys(odd.body.error)).toEqual(["code", "context", "message", "status_code"]);
  });
});

describe("record queries and the meta rules (§3, §4)", () => {
  let total = 0;
  beforeAll(async () => {
    total = await count("SELECT count(*) AS n FROM orders");
  });

  it("no limit: the server caps at 1000 and reports count and next", async () => {
    expect(total).toBeGreaterThan(1000);
    const reply = await call("carol", "GET", "/_table/orders?fields=id");
    expect(reply.body.resource).toHaveLength(1000);
    expect(reply.body.meta).toEqual({ count: total, next: 1000 });
    expect((await call("carol", "GET", "/_table/orders?fields=id&limit=0")).body.meta).toEqual({ count: total, next: 1000 });
    expect((await call("carol", "GET", "/_table/orders?fields=id&limit=5000")).body.resource).toHaveLength(1000);
  });

  it("limit alone: no meta; with include_count: count and next; last page: no next", async () => {
    const plain = await call("carol", "GET", "/_table/orders?limit=10");
    expect(plain.body.resource).toHaveLength(10);
    expect(plain.body).not.toHaveProperty("meta");
    expect((await call("carol", "GET", "/_table/orders?limit=10&include_count=true")).body.meta).toEqual({ count: total, next: 10 });
    const last = await call("carol", "GET", `/_table/orders?limit=10&offset=${total - 5}&include_count=true`);
    expect(last.body.resource).toHaveLength(5);
    expect(last.body.meta).toEqual({ count: total });
    const aliceOwn = await count("SELECT count(*) AS n FROM orders WHERE sales_rep_id = 1");
    expect((await call("alice", "GET", "/_table/orders?fields=id")).body).not.toHaveProperty("meta");
    expect((await call("alice", "GET", "/_table/orders?fields=id")).body.resource).toHaveLength(aliceOwn);
  });

  it("count_only answers a bare JSON number", async () => {
    const reply = await call("carol", "GET", "/_table/orders?count_only=true");
    expect(reply.text).toBe(String(total));
    expect(reply.headers.get("content-type")).toBe("application/json");
    expect((await call("carol", "GET", "/_table/orders?count_only=1&filter=status%3Dopen")).body).toBe(
      await count("SELECT count(*) AS n FROM orders WHERE status = 'open'"),
    );
  });

  it("fields, order, offset, include_schema, wrap=false", async () => {
    const rows = (await call("carol", "GET", "/_table/orders?fields=id,total&order=total%20desc&limit=5")).body.resource;
    expect(Object.keys(rows[0])).toEqual(["id", "total"]);
    const totals = rows.map((r: any) => r.total);
    expect(totals).toEqual([...totals].sort((a: number, b: number) => b - a));
    const top = await sb.query<{ total: string }>("SELECT total FROM orders ORDER BY total DESC, id LIMIT 5");
    expect(totals).toEqual(top.map((r) => Number(r.total)));
    const schema = await call("carol", "GET", "/_table/orders?limit=1&include_schema=true");
    expect(schema.body.meta.schema.name).toBe("orders");
    expect(schema.body.meta.schema.access).toBe(31);
    const bare = await call("carol", "GET", "/_table/orders?limit=2&wrap=false");
    expect(Array.isArray(bare.body)).toBe(true);
  });

  it("ids: records in the order asked; a missing id is a retrieve batch error", async () => {
    const ok = await call("carol", "GET", "/_table/orders?ids=3,1,2&fields=id");
    expect(ok.body).toEqual({ resource: [{ id: 3 }, { id: 1 }, { id: 2 }] });
    const missing = await call("carol", "GET", "/_table/orders?ids=1,2,99999999&fields=id");
    expect(missing.status).toBe(400);
    expect(missing.body).toEqual(
      error(400, "Batch Error: Not all requested records could be retrieved.", 1000, {
        error: [2],
        resource: [{ id: 1 }, { id: 2 }, { code: 404, context: null, message: "Record with identifier '99999999' not found.", status_code: 404 }],
      }),
    );
  });

  it("group with aggregates (aliases COUNT_ALL, SUM_total)", async () => {
    const reply = await call("carol", "GET", "/_table/orders?fields=status,COUNT(*),SUM(total)&group=status&order=status");
    expect(reply.status).toBe(200);
    const rows = reply.body.resource as Array<{ status: string; COUNT_ALL: number; SUM_total: number }>;
    const expected = await sb.query<{ status: string; n: string }>("SELECT status, count(*) AS n FROM orders GROUP BY status ORDER BY status");
    expect(rows.map((r) => [r.status, r.COUNT_ALL])).toEqual(expected.map((r) => [r.status, Number(r.n)]));
    expect((await call("carol", "GET", "/_table/orders?fields=status,COUNT(*)")).body).toEqual(error(400, "Invalid field requested: COUNT(*)"));
  });

  it("the unversioned /api prefix works; custom lookups ({tenant_id}) are substituted; related= is refused", async () => {
    expect((await call("carol", "GET", "/api/db/_table/orders?limit=2")).body.resource).toHaveLength(2);
    const lookup = await call("alice", "GET", `/_table/orders?filter=${encodeURIComponent("({tenant_id} = 1)")}`);
    expect(lookup.body).toEqual(error(400, "Invalid or unparsable field in filter request: 'tenant-sales'"));
    expect((await call("carol", "GET", "/_table/orders?limit=1&related=customers_by_customer_id")).status).toBe(400);
  });

  it("bad options answer DreamFactory's 400s", async () => {
    expect((await call("carol", "GET", "/_table/orders?fields=id,nope")).body).toEqual(error(400, "Invalid field requested: nope"));
    expect((await call("carol", "GET", "/_table/orders?order=nope")).body).toEqual(error(400, "Invalid field 'nope' in order by clause."));
    expect((await call("carol", "GET", "/_table/orders?order=id;drop")).body).toEqual(error(400, "Invalid order by clause in request."));
    expect((await call("carol", "GET", "/_table/orders?group=nope")).body).toEqual(error(400, "Invalid or unknown field 'nope' in group by clause."));
    expect((await call("carol", "GET", "/_table/orders?filter=nope%3D1")).body).toEqual(error(400, "Invalid or unparsable field in filter request: 'nope'"));
  });

  it("options as top-level body keys, GET tunnelled through POST (X-HTTP-Method)", async () => {
    const reply = await call("carol", "POST", "/_table/orders", {
      headers: { "X-HTTP-Method": "GET" },
      body: { filter: "status = open", fields: "id,status", limit: 3 },
    });
    expect(reply.status).toBe(200);
    expect(reply.body.resource).toHaveLength(3);
    expect(reply.body.resource.every((r: any) => r.status === "open" && Object.keys(r).length === 2)).toBe(true);
    const byRecords = await call("carol", "POST", "/_table/orders?fields=id", { headers: { "X-HTTP-Method": "GET" }, body: { resource: [{ id: 2 }, { id: 1 }] } });
    expect(byRecords.body).toEqual({ resource: [{ id: 2 }, { id: 1 }] });
  });
});

describe("writes and batch semantics (§2.2.3, §2.2.5)", () => {
  const product = (sku: string, extra: Record<string, unknown> = {}) => ({ sku, name: `Product ${sku}`, category: "test", price: 9.5, ...extra });

  it("POST needs a record array; answers 200 with ids, or full records with fields=*", async () => {
    const bare = await call("admin", "POST", "/_table/products", { body: product("T-0") });
    expect(bare.body).toEqual(
      error(400, "No record(s) detected in request. Please make sure record(s) are wrapped in a 'resource' tag. Example: {&quot;resource&quot;:[{&quot;record&quot;:1},{&quot;record&quot;:2}]}"),
    );
    const created = await call("admin", "POST", "/_table/products", { body: { resource: [product("T-1"), product("T-2")] } });
    expect(created.status).toBe(200);
    expect(created.body.resource).toEqual([{ id: expect.any(Number) }, { id: expect.any(Number) }]);
    const full = await call("admin", "POST", "/_table/products?fields=*", { body: [product("T-3", { name: "Café ☕" })] });
    expect(full.body.resource[0]).toMatchObject({ sku: "T-3", name: "Café ☕", category: "test", price: 9.5, active: true });
    expect(full.text).toContain("Caf\\u00e9 \\u2615");
    expect((await call("admin", "POST", "/_table/products/5", { body: { resource: [product("T-x")] } })).body).toEqual(
      error(400, "Create record by identifier not currently supported."),
    );
  });

  it("default mode stops at the first failure and keeps earlier records", async () => {
    const reply = await call("admin", "POST", "/_table/products", { body: { resource: [product("D-1"), { sku: "D-2" }, product("D-3")] } });
    expect(reply.status).toBe(400);
    expect(reply.body.error.code).toBe(1000);
    expect(reply.body.error.message).toBe("Batch Error: Not all requested records could be created.");
    expect(reply.body.error.context.error).toEqual([1]);
    expect(reply.body.error.context.resource).toEqual([
      { id: expect.any(Number) },
      { code: 400, context: null, message: "Required field 'name' can not be NULL.", status_code: 400 },
    ]);
    expect(await count("SELECT count(*) AS n FROM products WHERE sku LIKE 'D-%'")).toBe(1);
  });

  it("continue processes every record; rollback undoes everything; both together are refused", async () => {
    const cont = await call("admin", "POST", "/_table/products?continue=true", { body: { resource: [product("C-1"), { sku: "C-2" }, product("C-3")] } });
    expect(cont.body.error.context.error).toEqual([1]);
    expect(cont.body.error.context.resource).toHaveLength(3);
    expect(await count("SELECT count(*) AS n FROM products WHERE sku LIKE 'C-%'")).toBe(2);

    const rb = await call("admin", "POST", "/_table/products?rollback=true", { body: { resource: [product("R-1"), product("R-1")] } });
    expect(rb.status).toBe(400);
    expect(rb.body.error.message).toBe("Batch Error: Not all requested records could be created. All changes rolled back.");
    expect(rb.body.error.context.resource[0]).toEqual({ id: expect.any(Number) });
    expect(rb.body.error.context.resource[1].message).toMatch(/^Failed to create records in 'products'\./);
    expect(await count("SELECT count(*) AS n FROM products WHERE sku LIKE 'R-%'")).toBe(0);

    expect((await call("admin", "POST", "/_table/products?continue=true&rollback=true", { body: [product("X-1")] })).body).toEqual(
      error(400, "Rollback and continue operations can not be requested at the same time."),
    );
  });

  it("PUT/PATCH by id, by ids (first record applied to all), by filter and by body records", async () => {
    const made = await call("admin", "POST", "/_table/products", { body: [product("U-1"), product("U-2"), product("U-3")] });
    const [a, b, c] = made.body.resource.map((r: any) => r.id as number);
    expect((await call("admin", "PUT", `/_table/products/${a}`, { body: { price: 1 } })).body).toEqual({ id: a });
    expect((await call("admin", "PATCH", `/_table/products/99999999`, { body: { price: 1 } })).body).toEqual(
      error(404, "Record with identifier '99999999' not found."),
    );
    expect((await call("admin", "PATCH", `/_table/products?ids=${b},${c}`, { body: [{ price: 2 }] })).body).toEqual({ resource: [{ id: b }, { id: c }] });
    expect(await count("SELECT count(*) AS n FROM products WHERE sku LIKE 'U-%' AND price = 2")).toBe(2);
    const byFilter = await call("admin", "PATCH", `/_table/products?filter=${encodeURIComponent("sku like 'U-%'")}&fields=id,price`, { body: { resource: [{ price: 3 }] } });
    expect(byFilter.body).toEqual({ resource: [{ id: a, price: 3 }, { id: b, price: 3 }, { id: c, price: 3 }] });
    const records = await call("admin", "PATCH", "/_table/products", { body: [{ id: a, price: 4 }, { price: 5 }] });
    expect(records.body.error.context).toEqual({
      error: [1],
      resource: [{ id: a }, { code: 400, context: null, message: "Required id field(s) not found in record 1: id", status_code: 400 }],
    });
    const tunnelled = await call("admin", "POST", `/_table/products/${a}`, { headers: { "X-HTTP-Method": "PATCH" }, body: { price: 6 } });
    expect(tunnelled.body).toEqual({ id: a });
    expect(await count("SELECT count(*) AS n FROM products WHERE id = $1 AND price = 6", [a])).toBe(1);
  });

  it("DELETE by id, ids, body records and filter; nothing given is 400", async () => {
    const made = await call("admin", "POST", "/_table/products", { body: [1, 2, 3, 4, 5].map((i) => product(`X-${i}`)) });
    const ids = made.body.resource.map((r: any) => r.id as number);
    expect((await call("admin", "DELETE", "/_table/products")).body).toEqual(error(400, "No filter or records given for delete request."));
    expect((await call("admin", "DELETE", `/_table/products/${ids[0]}`)).body).toEqual({ id: ids[0] });
    expect((await call("admin", "DELETE", `/_table/products?ids=${ids[1]}`)).body).toEqual({ resource: [{ id: ids[1] }] });
    expect((await call("admin", "DELETE", "/_table/products", { body: { resource: [{ id: ids[2] }] } })).body).toEqual({ resource: [{ id: ids[2] }] });
    expect((await call("admin", "DELETE", `/_table/products?filter=${encodeURIComponent("sku like 'X-%'")}`)).body).toEqual({
      resource: [{ id: ids[3] }, { id: ids[4] }],
    });
    expect(await count("SELECT count(*) AS n FROM products WHERE sku LIKE 'X-%'")).toBe(0);
  });
});

describe("schema (§2.3, §10.7)", () => {
  it("lists and describes tables the role may see", async () => {
    expect((await call("dave", "GET", "/_schema?as_list=true")).body).toEqual({ resource: ["customers", "kb_articles", "products"] });
    const orders = await call("alice", "GET", "/_schema/orders");
    expect(orders.body).toMatchObject({ name: "orders", primary_key: ["id"], access: 1 });
    expect(orders.body.field.map((f: any) => f.name)).toContain("sales_rep_id");
    expect((await call("alice", "GET", "/_schema/orders/_field/total")).body).toMatchObject({ name: "total", type: "decimal" });
    expect((await call("dave", "GET", "/_schema/orders")).status).toBe(403);
    expect((await call("carol", "GET", "/_schema/nope")).body).toEqual(error(404, "Table &quot;nope&quot; does not exist in the database."));
    expect((await call("admin", "POST", "/_schema", { body: { resource: [] } })).status).toBe(501);
  });
});

describe("bad input never crashes the server and never touches data", () => {
  it("malformed JSON → 400; a body over 1 MiB → 413", async () => {
    expect((await call("admin", "POST", "/_table/products", { raw: "{not json", headers: { "Content-Type": "application/json" } })).body).toEqual(
      error(400, "Request body is not valid JSON."),
    );
    const huge = await call("admin", "POST", "/_table/products", { raw: Buffer.alloc(2 * 1024 * 1024, 0x20), headers: { "Content-Type": "application/json" } });
    expect(huge.status).toBe(413);
    expect(huge.body.error.status_code).toBe(413);
  });

  it("path traversal and encoded slashes are refused before anything runs", async () => {
    const products = await count("SELECT count(*) AS n FROM products");
    for (const path of ["/_table/../_schema", "/_table/%2e%2e/x", "/_table/orders%2F1", "/_table/orders%5c1", "/_table/.%2E/orders", "/_table/orders/%00"]) {
      const reply = await rawRequest("GET", `/api/v2/db${path}`);
      expect({ path, status: reply.status }).toEqual({ path, status: 400 });
      expect(JSON.parse(reply.body).error.code).toBe(400);
    }
    expect((await rawRequest("DELETE", "/api/v2/db/_table/products/..")).status).toBe(400);
    expect(await count("SELECT count(*) AS n FROM products")).toBe(products);
  });

  it("SQL-looking values are bound, not executed", async () => {
    const filter = encodeURIComponent("name = '; DROP TABLE products; --'");
    expect((await call("admin", "GET", `/_table/products?filter=${filter}`)).body).toEqual({ resource: [] });
    expect((await call("admin", "GET", "/_table/products?ids=1%20OR%201%3D1")).body).toEqual(error(400, "Field 'id' must be a valid integer."));
    expect((await call("admin", "GET", `/_table/${encodeURIComponent("products; DROP TABLE orders")}`)).status).toBe(404);
    expect(await count("SELECT count(*) AS n FROM orders")).toBeGreaterThan(0);
    expect(await count("SELECT count(*) AS n FROM products")).toBeGreaterThan(0);
  });

  it("a burst of junk requests gets 4xx answers (never a 5xx) and leaves the data alone", async () => {
    const orders = await count("SELECT count(*) AS n FROM orders");
    let seed = 7;
    const pick = <T,>(list: readonly T[]): T => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return list[seed % list.length] as T;
    };
    const pieces = ["_table", "orders", "_schema", "..", "%2e", "%zz", "%00", "'", "%22", ";", "{user.id}", "(", ")", "*", "%2F", "%C3%A9", "%20", "7"];
    const queries = ["", "?filter=%28", "?filter=id%3D%27", "?ids=,,", "?limit=-1&offset=-5", "?order=%3B", "?fields=*,*", "?group=(", "?filter={session.token}"];
    const bodies = [undefined, "{", "[]", '{"resource":[1,2]}', '{"resource":[{"x":1}]}', "null", '"text"', "123", '{"ids":"a,b"}'];
    const statuses: number[] = [];
    for (let i = 0; i < 80; i++) {
      const path = `/api/v2/db/${[pick(pieces), pick(pieces), pick(pieces)].join("/")}${pick(queries)}`;
      statuses.push((await rawRequest(pick(["GET", "POST", "PUT", "PATCH", "DELETE"]), path, pick(bodies), "carol")).status);
    }
    expect(statuses.filter((s) => s < 400 || s >= 500)).toEqual(statuses.filter((s) => s < 400));
    expect(await count("SELECT count(*) AS n FROM orders")).toBe(orders);
  });

  it("unsupported verbs → 405; paths outside /api → 404; the server keeps answering", async () => {
    expect((await rawRequest("PROPFIND", "/api/v2/db/_table/orders")).status).toBe(405);
    expect((await rawRequest("GET", "/nothing-here")).status).toBe(404);
    expect((await call("carol", "GET", "/_table/orders?limit=1")).status).toBe(200);
  });
});

describe("DELETE force=true applies the role's row filter (runs last: empties alice's orders)", () => {
  it("alice's forced delete removes only her own orders", async () => {
    const bobBefore = await count("SELECT count(*) AS n FROM orders WHERE sales_rep_id = 2");
    expect((await call("alice", "DELETE", "/_table/orders")).status).toBe(400);
    expect((await call("alice", "DELETE", "/_table/orders?force=true")).body).toEqual({ success: true });
    expect(await count("SELECT count(*) AS n FROM orders WHERE sales_rep_id = 1")).toBe(0);
    expect(await count("SELECT count(*) AS n FROM orders WHERE sales_rep_id = 2")).toBe(bobBefore);
  });
});

/** A request with a raw, unnormalised path (fetch would resolve `..`). */
function rawRequest(method: string, path: string, body?: string, who: keyof typeof tokens = "admin"): Promise<{ status: number; body: string }> {
  const url = new URL(sb.url);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        method,
        path,
        headers: {
          "X-DreamFactory-API-Key": sb.apiKey,
          "X-DreamFactory-Session-Token": tokens[who],
          ...(body === undefined ? {} : { "Content-Type": "application/json", "Content-Length": String(Buffer.byteLength(body)) }),
        },
      },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => (body += c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

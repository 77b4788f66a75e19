import { BaseCallbackHandler } from "@langchain/core/callbacks/base";
import { ToolInputParsingException, type StructuredToolInterface } from "@langchain/core/tools";
import { describe, expect, it } from "vitest";
import { DreamFactoryClient } from "../src/client/index.js";
import { isDreamFactoryError } from "../src/errors/index.js";
import { DreamFactoryCredential, withDreamFactoryUser } from "../src/identity/index.js";
import { startSandbox } from "../src/testing/index.js";
import { DreamFactoryToolkit, QueryRecordsTool } from "../src/tools/index.js";
import { callTool, loginUsers, rowsOf, toolNamed } from "./tools-harness.js";
import { useResource } from "./support/sandbox-fixture.js";

let client: DreamFactoryClient;
let tools: StructuredToolInterface[];
const cred: Record<"alice" | "bob" | "carol" | "dave", DreamFactoryCredential> = {} as never;

const as = (user: keyof typeof cred) => withDreamFactoryUser(cred[user]);
const tool = (name: string) => toolNamed(tools, `dreamfactory_${name}`);
const count = async (sql: string, params: unknown[] = []) => Number((await sb.query<{ n: string | number }>(sql, params))[0]?.n);

const sb = useResource(
  () => startSandbox({ ...(process.env.TEST_DATABASE_URL ? { database: process.env.TEST_DATABASE_URL } : {}) }),
  async () => {
    client = new DreamFactoryClient({ baseUrl: sb.url, apiKey: sb.apiKey });
    tools = new DreamFactoryToolkit({ client, service: sb.service }).getTools();
    const [alice, bob, carol, dave] = await loginUsers(sb, [sb.users.alice, sb.users.bob, sb.users.carol, sb.users.dave]);
    Object.assign(cred, { alice, bob, carol, dave });
  },
);

/** Runs `fn` and returns how many requests reached the sandbox meanwhile. */
async function requestsDuring(fn: () => Promise<unknown>): Promise<number> {
  const before = sb.requestCount();
  await fn();
  return sb.requestCount() - before;
}

describe("dreamfactory_list_tables", () => {
  it("lists what each user's role may read, intersected with the allowlist", async () => {
    const alice = await callTool(tool("list_tables"), {}, as("alice"));
    expect(alice.content.tables).toEqual(expect.arrayContaining(["customers", "orders", "products"]));
    const dave = await callTool(tool("list_tables"), {}, as("dave"));
    expect(dave.content.tables).toEqual(expect.arrayContaining(["customers", "products", "kb_articles"]));
    expect(dave.content.tables).not.toContain("orders");
    expect(dave.receipt.actedAs).toEqual({ userId: 4, email: sb.users.dave.email });

    const narrow = new DreamFactoryToolkit({ client, service: sb.service, tables: ["ORDERS", "customers"] }).getTools();
    const listed = await callTool(toolNamed(narrow, "dreamfactory_list_tables"), {}, as("alice"));
    expect([...(listed.content.tables as string[])].sort()).toEqual(["customers", "orders"]);
    expect(listed.receipt.count).toBe(2);
  });
});

describe("dreamfactory_describe_table", () => {
  it("describes columns, keys and references compactly", async () => {
    const { content, receipt } = await callTool(tool("describe_table"), { table: "orders" }, as("alice"));
    const columns = content.columns as Array<{ name: string; type: string; references?: string; primary_key?: boolean }>;
    expect(columns.map((c) => c.name)).toEqual(expect.arrayContaining(["id", "customer_id", "sales_rep_id", "status", "total"]));
    expect(columns.find((c) => c.name === "customer_id")?.references).toBe("customers.id");
    expect(columns.find((c) => c.name === "id")?.primary_key).toBe(true);
    expect(receipt.outcome).toBe("ok");
  });

  it("tells dave he is not permitted to see the orders schema", async () => {
    const { content, receipt } = await callTool(tool("describe_table"), { table: "orders" }, as("dave"));
    expect(content.error).toBe("not_permitted");
    expect(String(content.message)).toMatch(/do not retry/);
    expect(receipt.outcome).toBe("denied");
  });
});

describe("dreamfactory_query_records: per-user results", () => {
  it("alice sees only her own orders (sales_rep_id 1), with the true total", async () => {
    const { content, receipt } = await callTool(tool("query_records"), { table: "orders", order: "id asc" }, as("alice"));
    const rows = rowsOf(content);
    expect(rows.length).toBe(100);
    expect(rows.every((r) => r.sales_rep_id === 1)).toBe(true);
    expect(content.total).toBe(await count("SELECT count(*) AS n FROM orders WHERE sales_rep_id = 1"));
    expect(receipt).toMatchObject({ actedAs: { userId: 1, email: sb.users.alice.email }, table: "orders", limit: 100, offset: 0, count: 100 });
  });

  it("bob sees only his, carol sees every rep's orders", async () => {
    const bob = await callTool(tool("query_records"), { table: "orders", fields: ["id", "sales_rep_id"] }, as("bob"));
    expect(rowsOf(bob.content).every((r) => r.sales_rep_id === 2)).toBe(true);
    expect(bob.content.total).toBe(await count("SELECT count(*) AS n FROM orders WHERE sales_rep_id = 2"));
    const carol = await callTool(tool("query_records"), { table: "orders", fields: ["id", "sales_rep_id"] }, as("carol"));
    expect(carol.content.total).toBe(await count("SELECT count(*) AS n FROM orders"));
    expect(new Set(rowsOf(carol.content).map((r) => r.sales_rep_id)).size).toBeGreaterThan(2);
  });

  it("dave gets a not-permitted result for orders (a 403 that really reached DreamFactory)", async () => {
    sb.clearAudit();
    const { content, receipt } = await callTool(tool("query_records"), { table: "orders" }, as("dave"));
    expect(content).toMatchObject({ error: "not_permitted" });
    expect(String(content.message)).toMatch(/not permitted to read table "orders"/);
    expect(receipt).toMatchObject({ outcome: "denied", errorCode: "forbidden", count: 0, requests: 1 });
    const audit = await sb.audit();
    expect(audit.map((a) => [a.email, a.status, a.traceId])).toEqual([[sb.users.dave.email, 403, receipt.traceId]]);
  });

  it("compiles where, validates filter, combines them as (a) AND (b), and sends exactly that", async () => {
    const { content, receipt } = await callTool(
      tool("query_records"),
      {
        table: "orders",
        where: [{ field: "status", op: "=", value: "open" }, { or: [{ field: "total", op: ">", value: 9000 }, { field: "total", op: "<", value: 100 }] }],
        filter: "(currency = EUR)",
        order: "total desc",
        fields: ["id", "status", "total", "currency", "sales_rep_id"],
      },
      as("carol"),
    );
    expect(receipt.filter).toBe("(status = 'open') AND ((total > 9000) OR (total < 100)) AND (currency = 'EUR')");
    expect(receipt.order).toBe("total DESC");
    const rows = rowsOf(content);
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) {
      expect(r.status).toBe("open");
      expect(r.currency).toBe("EUR");
      expect((r.total as number) > 9000 || (r.total as number) < 100).toBe(true);
    }
    const totals = rows.map((r) => r.total as number);
    expect(totals).toEqual([...totals].sort((a, b) => b - a));
    expect(content.total).toBe(
      await count("SELECT count(*) AS n FROM orders WHERE status = 'open' AND (total > 9000 OR total < 100) AND currency = 'EUR'"),
    );
  });

  it("alice's where cannot widen her rows: asking for bob's orders returns nothing", async () => {
    const { content } = await callTool(tool("query_records"), { table: "orders", where: [{ field: "sales_rep_id", op: "=", value: 2 }] }, as("alice"));
    expect(rowsOf(content)).toEqual([]);
    expect(content.total).toBe(0);
  });
});

describe("dreamfactory_query_records: limits, paging, truncation", () => {
  it("caps limit at maxRecords, says showing N of M and where the next page starts", async () => {
    const small = new QueryRecordsTool({ client, service: sb.service, maxRecords: 10 });
    const page1 = await callTool(small, { table: "orders", limit: 500, order: "id asc", fields: ["id"] }, as("carol"));
    expect(rowsOf(page1.content)).toHaveLength(10);
    expect(page1.content).toMatchObject({ showing: 10, offset: 0, next_offset: 10, truncated: true });
    expect(String(page1.content.note)).toMatch(/capped at 10/);
    expect(String(page1.content.note)).toMatch(/showing 10 of \d+/);
    expect(page1.receipt).toMatchObject({ limit: 10, truncated: true, count: 10 });
    const page2 = await callTool(small, { table: "orders", limit: 5, offset: 10, order: "id asc", fields: ["id"] }, as("carol"));
    expect(rowsOf(page2.content).map((r) => r.id)).toEqual([11, 12, 13, 14, 15]);
    expect(page2.receipt.limit).toBe(5);
  });

  it("the last page is not truncated", async () => {
    const total = await count("SELECT count(*) AS n FROM orders WHERE sales_rep_id = 1");
    const { content, receipt } = await callTool(tool("query_records"), { table: "orders", offset: total - 3, fields: ["id"] }, as("alice"));
    expect(rowsOf(content)).toHaveLength(3);
    expect(content.truncated).toBe(false);
    expect(content.next_offset).toBeUndefined();
    expect(receipt.truncated).toBe(false);
  });

  it("refuses limit < 1 and negative offsets without a request", async () => {
    for (const args of [{ limit: 0 }, { offset: -1 }]) {
      let result!: Awaited<ReturnType<typeof callTool>>;
      expect(await requestsDuring(async () => (result = await callTool(tool("query_records"), { table: "orders", ...args }, as("carol"))))).toBe(0);
      expect(result.content.error).toBe("invalid_input");
    }
  });

  it("a DreamFactory 400 comes back with a hint naming the real columns", async () => {
    const { content, receipt } = await callTool(tool("query_records"), { table: "orders", where: [{ field: "bogus", op: "=", value: 1 }] }, as("alice"));
    expect(content.error).toBe("bad_request");
    expect(String(content.hint)).toMatch(/Columns of orders: .*customer_id/);
    expect(receipt.outcome).toBe("invalid_input");
  });
});

describe("refused before any request", () => {
  it("refuses lookups and ambiguous filters (no request reaches DreamFactory)", async () => {
    for (const args of [
      { filter: "({session.token} = 1)" },
      { filter: "(owner_id = {user.id})" },
      { where: [{ field: "status", op: "=", value: "{session.token}" }] },
      { filter: "status = open AND total > 5" },
      { filter: "NOT (status = 'open')" },
      { order: "{user.email} desc" },
      { fields: ["{session.token}"] },
    ]) {
      let result!: Awaited<ReturnType<typeof callTool>>;
      expect(await requestsDuring(async () => (result = await callTool(tool("query_records"), { table: "orders", ...args }, as("alice"))))).toBe(0);
      expect(result.content.error).toBe("invalid_input");
      expect(result.receipt.outcome).toBe("invalid_input");
      expect(JSON.stringify(result.content)).not.toMatch(/session\.token|user\.id|user\.email/);
    }
  });

  it("enforces the table allowlist client-side (scope_denied, zero requests)", async () => {
    const narrow = new DreamFactoryToolkit({ client, service: sb.service, tables: ["customers"] }).getTools();
    for (const name of ["query_records", "describe_table", "get_records", "aggregate"]) {
      const args: Record<string, unknown> = { table: "orders", ids: [1], aggregates: [{ function: "count" }] };
      let result!: Awaited<ReturnType<typeof callTool>>;
      expect(await requestsDuring(async () => (result = await callTool(toolNamed(narrow, `dreamfactory_${name}`), args, as("carol"))))).toBe(0);
      expect(result.content.error).toBe("not_permitted");
      expect(result.receipt).toMatchObject({ outcome: "denied", errorCode: "scope_denied", requests: 0 });
    }
  });

  it("refuses hostile table names (zero requests)", async () => {
    for (const table of ["../system/user", "orders/1", "orders%2F1", "оrders", "orders;", "", "orders ", "_table/orders", ".."]) {
      let result!: Awaited<ReturnType<typeof callTool>>;
      expect(await requestsDuring(async () => (result = await callTool(tool("query_records"), { table }, as("carol"))))).toBe(0);
      expect(result.content.error).toBe("invalid_input");
    }
  });

  it("throws typed credential errors with no credential or a raw token string (zero requests)", async () => {
    const token = await sb.login(sb.users.alice.email, sb.users.alice.password);
    const cases: Array<[Record<string, unknown>, string]> = [
      [{}, "credential_missing"],
      [{ configurable: {} }, "credential_missing"],
      [{ configurable: { dreamfactory: token } }, "credential_raw_string"],
      [{ context: { dreamfactory: token } }, "credential_raw_string"],
      [{ configurable: { dreamfactory: { token } } }, "credential_invalid"],
    ];
    for (const [config, code] of cases) {
      for (const t of tools) {
        let caught: unknown;
        const n = await requestsDuring(async () => {
          try {
            await t.invoke({ table: "orders", ids: [1], aggregates: [{ function: "count" }] }, config);
          } catch (e) {
            caught = e;
          }
        });
        expect(n).toBe(0);
        expect(isDreamFactoryError(caught)).toBe(true);
        expect((caught as { code: string }).code).toBe(code);
        expect(String((caught as Error).message)).not.toContain(token);
      }
    }
  });

  it("throws credential_expired for an expired credential (zero requests)", async () => {
    const token = await sb.login(sb.users.alice.email, sb.users.alice.password);
    const expired = DreamFactoryCredential.fromSessionToken(token);
    const later = withDreamFactoryUser(expired);
    const realNow = Date.now;
    let caught: unknown;
    const exp = expired.expiresAt.getTime();
    Date.now = () => exp + 1000;
    try {
      const n = await requestsDuring(async () => {
        try {
          await tool("query_records").invoke({ table: "orders" }, later);
        } catch (e) {
          caught = e;
        }
      });
      expect(n).toBe(0);
    } finally {
      Date.now = realNow;
    }
    expect((caught as { code?: string }).code).toBe("credential_expired");
  });
});

describe("dreamfactory_get_records", () => {
  it("returns the ids alice may see and reports the others as missing", async () => {
    const mine = (await sb.query<{ id: number }>("SELECT id FROM customers WHERE sales_rep_id = 1 ORDER BY id LIMIT 2")).map((r) => Number(r.id));
    const bobs = (await sb.query<{ id: number }>("SELECT id FROM customers WHERE sales_rep_id = 2 ORDER BY id LIMIT 1")).map((r) => Number(r.id));
    const ids = [mine[0], bobs[0], mine[1], 9_999_999] as number[];
    const { content, receipt } = await callTool(tool("get_records"), { table: "customers", ids, fields: ["id", "name", "sales_rep_id"] }, as("alice"));
    expect(rowsOf(content).map((r) => r.id)).toEqual(mine);
    expect(rowsOf(content).every((r) => r.sales_rep_id === 1)).toBe(true);
    expect(content.missing).toEqual([bobs[0], 9_999_999]);
    expect(receipt).toMatchObject({ outcome: "partial", count: 2, ids });
  });

  it("carol gets all of them", async () => {
    const { content, receipt } = await callTool(tool("get_records"), { table: "customers", ids: [1, 2, 3] }, as("carol"));
    expect(rowsOf(content).map((r) => r.id)).toEqual([1, 2, 3]);
    expect(content.missing).toBeUndefined();
    expect(receipt.outcome).toBe("ok");
  });

  it("validates ids before any request", async () => {
    for (const ids of [["1,2"], ["a b"], [1.5], ["{session.token}"]]) {
      let result: Awaited<ReturnType<typeof callTool>> | undefined;
      let caught: unknown;
      const n = await requestsDuring(async () => {
        try {
          result = await callTool(tool("get_records"), { table: "customers", ids }, as("carol"));
        } catch (e) {
          caught = e; // schema-level refusal (e.g. 1.5 is not an integer)
        }
      });
      expect(n).toBe(0);
      expect(result?.content.error ?? (caught instanceof ToolInputParsingException && "schema")).toMatch(/invalid_input|schema/);
    }
  });
});

describe("dreamfactory_aggregate", () => {
  it("counts and sums per status over carol's rows, equal to SQL", async () => {
    const { content, receipt } = await callTool(
      tool("aggregate"),
      { table: "orders", group_by: ["status"], aggregates: [{ function: "count" }, { function: "sum", field: "total" }], order: "COUNT_ALL desc" },
      as("carol"),
    );
    const expected = await sb.query<{ status: string; n: string; s: string }>(
      "SELECT status, count(*) AS n, sum(total) AS s FROM orders GROUP BY status ORDER BY count(*) DESC, status",
    );
    const rows = rowsOf(content);
    expect(rows.map((r) => [r.status, r.COUNT_ALL])).toEqual(expected.map((e) => [e.status, Number(e.n)]));
    for (const r of rows) {
      const e = expected.find((x) => x.status === r.status);
      expect(r.SUM_total as number).toBeCloseTo(Number(e?.s), 2);
    }
    expect(["server", "client"]).toContain(receipt.aggregation);
  });

  it("alice's aggregates cover only her rows; counting without grouping works", async () => {
    const { content } = await callTool(tool("aggregate"), { table: "orders", aggregates: [{ function: "count" }, { function: "max", field: "total" }] }, as("alice"));
    const [row] = rowsOf(content);
    const truth = (await sb.query<{ n: string; m: string }>("SELECT count(*) AS n, max(total) AS m FROM orders WHERE sales_rep_id = 1"))[0];
    expect(row?.COUNT_ALL).toBe(Number(truth?.n));
    expect(Number(row?.MAX_total)).toBeCloseTo(Number(truth?.m), 2);
    const onlyCount = await callTool(tool("aggregate"), { table: "orders", aggregates: [{ function: "count" }], where: [{ field: "status", op: "=", value: "open" }] }, as("alice"));
    expect(rowsOf(onlyCount.content)[0]?.COUNT_ALL).toBe(await count("SELECT count(*) AS n FROM orders WHERE sales_rep_id = 1 AND status = 'open'"));
  });

  it("more groups than one answer holds is refused, never a top-N computed from an arbitrary part of the groups", async () => {
    const groups = await count("SELECT count(DISTINCT customer_id) AS n FROM orders");
    expect(groups).toBeGreaterThan(1000);
    const { content, receipt } = await callTool(
      tool("aggregate"),
      { table: "orders", group_by: ["customer_id"], aggregates: [{ function: "sum", field: "total" }], order: "SUM_total desc", limit: 5 },
      as("carol"),
    );
    expect(content.error).toBe("too_many_groups");
    expect(receipt.outcome).toBe("invalid_input");
    // Narrowed below the cap it answers, and the top group is the true top group.
    const narrowed = await callTool(
      tool("aggregate"),
      { table: "orders", group_by: ["customer_id"], aggregates: [{ function: "sum", field: "total" }], order: "SUM_total desc", limit: 1, where: [{ field: "customer_id", op: "<", value: 500 }] },
      as("carol"),
    );
    const top = (await sb.query<{ customer_id: number }>(
      "SELECT customer_id FROM orders WHERE customer_id < 500 GROUP BY customer_id ORDER BY sum(total) DESC LIMIT 1",
    ))[0];
    expect(rowsOf(narrowed.content)[0]?.customer_id).toBe(top?.customer_id);
  });

  it("dave is not permitted to aggregate orders", async () => {
    const { content, receipt } = await callTool(tool("aggregate"), { table: "orders", aggregates: [{ function: "count" }], group_by: ["status"] }, as("dave"));
    expect(content.error).toBe("not_permitted");
    expect(receipt.outcome).toBe("denied");
  });
});

describe("the run's AbortSignal", () => {
  it("is passed to the request: aborting a slow call rejects at once", async () => {
    sb.setFaults({ latencyMs: 3000 });
    try {
      const controller = new AbortController();
      const started = Date.now();
      setTimeout(() => controller.abort(), 100);
      const err = await tool("query_records")
        .invoke({ table: "orders", limit: 1 }, { ...as("carol"), signal: controller.signal })
        .catch((e: unknown) => e);
      expect(Date.now() - started).toBeLessThan(2000);
      expect(err).toBeInstanceOf(Error);
      expect(isDreamFactoryError(err) ? err.code : (err as Error).name).toMatch(/aborted|AbortError/);
    } finally {
      sb.setFaults(null);
    }
  });
});

describe("resolveCredential option", () => {
  it("reads the credential from where the app keeps it (e.g. LangGraph Platform's langgraph_auth_user)", async () => {
    const custom = new DreamFactoryToolkit({
      baseUrl: sb.url,
      apiKey: sb.apiKey,
      service: sb.service,
      resolveCredential: (config) => (config.configurable?.langgraph_auth_user as { dreamfactory?: DreamFactoryCredential } | undefined)?.dreamfactory,
    }).getTools();
    const { receipt, content } = await callTool(
      toolNamed(custom, "dreamfactory_query_records"),
      { table: "orders", fields: ["sales_rep_id"], limit: 3 },
      { configurable: { langgraph_auth_user: { dreamfactory: cred.bob } } },
    );
    expect(receipt.actedAs.userId).toBe(2);
    expect(rowsOf(content).every((r) => r.sales_rep_id === 2)).toBe(true);
  });
});

describe("trace ids", () => {
  it("sends the tool run id (config.runId) as X-DreamFactory-Trace-Id and records it in the receipt", async () => {
    sb.clearAudit();
    const runId = "0f8fad5b-d9cb-469f-a165-70867728950e";
    const { receipt } = await callTool(tool("query_records"), { table: "orders", limit: 1 }, { ...as("bob"), runId });
    expect(receipt.traceId).toBe(runId);
    const audit = await sb.audit();
    expect(audit.map((a) => [a.traceId, a.email, a.status])).toEqual([[runId, sb.users.bob.email, 200]]);
  });

  it("uses the run id LangChain assigns to the tool run when callbacks are active", async () => {
    sb.clearAudit();
    const started: string[] = [];
    const handler = BaseCallbackHandler.fromMethods({
      handleToolStart(_tool, _input, runId) {
        started.push(runId);
      },
    });
    const { receipt } = await callTool(tool("get_records"), { table: "customers", ids: [1] }, { ...as("carol"), callbacks: [handler] });
    expect(started).toHaveLength(1);
    expect(receipt.traceId).toBe(started[0]);
    expect((await sb.audit()).map((a) => a.traceId)).toEqual(started);
  });
});

/**
 * Security suite, attack 4 — hostile model input. The model controls every tool argument, so it is treated as an
 * attacker: path tricks and look-alike characters in table names, filter injection, DreamFactory lookups
 * (`{session.token}`, `{app.api_key}`, modifiers) planted in values, field names, order, fields and record values,
 * giant limits, negative offsets, 10k-element id lists, deep nesting, oversized strings and unknown fields.
 * Every attempt gets a clear model-facing error (or a safe clamp), nothing outside the user's scope is touched
 * (refused inputs send no request — the sandbox's counter and audit log prove it — and accepted ones return only
 * the user's rows), and no token or API key ever comes back.
 */
import { ToolMessage } from "@langchain/core/messages";
import type { StructuredToolInterface } from "@langchain/core/tools";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DreamFactoryClient } from "../src/client/index.js";
import { compileWhere, parseFilter, type WhereNode } from "../src/filter/index.js";
import { withDreamFactoryUser } from "../src/identity/index.js";
import { startSandbox, type Sandbox } from "../src/testing/index.js";
import { DreamFactoryToolkit, type DreamFactoryToolkitOptions } from "../src/tools/index.js";
import type { DreamFactoryWriteOptions } from "../src/tools/write/write-options.js";
import { buildAgent, planMessage, type PlannedCall } from "./security-support/agents.js";
import { atSandbox, codeOf, kbRetrievers, retrieverTool, sandboxOptions, signIn, type KbRetrievers, type SignedIn } from "./security-support/fixtures.js";
import { Tripwire } from "./security-support/tripwire.js";
import { RecordingClient } from "./retrievers-support.js";

let sb: Sandbox;
let alice: SignedIn;
let tools: StructuredToolInterface[];
let narrowTools: StructuredToolInterface[];
let recording: RecordingClient;
let retrievers: KbRetrievers;
let aliceOrders: number;
let wire: Tripwire;
const writesApproved: unknown[] = [];

beforeAll(async () => {
  sb = await startSandbox(sandboxOptions());
  alice = await signIn(sb, "alice");
  const client = new DreamFactoryClient({ baseUrl: sb.url, apiKey: sb.apiKey });
  const options: DreamFactoryToolkitOptions & { writes: DreamFactoryWriteOptions } = {
    client,
    service: sb.service,
    allowWrites: true,
    writes: {
      approve: (request) => {
        writesApproved.push(request);
        return true;
      },
    },
  };
  tools = new DreamFactoryToolkit(options).getTools();
  narrowTools = new DreamFactoryToolkit({ client, service: sb.service, tables: ["customers"], maxRecords: 50 }).getTools();
  recording = new RecordingClient({ baseUrl: sb.url, apiKey: sb.apiKey });
  retrievers = await kbRetrievers(sb, recording);
  aliceOrders = Number((await sb.query<{ n: number }>("SELECT count(*)::int AS n FROM orders WHERE sales_rep_id = 1"))[0]?.n);
  wire = new Tripwire([{ label: "API key", value: sb.apiKey }]);
  wire.addToken("alice token", alice.token);
});

afterAll(async () => {
  await sb?.close();
});

/** The outcome of one hostile call: the parsed tool content (or the thrown error) and what reached the sandbox. */
interface Attempt {
  content: Record<string, unknown> | undefined;
  error: unknown;
  requests: number;
  audit: Awaited<ReturnType<Sandbox["audit"]>>;
}

async function attempt(name: string, args: Record<string, unknown>, from: StructuredToolInterface[] = tools): Promise<Attempt> {
  const t = from.find((x) => x.name === `dreamfactory_${name}`);
  if (t === undefined) throw new Error(`no tool ${name}`);
  const { value, error, requests, audit } = await atSandbox(sb, () =>
    t.invoke({ type: "tool_call", id: "hostile", name: t.name, args }, withDreamFactoryUser(alice.credential)),
  );
  wire.observe("output", value);
  if (error !== undefined) wire.observeError("error", error);
  const content = ToolMessage.isInstance(value) ? (JSON.parse(String(value.content)) as Record<string, unknown>) : undefined;
  return { content, error, requests, audit };
}

/** Refused before anything was sent: a model-facing error (tool content or schema error) and no request. */
function expectRefused(a: Attempt, label: string, error: string | RegExp = /invalid_input|not_permitted/): void {
  expect(a.requests, `${label}: requests at the sandbox`).toBe(0);
  expect(a.audit, `${label}: audit`).toEqual([]);
  if (a.content !== undefined) {
    expect(String(a.content.error), `${label}: error`).toMatch(error);
    expect(typeof a.content.message, `${label}: message`).toBe("string");
  } else {
    // zod refused the arguments: LangChain's ToolInputParsingException names the bad argument
    expect(String((a.error as Error)?.message), `${label}: thrown`).toMatch(/did not match expected schema/);
  }
}

const ORDER_TOOLS = ["describe_table", "query_records", "get_records", "aggregate", "create_records", "update_records", "delete_records"];

function argsFor(name: string, table: string): Record<string, unknown> {
  switch (name) {
    case "get_records":
      return { table, ids: [1] };
    case "aggregate":
      return { table, aggregates: [{ function: "count" }] };
    case "create_records":
      return { table, records: [{ notes: "x" }] };
    case "update_records":
      return { table, ids: [1], changes: { notes: "x" } };
    case "delete_records":
      return { table, ids: [1] };
    default:
      return { table };
  }
}

describe("table names", () => {
  const HOSTILE_TABLES = [
    "../system/user", "..", "orders/../../system/user", "/orders", "orders/1", "system/user", "_table/orders", "%2e%2e",
    "%2e%2e%2fsystem%2fuser", "orders%2F1", "оrders" /* Cyrillic о */, "ｏｒｄｅｒｓ" /* fullwidth */, "orders\u200b",
    "ord\u0000ers", "orders;", "orders ", " orders", "orders?as_list=true", "orders#x", "*", "", "o".repeat(65),
    "{session.token}", "orders\u202e",
  ];
  it.each(ORDER_TOOLS)("%s refuses every hostile table name without a request", async (name) => {
    for (const table of HOSTILE_TABLES) expectRefused(await attempt(name, argsFor(name, table)), `${name} ${JSON.stringify(table)}`);
    expect(writesApproved).toEqual([]);
  });

  it("the app's allowlist holds against case, look-alikes and encodings; allowed tables still work in any case", async () => {
    for (const table of ["orders", "Orders", "ORDERS", "employees", "оrders", "customers/../orders", "customers%2F..%2Forders"]) {
      for (const name of ["describe_table", "query_records", "get_records", "aggregate"]) {
        expectRefused(await attempt(name, argsFor(name, table), narrowTools), `${name} ${table}`);
      }
    }
    const ok = await attempt("query_records", { table: "CUSTOMERS", limit: 3 }, narrowTools);
    expect(ok.requests).toBe(1);
    expect((ok.content?.rows as Array<{ sales_rep_id: number }>).every((r) => r.sales_rep_id === alice.id)).toBe(true);
  });
});

const LOOKUPS = [
  "{session.token}", "{session.id}", "{app.api_key}", "{user.email}", "{base64_encode(session.token)}",
  "{strtoupper(session.token)}", "{tenant_id}", "{df.host_url}", "x{session.token}y", "{ session.token }",
];

describe("DreamFactory lookups planted by the model", () => {
  it("in values, in lists, in raw filters, field names, fields, order, group_by and aggregate fields: refused, nothing sent", async () => {
    for (const lookup of LOOKUPS) {
      const cases: Array<[string, Record<string, unknown>]> = [
        ["query_records", { table: "orders", where: [{ field: "status", op: "=", value: lookup }] }],
        ["query_records", { table: "orders", where: [{ field: "status", op: "contains", value: lookup }] }],
        ["query_records", { table: "orders", where: [{ field: "status", op: "in", value: ["open", lookup] }] }],
        ["query_records", { table: "orders", where: [{ or: [{ field: "id", op: "=", value: 1 }, { field: "notes", op: "like", value: lookup }] }] }],
        ["query_records", { table: "orders", where: [{ field: lookup, op: "=", value: 1 }] }],
        ["query_records", { table: "orders", filter: `(status = '${lookup}')` }],
        ["query_records", { table: "orders", filter: `(${lookup} = 1)` }],
        ["query_records", { table: "orders", fields: ["id", lookup] }],
        ["query_records", { table: "orders", order: `${lookup} desc` }],
        ["get_records", { table: "orders", ids: [lookup] }],
        ["get_records", { table: "orders", ids: [1], fields: [lookup] }],
        ["aggregate", { table: "orders", aggregates: [{ function: "sum", field: lookup }] }],
        ["aggregate", { table: "orders", aggregates: [{ function: "count" }], group_by: [lookup] }],
        ["aggregate", { table: "orders", aggregates: [{ function: "count" }], filter: `(notes = ${lookup})` }],
        ["create_records", { table: "orders", records: [{ customer_id: 1, sales_rep_id: 1, total: 1, notes: lookup }] }],
        ["create_records", { table: "orders", records: [{ [lookup]: "x" }] }],
        ["update_records", { table: "orders", ids: [1], changes: { notes: lookup } }],
        ["update_records", { table: "orders", ids: [lookup], changes: { notes: "x" } }],
        ["delete_records", { table: "orders", ids: [lookup] }],
      ];
      for (const [name, args] of cases) {
        const a = await attempt(name, args);
        expectRefused(a, `${name} ${JSON.stringify(args)}`);
        if (a.content !== undefined) {
          expect(JSON.stringify(a.content), "the lookup is not echoed").not.toMatch(/session\.(token|id)|app\.api_key|base64_encode|strtoupper/);
        }
      }
    }
    expect(writesApproved).toEqual([]);
    wire.expectClean(["output"]);
  });

  it("encoded or look-alike braces are plain text: sent, bound as values, nothing substituted", async () => {
    for (const value of ["%7Bsession.token%7D", "｛session.token｝", "&#123;session.token&#125;", "\\u007Bsession.token\\u007D"]) {
      const a = await attempt("query_records", { table: "orders", where: [{ field: "notes", op: "=", value }] });
      expect(a.requests, value).toBe(1);
      expect(a.content?.rows, value).toEqual([]);
      expect(a.audit.map((e) => [e.userId, e.status])).toEqual([[alice.id, 200]]);
    }
    wire.expectClean(["output"]);
  });

  it("a retriever query full of lookups and operators becomes plain search terms; no brace reaches DreamFactory", async () => {
    for (const query of [...LOOKUPS, "refund') OR (1=1", "policy {user.email} (id IN (1,2)) ; DROP TABLE kb_articles"]) {
      recording.sent.length = 0;
      const { value, requests, audit } = await atSandbox(sb, () => retrievers.search.invoke(query, withDreamFactoryUser(alice.credential)));
      wire.observe("documents", value);
      expect(requests).toBeLessThanOrEqual(1);
      for (const req of recording.sent) expect(String(req.query?.filter), query).not.toMatch(/[{}=;']/);
      expect(audit.every((e) => e.userId === alice.id && e.status === 200)).toBe(true);
    }
    expect(Number((await sb.query<{ n: number }>("SELECT count(*)::int AS n FROM kb_articles"))[0]?.n)).toBeGreaterThan(0);
    wire.expectClean(["documents"]);
  });
});

describe("filter injection", () => {
  it("injection in values is either refused or bound as a plain value: alice's scope, no side effect", async () => {
    const before = await sb.query<{ n: number }>("SELECT (SELECT count(*) FROM orders)::int AS n");
    for (const value of [") OR (1=1", "open') OR ('1'='1", "open; DROP TABLE orders", "open -- ", "' OR 1=1 --", "open\nOR 1=1", "open) AND (sales_rep_id = 2"]) {
      for (const op of ["=", "contains", "like", "!="]) {
        const a = await attempt("query_records", { table: "orders", where: [{ field: "status", op, value }], limit: 100 });
        if (a.requests === 0) {
          expectRefused(a, `${op} ${value}`);
        } else {
          expect(a.requests, `${op} ${value}`).toBe(1);
          expect((a.content?.rows as Array<{ sales_rep_id: number }>).every((r) => r.sales_rep_id === alice.id), `${op} ${value}`).toBe(true);
          expect(a.audit.every((e) => e.userId === alice.id && e.status === 200)).toBe(true);
        }
      }
    }
    expect(await sb.query<{ n: number }>("SELECT (SELECT count(*) FROM orders)::int AS n")).toEqual(before);
  });

  it("malformed or SQL-looking raw filters are refused before any request", async () => {
    for (const filter of [
      "(status = 'open') OR (1=1)", "status = open OR 1=1", "((status = 'open')", "(status = 'open'))", "status = 'open' AND (",
      "(status = 'open') AND NOT (total > 1)", "NOT (sales_rep_id = 1)", "(status = 'open'); DROP TABLE orders",
      "status = 'open' UNION SELECT * FROM employees", "(total > (SELECT 1))", "(status = 'open') XOR (total > 1)",
      "(total BETWEEN 1 AND 5)", "(customers.country = 'DE')", "(status = 'open') AND (total > 1) OR (id = 1)", "status = ", "= 'open'",
      "(status = 'o'pen')",
    ]) {
      expectRefused(await attempt("query_records", { table: "orders", filter }), filter);
    }
  });

  it("valid filters that try to widen the scope still return only alice's rows", async () => {
    for (const args of [
      { filter: "(sales_rep_id = 2) OR (sales_rep_id != 2)" },
      { filter: "(sales_rep_id > 0) OR (sales_rep_id IS NULL)" },
      { where: [{ or: [{ field: "sales_rep_id", op: "=", value: 2 }, { field: "sales_rep_id", op: "!=", value: 2 }] }] },
      { where: [{ field: "sales_rep_id", op: "in", value: [1, 2, 3, 4, 5, 6, 7] }] },
    ]) {
      const a = await attempt("query_records", { table: "orders", ...args, limit: 100 });
      expect(a.requests).toBe(1);
      expect(a.content?.total, JSON.stringify(args)).toBe(aliceOrders);
      expect((a.content?.rows as Array<{ sales_rep_id: number }>).every((r) => r.sales_rep_id === alice.id)).toBe(true);
      const agg = await attempt("aggregate", { table: "orders", aggregates: [{ function: "count" }], ...args });
      expect(Number((agg.content?.rows as Array<{ COUNT_ALL: number }>)[0]?.COUNT_ALL)).toBe(aliceOrders);
    }
  });
});

describe("sizes and numbers", () => {
  it("a giant limit is clamped to the app's cap (and says so); a huge offset is harmless; bad numbers are refused", async () => {
    for (const limit of [1e9, Number.MAX_SAFE_INTEGER]) {
      const a = await attempt("query_records", { table: "orders", limit });
      expect(a.requests).toBe(1);
      expect((a.content?.rows as unknown[]).length).toBe(100);
      expect(String(a.content?.note)).toMatch(/capped at 100/);
    }
    const agg = await attempt("aggregate", { table: "orders", aggregates: [{ function: "count" }], group_by: ["customer_id"], limit: 1e9 });
    expect((agg.content?.rows as unknown[]).length).toBeLessThanOrEqual(100);
    const far = await attempt("query_records", { table: "orders", offset: 1e12, limit: 5 });
    expect(far.requests).toBe(1);
    expect(far.content?.rows).toEqual([]);
    for (const args of [{ limit: 0 }, { limit: -5 }, { offset: -1 }, { limit: 1.5 }, { limit: Infinity }, { limit: 1e308 }, { offset: Number.NaN }, { limit: "10" }]) {
      expectRefused(await attempt("query_records", { table: "orders", ...args }), JSON.stringify(args));
    }
  });

  it("10k-element id lists and IN lists, oversized strings and too many columns are refused before any request", async () => {
    const many = Array.from({ length: 10_000 }, (_, i) => i + 1);
    const big = "x".repeat(100_000);
    const cases: Array<[string, Record<string, unknown>, StructuredToolInterface[]?]> = [
      ["get_records", { table: "orders", ids: many }],
      ["get_records", { table: "orders", ids: many.slice(0, 101) }],
      ["get_records", { table: "customers", ids: many.slice(0, 51) }, narrowTools],
      ["update_records", { table: "orders", ids: many, changes: { notes: "x" } }],
      ["delete_records", { table: "orders", ids: many }],
      ["create_records", { table: "orders", records: many.map(() => ({ notes: "x" })) }],
      ["query_records", { table: "orders", where: [{ field: "id", op: "in", value: many }] }],
      ["query_records", { table: "orders", where: Array.from({ length: 500 }, () => ({ field: "id", op: ">", value: 1 })) }],
      ["query_records", { table: big }],
      ["query_records", { table: "orders", where: [{ field: "notes", op: "=", value: big }] }],
      ["query_records", { table: "orders", where: [{ field: big, op: "=", value: 1 }] }],
      ["query_records", { table: "orders", filter: `(notes = '${big}')` }],
      ["query_records", { table: "orders", order: `${big} desc` }],
      ["query_records", { table: "orders", fields: Array.from({ length: 1000 }, (_, i) => `c${i}`) }],
      ["update_records", { table: "orders", ids: [1], changes: { notes: big } }],
      ["update_records", { table: "orders", ids: [1], changes: Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`c${i}`, 1])) }],
    ];
    for (const [name, args, from] of cases) {
      const label = `${name} ${JSON.stringify(args).slice(0, 80)}`;
      expectRefused(await attempt(name, args, from), label);
    }
    expect(writesApproved).toEqual([]);
  });

  it("deeply nested conditions: refused by the schema, the filter parser or compileWhere — bounded, no stack overflow", async () => {
    const nestedFilter = (depth: number) => `${"(".repeat(depth)}(id = 1) OR (id = 2)${")".repeat(depth)}`;
    expectRefused(await attempt("query_records", { table: "orders", filter: nestedFilter(6) }), "6 levels");
    expectRefused(await attempt("query_records", { table: "orders", filter: nestedFilter(1990) }), "1990 levels");
    const deepWhere = (depth: number): WhereNode => {
      let node: WhereNode = { field: "id", op: "=", value: 1 };
      for (let i = 0; i < depth; i++) node = { or: [node, { field: "id", op: "=", value: 2 }] };
      return node;
    };
    expectRefused(await attempt("query_records", { table: "orders", where: [deepWhere(3)] }), "nested where (schema)");
    const started = performance.now();
    for (const depth of [5, 100, 10_000]) {
      let error: unknown;
      try {
        compileWhere(deepWhere(depth));
      } catch (e) {
        error = e;
      }
      expect(codeOf(error), `compileWhere depth ${depth}`).toBe("invalid_input");
    }
    expect(codeOf((() => { try { parseFilter(nestedFilter(1990)); } catch (e) { return e; } return undefined; })())).toBe("invalid_input");
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});

describe("unknown and extra arguments", () => {
  it("extra top-level keys are dropped: no credential, service or prototype can be smuggled in", async () => {
    const args = JSON.parse(
      '{"table":"orders","limit":2,"session_token":"x","api_key":"y","service":"system","configurable":{"dreamfactory":"z"},"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}',
    ) as Record<string, unknown>;
    const a = await attempt("query_records", args);
    expect(a.requests).toBe(1);
    expect(a.audit.map((e) => [e.userId, e.service, e.component])).toEqual([[alice.id, "db", "_table/orders"]]);
    expect((a.content?.rows as Array<{ sales_rep_id: number }>).every((r) => r.sales_rep_id === alice.id)).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("an unknown column is DreamFactory's 400, returned with the real column names; writes check columns before writing", async () => {
    const a = await attempt("query_records", { table: "orders", where: [{ field: "password", op: "=", value: "x" }] });
    expect(a.content?.error).toBe("bad_request");
    expect(String(a.content?.hint)).toMatch(/Columns of orders: .*sales_rep_id/);
    expect(a.audit.every((e) => e.userId === alice.id)).toBe(true);
    const w = await attempt("update_records", { table: "orders", ids: [1], changes: { password: "x" } });
    expect(w.content?.error).toBeDefined();
    expect(w.audit.map((e) => e.verb)).toEqual(["GET"]);
    expect(writesApproved).toEqual([]);
  });
});

describe("through an agent", () => {
  it("a hostile model's batch of tool calls: every one answered with an error message, no request for any of them", async () => {
    const plan: PlannedCall[] = [
      { name: "dreamfactory_query_records", args: { table: "../system/user" } },
      { name: "dreamfactory_query_records", args: { table: "orders", filter: "({session.token} = 1)" } },
      { name: "dreamfactory_query_records", args: { table: "orders", where: [{ field: "status", op: "=", value: "{app.api_key}" }] } },
      { name: "dreamfactory_get_records", args: { table: "orders", ids: Array.from({ length: 10_000 }, (_, i) => i) } },
      { name: "dreamfactory_query_records", args: { table: "orders", limit: Infinity } },
      { name: "dreamfactory_update_records", args: { table: "orders", ids: [1], changes: { notes: "{session.token}" } } },
      { name: "search_kb", args: { query: 42 } },
    ];
    const agentTools = [...tools, retrieverTool("search_kb", retrievers.search)];
    const { value, requests } = await atSandbox(sb, () => buildAgent("createAgent+configurable", agentTools).invoke({ messages: [planMessage(plan)] }, withDreamFactoryUser(alice.credential)));
    const results = (value?.messages ?? []).filter((m): m is ToolMessage => ToolMessage.isInstance(m));
    expect(requests).toBe(0);
    expect(results).toHaveLength(plan.length);
    for (const m of results) {
      const text = String(m.content);
      const refused = m.status === "error" || /"error":"(invalid_input|not_permitted)"/.test(text);
      expect(refused, `${m.name}: ${text.slice(0, 120)}`).toBe(true);
    }
    wire.observe("output", value);
    wire.expectClean(["output"]);
    expect(writesApproved).toEqual([]);
  });
});

/**
 * Security suite, attack 1 — token leaks. A tripwire (test/security-support/tripwire.ts) watches everything a
 * LangChain / LangGraph app can observe while every read tool, both retrievers and four agent frameworks run as
 * a user: every callback argument, a BaseTracer's runs, the payloads a LangChainTracer would send to LangSmith,
 * streamEvents v2, the LangGraph stream modes values/updates/messages/debug/checkpoints/tasks, a checkpointer's
 * put/putWrites arguments, storage and history, thrown errors (message, stack, cause), tool outputs and artifacts,
 * Documents, JSON/inspect/deep-walk views of every public object, and the sandbox's audit log. The session token,
 * its payload part, its signature part, its base64 forms and the API key must appear zero times — on the success
 * path and on every error path. Positive controls prove each capture mechanism finds a planted token.
 */
import { randomUUID } from "node:crypto";
import type { BaseMessage } from "@langchain/core/messages";
import { ToolMessage } from "@langchain/core/messages";
import { tool, type StructuredToolInterface } from "@langchain/core/tools";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { DreamFactoryClient } from "../src/client/index.js";
import { revealToken, withDreamFactoryUser } from "../src/identity/index.js";
import { startSandbox, type FaultOptions, type Sandbox } from "../src/testing/index.js";
import { DreamFactoryToolkit } from "../src/tools/index.js";
import { buildAgent, FRAMEWORKS, planMessage, runConfig, type Framework, type PlannedCall } from "./security-support/agents.js";
import { codeOf, kbRetrievers, retrieverTool, sandboxOptions, signIn, type SignedIn, USER_IDS, within } from "./security-support/fixtures.js";
import { MODIFIER_NAMES, modifierForms } from "./security-support/lookup-modifiers.js";
import { Tripwire } from "./security-support/tripwire.js";

const DAY_MS = 86_400_000;
const STREAM_MODES = ["values", "updates", "messages", "debug", "checkpoints", "tasks"] as const;

let sb: Sandbox;
/** DreamFactory's clock relative to ours (expired-token paths). */
let serverClockOffsetMs = 0;
/** Every token issued in this file (all of them are searched for in every test). */
const issued: string[] = [];
let customerIds: number[];

beforeAll(async () => {
  sb = await startSandbox(sandboxOptions({ now: () => Date.now() + serverClockOffsetMs }));
  customerIds = (await sb.query<{ id: number }>("SELECT id FROM customers WHERE sales_rep_id = 1 ORDER BY id LIMIT 3")).map((r) => Number(r.id));
});

afterAll(async () => {
  await sb?.close();
});

async function user(who: keyof typeof USER_IDS): Promise<SignedIn> {
  const u = await signIn(sb, who);
  issued.push(u.token);
  return u;
}

/** A tripwire armed with the users' tokens and the API key (any other token is still caught by its JWT shape). */
function tripwire(...users: SignedIn[]): Tripwire {
  const wire = new Tripwire([{ label: "API key", value: sb.apiKey }]);
  for (const u of users) wire.addToken(`token #${issued.indexOf(u.token) + 1}`, u.token);
  return wire;
}

interface Clients {
  plain: DreamFactoryClient;
  fast: DreamFactoryClient;
  refreshing: DreamFactoryClient;
}

/** Clients of one test; refreshed tokens are registered with the tripwire (they are secrets too). */
function clients(wire: Tripwire): Clients {
  return {
    plain: new DreamFactoryClient({ baseUrl: sb.url, apiKey: sb.apiKey }),
    fast: new DreamFactoryClient({ baseUrl: sb.url, apiKey: sb.apiKey, timeoutMs: 250, maxRetries: 1 }),
    refreshing: new DreamFactoryClient({
      baseUrl: sb.url,
      apiKey: sb.apiKey,
      onTokenRefresh: (next) => {
        const token = revealToken(next);
        issued.push(token);
        wire.addToken(`refreshed token #${issued.length}`, token);
      },
    }),
  };
}

/** The five read tools plus both retrievers as tools, on one client. */
async function toolsFor(client: DreamFactoryClient, retrieverOptions: { filter?: string; table?: string } = {}): Promise<StructuredToolInterface[]> {
  const { search, checked } = await kbRetrievers(sb, client, retrieverOptions);
  return [
    ...new DreamFactoryToolkit({ client, service: sb.service }).getTools(),
    retrieverTool("search_kb", search),
    retrieverTool("search_kb_checked", checked),
  ];
}

/** Calls every tool of the plan directly with a ToolCall and full callbacks; records outputs and errors. */
async function directCalls(wire: Tripwire, tools: StructuredToolInterface[], plan: PlannedCall[], credential: SignedIn["credential"]): Promise<Map<string, unknown>> {
  const outcomes = new Map<string, unknown>();
  for (const call of plan) {
    const t = tools.find((x) => x.name === call.name);
    if (t === undefined) throw new Error(`no tool ${call.name}`);
    const config = withDreamFactoryUser(credential, { callbacks: wire.callbacks() });
    try {
      const out = await t.invoke({ type: "tool_call", id: `direct_${randomUUID()}`, name: t.name, args: call.args }, config);
      wire.observe("output", out);
      outcomes.set(call.name, out);
    } catch (e) {
      wire.observeError("error", e);
      outcomes.set(call.name, e);
    }
  }
  return outcomes;
}

/**
 * One agent run watched on every channel: `stream` with all six modes plus callbacks and a spy checkpointer,
 * optionally a second run through `streamEvents` v2, then the checkpoint history and storage.
 */
async function agentRun(
  wire: Tripwire,
  framework: Framework,
  tools: StructuredToolInterface[],
  credential: SignedIn["credential"],
  plan: PlannedCall[],
  withEvents: boolean,
): Promise<BaseMessage[]> {
  const saver = wire.saver();
  const agent = buildAgent(framework, tools, saver);
  wire.observe("object:agent", agent);
  const thread = `leak-${randomUUID()}`;
  const config = runConfig(framework, credential, { configurable: { thread_id: thread }, callbacks: wire.callbacks() });
  let last: { messages?: BaseMessage[] } = {};
  const stream = await agent.stream({ messages: [planMessage(plan)] }, { ...config, streamMode: [...STREAM_MODES] });
  for await (const chunk of stream) {
    const [mode, payload] = chunk as [string, unknown];
    wire.observe(`stream:${mode}`, payload);
    if (mode === "values") last = payload as { messages?: BaseMessage[] };
  }
  if (withEvents) {
    const eventsConfig = runConfig(framework, credential, { configurable: { thread_id: `${thread}-events` }, callbacks: wire.callbacks() });
    for await (const event of agent.streamEvents({ messages: [planMessage(plan)] }, { ...eventsConfig, version: "v2" })) {
      wire.observe("streamEvents", event);
    }
  }
  for await (const snapshot of agent.getStateHistory({ configurable: { thread_id: thread } })) wire.observe("checkpointer:history", snapshot);
  wire.observe("checkpointer:storage", { storage: saver.storage, writes: (saver as unknown as { writes: unknown }).writes });
  wire.observe("output", last);
  return last.messages ?? [];
}

const EVERY_CHANNEL = [
  "callback:handleChainStart", "callback:handleChainEnd", "callback:handleChatModelStart", "callback:handleLLMEnd",
  "callback:handleToolStart", "callback:handleToolEnd", "callback:handleRetrieverStart", "callback:handleRetrieverEnd",
  "tracer:onRunCreate", "tracer:onRunUpdate", "tracer:persistRun", "langsmith",
  "stream:values", "stream:updates", "stream:messages", "stream:debug", "stream:checkpoints", "stream:tasks",
  "checkpointer:put", "checkpointer:putWrites", "checkpointer:history", "checkpointer:storage", "output", "audit",
];

function everyToolPlan(): PlannedCall[] {
  return [
    { name: "dreamfactory_list_tables", args: {} },
    { name: "dreamfactory_describe_table", args: { table: "orders" } },
    { name: "dreamfactory_query_records", args: { table: "orders", where: [{ field: "status", op: "=", value: "open" }], order: "total desc", limit: 5 } },
    { name: "dreamfactory_get_records", args: { table: "customers", ids: customerIds } },
    { name: "dreamfactory_aggregate", args: { table: "orders", aggregates: [{ function: "count" }, { function: "sum", field: "total" }], group_by: ["status"] } },
    { name: "search_kb", args: { query: "refund policy for damaged items" } },
    { name: "search_kb_checked", args: { query: "refund policy for damaged items" } },
  ];
}

describe("success paths: no secret on any channel", () => {
  it("every read tool and both retrievers called directly: outputs, artifacts, Documents, callbacks", async () => {
    const alice = await user("alice");
    const wire = tripwire(alice);
    const { plain } = clients(wire);
    const tools = await toolsFor(plain);
    sb.clearAudit();
    const outcomes = await directCalls(wire, tools, everyToolPlan(), alice.credential);
    for (const [name, out] of outcomes) {
      expect(ToolMessage.isInstance(out), `${name} returned a ToolMessage`).toBe(true);
      expect((out as ToolMessage).status, name).not.toBe("error");
    }
    const { search, checked } = await kbRetrievers(sb, plain);
    for (const r of [search, checked]) {
      const docs = await r.invoke("refund policy", withDreamFactoryUser(alice.credential, { callbacks: wire.callbacks() }));
      expect(docs.length).toBeGreaterThan(0);
      wire.observe("documents", docs);
    }
    const audit = await sb.audit();
    expect(audit.every((a) => a.userId === alice.id && a.status === 200)).toBe(true);
    wire.observe("audit", audit);
    await wire.settle();
    wire.expectClean(["output", "documents", "callback:handleToolEnd", "callback:handleRetrieverEnd", "tracer:persistRun", "langsmith", "audit"]);
  });

  it.each(FRAMEWORKS)("%s: every tool and retriever in one run, watched on every channel", async (framework) => {
    const alice = await user("alice");
    const wire = tripwire(alice);
    const tools = await toolsFor(clients(wire).plain);
    sb.clearAudit();
    const messages = await within(30_000, agentRun(wire, framework, tools, alice.credential, everyToolPlan(), true), framework);
    const results = messages.filter((m): m is ToolMessage => ToolMessage.isInstance(m));
    expect(results).toHaveLength(7);
    expect(results.filter((m) => m.status === "error").map((m) => m.name)).toEqual([]);
    const audit = await sb.audit();
    expect(audit.length).toBeGreaterThanOrEqual(14);
    expect(audit.every((a) => a.userId === alice.id && a.status === 200)).toBe(true);
    wire.observe("audit", audit);
    await wire.settle();
    wire.expectClean([...EVERY_CHANNEL, "streamEvents"]);
  });
});

/** One error path: how to provoke it, and what must have happened (so "clean" is never vacuous). */
interface ErrorCase {
  name: string;
  who: keyof typeof USER_IDS;
  client: keyof Clients;
  plan: PlannedCall[];
  retrievers?: { filter?: string; table?: string };
  faults?: FaultOptions;
  /** DreamFactory's clock ahead of ours (DreamFactory answers 401 expired; we think the token is fine). */
  serverClockAheadMs?: number;
  /** Both clocks ahead (the token is expired for us and for DreamFactory): the client refreshes before sending. */
  clockAheadMs?: number;
  /** Runs before the calls (e.g. refresh the token elsewhere, deactivate the user). */
  prepare?: (u: SignedIn, wire: Tripwire) => Promise<void>;
  restore?: (u: SignedIn) => void;
  /** Milliseconds to wait afterwards for requests the sandbox is still handling (so they are audited here). */
  settleMs?: number;
  /** Expected outcome of each direct call: a thrown code, or the `error` field of the tool's JSON content. */
  expect: Record<string, { thrown: string | string[] } | { content: string } | "ok">;
  /** Checks on the audit entries of the case and the number of requests that reached the sandbox. */
  audit: (entries: Awaited<ReturnType<Sandbox["audit"]>>, requests: number) => void;
}

const retrieverPlan = (query = "refund policy"): PlannedCall[] => [
  { name: "search_kb", args: { query } },
  { name: "search_kb_checked", args: { query } },
];

const ERROR_CASES: ErrorCase[] = [
  {
    name: "403 not permitted (dave has no access to orders)",
    who: "dave",
    client: "plain",
    retrievers: { table: "orders" },
    plan: [
      { name: "dreamfactory_query_records", args: { table: "orders" } },
      { name: "dreamfactory_describe_table", args: { table: "orders" } },
      { name: "dreamfactory_aggregate", args: { table: "orders", aggregates: [{ function: "count" }], group_by: ["status"] } },
      ...retrieverPlan(),
    ],
    expect: {
      dreamfactory_query_records: { content: "not_permitted" },
      dreamfactory_describe_table: { content: "not_permitted" },
      dreamfactory_aggregate: { content: "not_permitted" },
      search_kb: { thrown: "forbidden" },
      search_kb_checked: { thrown: "forbidden" },
    },
    audit: (entries) => expect(entries.filter((a) => a.status === 403).length).toBeGreaterThanOrEqual(5),
  },
  {
    name: "404 not found (unknown table, unknown ids)",
    who: "carol",
    client: "plain",
    retrievers: { table: "no_such_table" },
    plan: [
      { name: "dreamfactory_query_records", args: { table: "no_such_table" } },
      { name: "dreamfactory_describe_table", args: { table: "no_such_table" } },
      { name: "dreamfactory_get_records", args: { table: "customers", ids: [999_999] } },
      ...retrieverPlan(),
    ],
    expect: {
      dreamfactory_query_records: { content: "not_found" },
      dreamfactory_describe_table: { content: "not_found" },
      dreamfactory_get_records: "ok",
      search_kb: { thrown: "not_found" },
      search_kb_checked: { thrown: "not_found" },
    },
    audit: (entries) => expect(entries.filter((a) => a.status === 404).length).toBeGreaterThanOrEqual(4),
  },
  {
    name: "400 with the token echoed by DreamFactory ({session.token} in an app-pinned filter)",
    who: "alice",
    client: "plain",
    retrievers: { filter: "({session.token} = 1)" },
    plan: [
      { name: "dreamfactory_query_records", args: { table: "orders", filter: "({session.token} = 1)" } },
      { name: "dreamfactory_query_records", args: { table: "orders", where: [{ field: "no_such_column", op: "=", value: 1 }] } },
      ...retrieverPlan(),
    ],
    expect: { dreamfactory_query_records: { content: "bad_request" }, search_kb: { thrown: "bad_request" }, search_kb_checked: { thrown: "bad_request" } },
    audit: (entries) => expect(entries.filter((a) => a.status === 400).length).toBeGreaterThanOrEqual(3),
  },
  {
    name: "400 with the API key echoed ({app.api_key} in an app-pinned filter)",
    who: "alice",
    client: "plain",
    retrievers: { filter: "({app.api_key} = 1)" },
    plan: retrieverPlan(),
    expect: { search_kb: { thrown: "bad_request" }, search_kb_checked: { thrown: "bad_request" } },
    audit: (entries) => expect(entries.filter((a) => a.status === 400).length).toBeGreaterThanOrEqual(2),
  },
  {
    name: "500 after bounded retries",
    who: "alice",
    client: "plain",
    faults: { fail: { every: 1, status: 500 } },
    plan: [{ name: "dreamfactory_query_records", args: { table: "orders", limit: 2 } }, ...retrieverPlan()],
    expect: { dreamfactory_query_records: { thrown: "server_error" }, search_kb: { thrown: "server_error" }, search_kb_checked: { thrown: "server_error" } },
    audit: (entries) => expect(entries.filter((a) => a.status === 500).length).toBeGreaterThanOrEqual(9),
  },
  {
    name: "HTML error page from a proxy (502)",
    who: "alice",
    client: "fast",
    faults: { fail: { every: 1, status: 502, html: true } },
    plan: [{ name: "dreamfactory_list_tables", args: {} }, ...retrieverPlan()],
    expect: { dreamfactory_list_tables: { thrown: "server_error" }, search_kb: { thrown: "server_error" }, search_kb_checked: { thrown: "server_error" } },
    audit: (entries) => expect(entries.filter((a) => a.status === 502).length).toBeGreaterThanOrEqual(6),
  },
  {
    name: "timeout (latency beyond the client's timeout)",
    who: "alice",
    client: "fast",
    faults: { latencyMs: 500 },
    settleMs: 600,
    plan: [{ name: "dreamfactory_describe_table", args: { table: "orders" } }, ...retrieverPlan()],
    expect: { dreamfactory_describe_table: { thrown: "timeout" }, search_kb: { thrown: "timeout" }, search_kb_checked: { thrown: "timeout" } },
    audit: (_entries, requests) => expect(requests).toBeGreaterThanOrEqual(6),
  },
  {
    name: "dropped connections",
    who: "alice",
    client: "fast",
    faults: { dropConnection: { every: 1 } },
    plan: [{ name: "dreamfactory_query_records", args: { table: "orders", limit: 50 } }, ...retrieverPlan()],
    expect: { dreamfactory_query_records: { thrown: "network_error" }, search_kb: { thrown: "network_error" }, search_kb_checked: { thrown: "network_error" } },
    audit: (entries) => expect(entries.filter((a) => a.status === 0).length).toBeGreaterThanOrEqual(6),
  },
  {
    name: "truncated bodies",
    who: "alice",
    client: "fast",
    faults: { truncateBody: { every: 1 } },
    plan: [{ name: "dreamfactory_query_records", args: { table: "orders", limit: 50 } }, ...retrieverPlan()],
    expect: { dreamfactory_query_records: { thrown: "network_error" }, search_kb: { thrown: "network_error" }, search_kb_checked: { thrown: "network_error" } },
    audit: (entries) => expect(entries.filter((a) => a.status === 200).length).toBeGreaterThanOrEqual(3),
  },
  {
    name: "429 until the retry budget is spent",
    who: "alice",
    client: "plain",
    faults: { rateLimit: { next: 1_000, retryAfterSeconds: 0 } },
    plan: [{ name: "dreamfactory_aggregate", args: { table: "orders", aggregates: [{ function: "count" }] } }, ...retrieverPlan()],
    expect: { dreamfactory_aggregate: { thrown: "rate_limited" }, search_kb: { thrown: "rate_limited" }, search_kb_checked: { thrown: "rate_limited" } },
    audit: (entries) => expect(entries.filter((a) => a.status === 429).length).toBeGreaterThanOrEqual(9),
  },
  {
    name: "expired token, no refresh configured (DreamFactory's 401)",
    who: "alice",
    client: "plain",
    serverClockAheadMs: DAY_MS + 60_000,
    plan: [{ name: "dreamfactory_get_records", args: { table: "customers", ids: [1] } }, ...retrieverPlan()],
    expect: { dreamfactory_get_records: { thrown: "credential_expired" }, search_kb: { thrown: "credential_expired" }, search_kb_checked: { thrown: "credential_expired" } },
    audit: (entries) => expect(entries.filter((a) => a.status === 401).length).toBeGreaterThanOrEqual(3),
  },
  {
    name: "expired token refreshed (the new token is a secret too)",
    who: "alice",
    client: "refreshing",
    clockAheadMs: DAY_MS + 60_000,
    plan: [{ name: "dreamfactory_query_records", args: { table: "orders", limit: 3 } }, ...retrieverPlan()],
    expect: { dreamfactory_query_records: "ok", search_kb: "ok", search_kb_checked: "ok" },
    audit: (entries) => expect(entries.filter((a) => a.verb === "PUT" && a.status === 200).length).toBe(1),
  },
  {
    name: "refresh refused (user deactivated): refresh_failed",
    who: "bob",
    client: "refreshing",
    clockAheadMs: DAY_MS + 60_000,
    prepare: async (u) => sb.setActive({ user: u.email }, false),
    restore: (u) => sb.setActive({ user: u.email }, true),
    plan: [{ name: "dreamfactory_query_records", args: { table: "orders", limit: 3 } }, ...retrieverPlan()],
    expect: { dreamfactory_query_records: { thrown: "refresh_failed" }, search_kb: { thrown: "refresh_failed" }, search_kb_checked: { thrown: "refresh_failed" } },
    audit: (entries) => expect(entries.some((a) => a.verb === "PUT" && a.status === 401)).toBe(true),
  },
  {
    name: "token blacklisted after a refresh elsewhere (403): token_blacklisted",
    who: "carol",
    client: "plain",
    prepare: async (u, wire) => {
      const other = new DreamFactoryClient({
        baseUrl: sb.url,
        apiKey: sb.apiKey,
        onTokenRefresh: (next) => wire.addToken("token refreshed elsewhere", revealToken(next)),
      });
      vi.useFakeTimers({ toFake: ["Date"], now: Date.now() + DAY_MS + 60_000 });
      try {
        await other.request(u.credential, { method: "GET", path: "/db/_table/products", query: { limit: 1 } });
      } finally {
        vi.useRealTimers();
      }
    },
    plan: [{ name: "dreamfactory_query_records", args: { table: "orders", limit: 3 } }, ...retrieverPlan()],
    expect: { dreamfactory_query_records: { thrown: "token_blacklisted" }, search_kb: { thrown: "token_blacklisted" }, search_kb_checked: { thrown: "token_blacklisted" } },
    audit: (entries) => expect(entries.filter((a) => a.status === 403).length).toBeGreaterThanOrEqual(3),
  },
];

describe("error paths: no secret in errors, tool results, messages, traces or checkpoints", () => {
  it.each(ERROR_CASES.map((c, i) => [c.name, c, FRAMEWORKS[i % FRAMEWORKS.length] as Framework] as const))(
    "%s",
    async (_name, errorCase, framework) => {
      const u = await user(errorCase.who);
      const wire = tripwire(u);
      const all = clients(wire);
      const client = all[errorCase.client];
      const tools = await toolsFor(client, errorCase.retrievers);
      let requests = 0;
      sb.clearAudit();
      try {
        await errorCase.prepare?.(u, wire);
        sb.clearAudit();
        if (errorCase.faults !== undefined) sb.setFaults(errorCase.faults);
        serverClockOffsetMs = errorCase.serverClockAheadMs ?? 0;
        if (errorCase.clockAheadMs !== undefined) vi.useFakeTimers({ toFake: ["Date"], now: Date.now() + errorCase.clockAheadMs });
        const requestsBefore = sb.requestCount();
        const outcomes = await within(30_000, directCalls(wire, tools, errorCase.plan, u.credential), "direct calls");
        for (const [name, expected] of Object.entries(errorCase.expect)) {
          const out = outcomes.get(name);
          if (expected === "ok") {
            expect(ToolMessage.isInstance(out) && out.status !== "error", `${name} ok`).toBe(true);
          } else if ("thrown" in expected) {
            expect([expected.thrown].flat(), `${name} throws`).toContain(codeOf(out));
          } else {
            expect(ToolMessage.isInstance(out), `${name} returns a result`).toBe(true);
            expect(JSON.parse(String((out as ToolMessage).content)).error, `${name} content`).toBe(expected.content);
          }
        }
        const messages = await within(30_000, agentRun(wire, framework, tools, u.credential, errorCase.plan, false), framework);
        expect(messages.filter((m) => ToolMessage.isInstance(m))).toHaveLength(errorCase.plan.length);
        requests = sb.requestCount() - requestsBefore;
      } finally {
        vi.useRealTimers();
        sb.setFaults(null);
        serverClockOffsetMs = 0;
        errorCase.restore?.(u);
        if (errorCase.settleMs !== undefined) await new Promise((resolve) => setTimeout(resolve, errorCase.settleMs));
      }
      const audit = await sb.audit();
      errorCase.audit(audit, requests);
      wire.observe("audit", audit);
      await wire.settle();
      wire.expectClean(["output", "callback:handleToolStart", "tracer:persistRun", "langsmith", "stream:messages", "stream:debug", "checkpointer:put", "audit"]);
    },
  );
});

describe("DreamFactory lookup modifiers in an app-written filter ({base64_encode(session.token)} …)", () => {
  it("every modifier of session.token, session.id and app.api_key: a typed bad_request whose message and envelope hold no form of the secret", async () => {
    const alice = await user("alice");
    const wire = tripwire(alice);
    for (const form of [...modifierForms("alice token", alice.token), ...modifierForms("API key", sb.apiKey)]) wire.addSecret(form);
    const client = clients(wire).plain;
    const requestsBefore = sb.requestCount();
    let calls = 0;
    for (const modifier of MODIFIER_NAMES) {
      for (const lookup of ["session.token", "session.id", "app.api_key"]) {
        const filter = `({${modifier}(${lookup})} = 1)`;
        const { search, checked } = await kbRetrievers(sb, client, { filter });
        for (const retriever of [search, checked]) {
          const error = await retriever.invoke("refund policy", withDreamFactoryUser(alice.credential)).then(
            () => new Error(`${filter}: no error`),
            (e: unknown) => e,
          );
          calls += 1;
          expect(codeOf(error), filter).toBe("bad_request");
          const message = String((error as Error).message);
          expect(message, filter).toMatch(/Invalid or unparsable field in filter request: .*\[REDACTED\]/);
          expect(message, filter).not.toMatch(/[\uFFFD\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/);
          wire.observeError("error", error);
        }
        const direct = await client
          .request(alice.credential, { method: "GET", path: `/${sb.service}/_table/kb_articles`, query: { filter } })
          .catch((e: unknown) => e);
        calls += 1;
        expect(codeOf(direct), filter).toBe("bad_request");
        wire.observeError("error", direct);
      }
    }
    expect(sb.requestCount() - requestsBefore).toBeGreaterThanOrEqual(calls);
    await wire.settle();
    wire.expectClean(["error"]);
  });
});

describe("serialised views of every public object", () => {
  it("JSON.stringify, toJSON, String, util.inspect and a deep walk of clients, toolkit, tools, retrievers, credential and config", async () => {
    const alice = await user("alice");
    const wire = tripwire(alice);
    const c = clients(wire);
    const toolkit = new DreamFactoryToolkit({ client: c.refreshing, service: sb.service, tables: ["orders"] });
    const { search, checked } = await kbRetrievers(sb, c.plain);
    const objects: Record<string, unknown> = {
      clients: c,
      toolkit,
      tools: toolkit.getTools(),
      search,
      checked,
      credential: alice.credential,
      config: withDreamFactoryUser(alice.credential, { configurable: { thread_id: "t" } }, { expect: { email: alice.email } }),
      context: { context: { dreamfactory: alice.credential } },
    };
    for (const [name, value] of Object.entries(objects)) {
      wire.observe(`object:${name}`, value);
      wire.observe(`object:${name}:json`, JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? String(v) : v)));
      wire.observe(`object:${name}:string`, String(value));
    }
    expect(JSON.parse(JSON.stringify(alice.credential))).toMatchObject({ userId: alice.id, email: alice.email });
    wire.expectClean(Object.keys(objects).map((n) => `object:${n}`));
  });
});

describe("positive controls: the tripwire finds a token planted in each channel", () => {
  it("callbacks, tracer, LangSmith payloads, streamEvents, graph streams, checkpointer, errors, tool outputs", async () => {
    const alice = await user("alice");
    const wire = tripwire(alice);
    const rogue = tool(async () => `here it is: ${alice.token}`, { name: "rogue_echo", description: "returns a secret", schema: z.object({}) });
    const thrower = tool(
      async () => {
        throw new Error(`failed with ${alice.token.split(".")[2] ?? ""}`);
      },
      { name: "rogue_throw", description: "throws a secret", schema: z.object({}) },
    );
    const plan: PlannedCall[] = [
      { name: "rogue_echo", args: {} },
      { name: "rogue_throw", args: {} },
    ];
    const saver = wire.saver();
    const agent = buildAgent("createAgent+configurable", [rogue, thrower], saver);
    // A raw string in configurable is exactly what the package refuses: LangSmith metadata and the debug/checkpoint streams copy it.
    const config = withDreamFactoryUser(alice.credential, {
      configurable: { thread_id: "planted", userToken: alice.token },
      metadata: { planted: alice.token },
      callbacks: wire.callbacks(),
    });
    const stream = await agent.stream({ messages: [planMessage(plan)] }, { ...config, streamMode: [...STREAM_MODES] });
    for await (const chunk of stream) wire.observe(`stream:${(chunk as [string])[0]}`, (chunk as [string, unknown])[1]);
    for await (const event of agent.streamEvents({ messages: [planMessage(plan)] }, { ...config, configurable: { ...config.configurable, thread_id: "planted-2" }, version: "v2" })) {
      wire.observe("streamEvents", event);
    }
    const direct = await thrower.invoke({}, config).catch((e: unknown) => e);
    wire.observeError("error", direct);
    await wire.settle();
    for (const channel of [
      "callback:handleChainStart", "callback:handleToolEnd", "callback:handleToolError", "tracer:onRunCreate", "langsmith", "streamEvents",
      "stream:messages", "stream:values", "stream:debug", "stream:checkpoints", "checkpointer:put", "checkpointer:putWrites", "error",
    ]) {
      expect(wire.findingsIn(channel).length, `planted token found in ${channel}`).toBeGreaterThan(0);
    }
    expect(() => wire.expectClean()).toThrow(/Tripwire/);
    // Findings name the secret and the place, never the value.
    expect(wire.findings.map((f) => `${f.channel} ${f.secret} ${f.where}`).join("\n")).not.toContain(alice.token.split(".")[2]);
  });

  it("views: a non-enumerable property, a Map value, bytes, a base64 copy and an unregistered JWT are all found", async () => {
    const alice = await user("alice");
    const wire = tripwire(alice);
    const hidden = {};
    Object.defineProperty(hidden, "secret", { value: alice.token, enumerable: false });
    wire.observe("plant:hidden", hidden);
    wire.observe("plant:map", new Map([["k", { deep: [alice.token.split(".")[1]] }]]));
    wire.observe("plant:bytes", { bytes: new TextEncoder().encode(`x${alice.token}x`) });
    wire.observe("plant:base64", `echo: ${Buffer.from(alice.token).toString("base64").slice(0, 200)}`);
    const stranger = new Tripwire();
    stranger.observe("plant:jwt", { text: alice.token });
    for (const channel of ["plant:hidden", "plant:map", "plant:bytes", "plant:base64"]) {
      expect(wire.findingsIn(channel).length, channel).toBeGreaterThan(0);
    }
    expect(wire.findingsIn("plant:hidden").some((f) => f.where === "secret")).toBe(true);
    expect(wire.findingsIn("plant:base64").map((f) => f.secret)).toContain(`token #${issued.indexOf(alice.token) + 1} base64`);
    expect(stranger.findings.map((f) => f.secret)).toContain("a JWT-shaped string");
  });
});

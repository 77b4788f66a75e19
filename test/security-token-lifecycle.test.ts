/**
 * Security suite, attack 6 — token lifecycle. The sandbox issues 20-second tokens and its clock can run ahead of
 * ours; our own clock is moved with fake `Date` (both clocks together). Covered: a token that expires between two
 * tool calls of one agent run (with and without refresh, expired on our clock or only on DreamFactory's), 50 parallel
 * calls hitting expiry at once (exactly one `PUT /api/v2/user/session` at the sandbox), refresh failures
 * (`refresh_failed`, no data request afterwards), and the old token, blacklisted by DreamFactory after a refresh,
 * refused with 403 → `token_blacklisted`.
 */
import { AIMessage, type BaseMessage, HumanMessage, ToolMessage } from "@langchain/core/messages";
import type { RunnableConfig } from "@langchain/core/runnables";
import type { StructuredToolInterface } from "@langchain/core/tools";
import { createAgent } from "langchain";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { dreamfactoryMiddleware } from "../src/agents/dreamfactory-middleware.js";
import { DreamFactoryClient } from "../src/client/index.js";
import { ScriptedChatModel } from "../src/demo/scripted-chat-model.js";
import { DreamFactorySession } from "../src/session/index.js";
import { type DreamFactoryCredential, revealToken, withDreamFactoryUser } from "../src/identity/index.js";
import { startSandbox, type AuditEntry, type Sandbox } from "../src/testing/index.js";
import { DreamFactoryToolkit } from "../src/tools/index.js";
import { codeOf, kbRetrievers, retrieverTool, sandboxOptions, signIn, type SignedIn, within } from "./security-support/fixtures.js";
import { Tripwire } from "./security-support/tripwire.js";

const TTL_SECONDS = 20;
let sb: Sandbox;
/** DreamFactory's clock relative to ours. */
let serverAheadMs = 0;
let customerIds: number[];

beforeAll(async () => {
  sb = await startSandbox(sandboxOptions({ tokenTtlSeconds: TTL_SECONDS, now: () => Date.now() + serverAheadMs }));
  customerIds = (await sb.query<{ id: number }>("SELECT id FROM customers WHERE sales_rep_id = 1 ORDER BY id LIMIT 2")).map((r) => Number(r.id));
});

afterEach(() => {
  vi.useRealTimers();
  serverAheadMs = 0;
  sb.setFaults(null);
});

afterAll(async () => {
  await sb?.close();
});

/** A client (optionally refreshing), the five read tools and both retrievers as tools, and the refreshes it saw. */
async function setup(refreshing: boolean): Promise<{ client: DreamFactoryClient; tools: StructuredToolInterface[]; refreshed: DreamFactoryCredential[] }> {
  const refreshed: DreamFactoryCredential[] = [];
  const client = new DreamFactoryClient({
    baseUrl: sb.url,
    apiKey: sb.apiKey,
    ...(refreshing ? { onTokenRefresh: (next: DreamFactoryCredential) => void refreshed.push(next) } : {}),
  });
  const { search, checked } = await kbRetrievers(sb, client);
  const tools = [
    ...new DreamFactoryToolkit({ client, service: sb.service }).getTools(),
    retrieverTool("search_kb", search),
    retrieverTool("search_kb_checked", checked),
  ];
  return { client, tools, refreshed };
}

/** Moves our clock (and so DreamFactory's, which reads ours) past the credential's expiry. */
function bothClocksPast(credential: DreamFactoryCredential): void {
  vi.useFakeTimers({ toFake: ["Date"], now: credential.expiresAt.getTime() + 1_000 });
}

const isSessionRefresh = (a: AuditEntry) => a.service === "user" && a.component === "session" && a.verb === "PUT";
const dataEntries = (audit: AuditEntry[]) => audit.filter((a) => a.service === "db");

/** A model that reads orders, then lets `between()` move the clocks, then reads customers, then answers. */
function twoStepAgent(tools: StructuredToolInterface[], between: () => void) {
  const model = new ScriptedChatModel((messages: BaseMessage[]) => {
    const done = messages.filter((m) => ToolMessage.isInstance(m)).length;
    if (done === 0) {
      return new AIMessage({ content: "", tool_calls: [{ id: "first", name: "dreamfactory_query_records", args: { table: "orders", limit: 3 }, type: "tool_call" }] });
    }
    if (done === 1) {
      between();
      return new AIMessage({ content: "", tool_calls: [{ id: "second", name: "dreamfactory_get_records", args: { table: "customers", ids: customerIds }, type: "tool_call" }] });
    }
    return new AIMessage("done");
  });
  return createAgent({ model, tools, middleware: [dreamfactoryMiddleware()] });
}

describe("a token that expires between two tool calls of one run", () => {
  it("without refresh: the run stops with credential_expired; the second call sends nothing", async () => {
    const alice = await signIn(sb, "alice");
    const { tools } = await setup(false);
    sb.clearAudit();
    const agent = twoStepAgent(tools, () => bothClocksPast(alice.credential));
    const error = await agent.invoke({ messages: [new HumanMessage("orders then customers")] }, withDreamFactoryUser(alice.credential)).catch((e: unknown) => e);
    expect(codeOf(error)).toBe("credential_expired");
    const audit = await sb.audit();
    expect(audit.map((a) => [a.component, a.status])).toEqual([["_table/orders", 200]]);
  });

  it("with refresh (expired on our clock): one PUT /user/session, the second call runs as alice with the new token", async () => {
    const alice = await signIn(sb, "alice");
    const { tools, refreshed } = await setup(true);
    sb.clearAudit();
    const agent = twoStepAgent(tools, () => bothClocksPast(alice.credential));
    const { messages } = await agent.invoke({ messages: [new HumanMessage("orders then customers")] }, withDreamFactoryUser(alice.credential));
    const customers = messages.find((m) => ToolMessage.isInstance(m) && m.name === "dreamfactory_get_records") as ToolMessage;
    expect((JSON.parse(String(customers.content)).rows as Array<{ id: number }>).map((r) => r.id).sort()).toEqual([...customerIds].sort());
    expect(refreshed).toHaveLength(1);
    expect(refreshed[0]?.userId).toBe(alice.id);
    expect(revealToken(refreshed[0] as DreamFactoryCredential)).not.toBe(alice.token);
    const audit = await sb.audit();
    expect(audit.map((a) => [a.service, a.component, a.verb, a.status, a.userId])).toEqual([
      ["db", "_table/orders", "GET", 200, alice.id],
      ["user", "session", "PUT", 200, null], // DreamFactory refreshes an expired token: no authenticated user yet
      ["db", "_table/customers", "GET", 200, alice.id],
    ]);
  });

  it("with refresh (expired only on DreamFactory's clock): 401, one refresh, the call repeated once", async () => {
    const alice = await signIn(sb, "alice");
    const { tools, refreshed } = await setup(true);
    sb.clearAudit();
    const agent = twoStepAgent(tools, () => {
      serverAheadMs = (TTL_SECONDS + 5) * 1000;
    });
    const { messages } = await agent.invoke({ messages: [new HumanMessage("orders then customers")] }, withDreamFactoryUser(alice.credential));
    expect(messages.filter((m) => ToolMessage.isInstance(m) && m.status !== "error")).toHaveLength(2);
    expect(refreshed).toHaveLength(1);
    const audit = await sb.audit();
    expect(audit.map((a) => [a.component, a.verb, a.status])).toEqual([
      ["_table/orders", "GET", 200],
      ["_table/customers", "GET", 401],
      ["session", "PUT", 200],
      ["_table/customers", "GET", 200],
    ]);
  });
});

describe("50 parallel calls hitting expiry at once", () => {
  const ARGS: Record<string, Record<string, unknown>> = {
    dreamfactory_list_tables: {},
    dreamfactory_describe_table: { table: "orders" },
    dreamfactory_query_records: { table: "orders", limit: 2 },
    dreamfactory_get_records: { table: "customers", ids: [1] },
    dreamfactory_aggregate: { table: "orders", aggregates: [{ function: "count" }] },
    search_kb: { query: "refund policy" },
    search_kb_checked: { query: "refund policy" },
  };

  async function fifty(tools: StructuredToolInterface[], credential: DreamFactoryCredential): Promise<unknown[]> {
    return Promise.all(
      Array.from({ length: 50 }, (_, i) => {
        const t = tools[i % tools.length] as StructuredToolInterface;
        // every call gets its own config object (as concurrent runs would), all holding the same token
        const config: RunnableConfig = i % 2 === 0 ? withDreamFactoryUser(credential) : ({ context: { dreamfactory: credential } } as RunnableConfig);
        return t.invoke({ type: "tool_call", id: `p${i}`, name: t.name, args: ARGS[t.name] ?? {} }, config).then(
          (out) => out,
          (e: unknown) => e,
        );
      }),
    );
  }

  it.each([
    ["expired on both clocks (refreshed before sending)", "client"],
    ["expired on DreamFactory's clock only (50 x 401, then one shared refresh)", "server"],
  ] as const)("%s: exactly one PUT /user/session; all 50 succeed as alice", async (_name, where) => {
    const alice = await signIn(sb, "alice");
    const { tools, refreshed } = await setup(true);
    sb.clearAudit();
    if (where === "client") bothClocksPast(alice.credential);
    else serverAheadMs = (TTL_SECONDS + 5) * 1000;
    const results = await within(20_000, fifty(tools, alice.credential), "50 calls");
    expect(results.filter((r) => !(ToolMessage.isInstance(r) && r.status !== "error"))).toEqual([]);
    expect(refreshed).toHaveLength(1);
    const audit = await sb.audit();
    expect(audit.filter(isSessionRefresh).map((a) => a.status)).toEqual([200]);
    const data = dataEntries(audit);
    const answered = data.filter((a) => a.status === 200);
    const refused = data.filter((a) => a.status !== 200);
    expect(answered.length).toBeGreaterThanOrEqual(50);
    expect(answered.every((a) => a.userId === alice.id)).toBe(true);
    if (where === "client") expect(refused).toEqual([]);
    else expect(refused.length > 0 && refused.every((a) => a.status === 401 && a.userId === null)).toBe(true);
  });
});

describe("refresh failures", () => {
  it("refused refresh (user deactivated; token already refreshed elsewhere; session endpoint down): refresh_failed, no data request", async () => {
    const wire = new Tripwire([{ label: "API key", value: sb.apiKey }]);
    const bob = await signIn(sb, "bob");
    const carol = await signIn(sb, "carol");
    const alice = await signIn(sb, "alice");
    for (const u of [bob, carol, alice]) wire.addToken(`token of ${u.email}`, u.token);
    // carol's token is refreshed by another client first, so it is blacklisted when ours tries
    const elsewhere = new DreamFactoryClient({ baseUrl: sb.url, apiKey: sb.apiKey, onTokenRefresh: (next) => wire.addToken("carol's new token", revealToken(next)) });
    const cases: Array<[string, SignedIn, () => void, () => void, RegExp]> = [
      ["user deactivated", bob, () => sb.setActive({ user: bob.email }, false), () => sb.setActive({ user: bob.email }, true), /Token refresh failed\. User verification failed/],
      ["already refreshed elsewhere", carol, () => undefined, () => undefined, /Token refresh failed\. The token has been blacklisted/],
      ["session endpoint down (503)", alice, () => sb.setFaults({ fail: { every: 1, status: 503 }, includeSessionEndpoints: true }), () => sb.setFaults(null), /status 503/],
    ];
    for (const [name, u, breakIt, fixIt, message] of cases) {
      const { tools } = await setup(true);
      bothClocksPast(u.credential);
      if (u === carol) await elsewhere.request(carol.credential, { method: "GET", path: "/db/_table/products", query: { limit: 1 } });
      breakIt();
      sb.clearAudit();
      try {
        for (const t of tools) {
          const error = await t.invoke({ type: "tool_call", id: "r", name: t.name, args: { table: "orders", ids: [1], aggregates: [{ function: "count" }], query: "refund" } }, withDreamFactoryUser(u.credential)).catch((e: unknown) => e);
          expect(codeOf(error), `${name}: ${t.name}`).toBe("refresh_failed");
          expect(String((error as Error).message), name).toMatch(message);
          wire.observeError("error", error);
        }
        const agent = createAgent({ model: new ScriptedChatModel(() => new AIMessage({ content: "", tool_calls: [{ id: "a", name: "dreamfactory_list_tables", args: {}, type: "tool_call" }] })), tools, middleware: [dreamfactoryMiddleware()] });
        const agentError = await agent.invoke({ messages: [new HumanMessage("tables?")] }, withDreamFactoryUser(u.credential)).catch((e: unknown) => e);
        expect(codeOf(agentError), `${name}: agent`).toBe("refresh_failed");
        wire.observeError("error", agentError);
      } finally {
        fixIt();
        vi.useRealTimers();
      }
      const audit = await sb.audit();
      expect(dataEntries(audit), `${name}: no data request`).toEqual([]);
      expect(audit.filter(isSessionRefresh).length, `${name}: one refresh attempt per call, never retried`).toBe(tools.length + 1);
      expect(audit.filter(isSessionRefresh).every((a) => a.status !== 200)).toBe(true);
    }
    wire.expectClean(["error"]);
  });
});

describe("the old token after a refresh", () => {
  it("is blacklisted by DreamFactory: a client that does not know the new token gets 403 → token_blacklisted; the refreshing client uses the new one", async () => {
    const alice = await signIn(sb, "alice");
    const a = await setup(true);
    // The app refreshes the (still valid) session through the same client, e.g. before a long task.
    const { credential: renewed } = await new DreamFactorySession(a.client).refresh(alice.credential);
    expect(renewed.userId).toBe(alice.id);
    expect(alice.credential.isExpired()).toBe(false); // not expired, only blacklisted

    for (const refreshing of [false, true]) {
      const b = await setup(refreshing);
      sb.clearAudit();
      for (const t of b.tools) {
        const error = await t.invoke({ type: "tool_call", id: "b", name: t.name, args: { table: "orders", ids: [1], aggregates: [{ function: "count" }], query: "refund" } }, withDreamFactoryUser(alice.credential)).catch((e: unknown) => e);
        expect(codeOf(error), t.name).toBe("token_blacklisted");
        expect((error as { status?: number }).status).toBe(403);
      }
      const audit = await sb.audit();
      expect(audit.filter(isSessionRefresh)).toEqual([]); // a blacklisted token is not refreshed
      expect(audit.every((x) => x.status === 403 && x.userId === null)).toBe(true);
    }

    // The client that refreshed follows the chain: the old credential object now sends the new token.
    sb.clearAudit();
    const ok = await a.tools[2]?.invoke({ table: "orders", limit: 2 }, withDreamFactoryUser(alice.credential));
    expect(JSON.parse(String(ok)).rows.every((r: { sales_rep_id: number }) => r.sales_rep_id === alice.id)).toBe(true);
    expect((await sb.audit()).map((x) => [x.status, x.userId])).toEqual([[200, alice.id]]);
    // And the new credential the app stored works with any client.
    const fresh = await setup(false);
    const res = await fresh.client.request<{ resource: unknown[] }>(renewed, { method: "GET", path: "/db/_table/orders", query: { limit: 1 } });
    expect(res.actedAs.userId).toBe(alice.id);
  });
});

/**
 * Security suite, attack 3 — isolation under load. 50 users each fire 40 calls at once (2,000 concurrent calls)
 * through ONE shared toolkit, ONE pair of shared retrievers and ONE shared agent: all five read tools, both
 * retrievers and full agent runs, half with the credential in `configurable`, half in the runtime context. Every
 * call carries its own run id, which the package sends as `X-DreamFactory-Trace-Id`; joining the sandbox's audit
 * log on it, every request must have run as the user whose call caused it, every call's rows must be that user's,
 * and nothing may end in an unhandled rejection.
 */
import { randomUUID } from "node:crypto";
import { BaseCallbackHandler } from "@langchain/core/callbacks/base";
import type { DocumentInterface } from "@langchain/core/documents";
import { HumanMessage, ToolMessage } from "@langchain/core/messages";
import type { RunnableConfig } from "@langchain/core/runnables";
import { createAgent } from "langchain";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { DreamFactoryClient } from "../src/client/index.js";
import { demoScript, DEMO_QUESTION } from "../src/demo/demo-script.js";
import { ScriptedChatModel } from "../src/demo/scripted-chat-model.js";
import { DreamFactoryCredential, withDreamFactoryUser } from "../src/identity/index.js";
import { startSandbox, type Sandbox } from "../src/testing/index.js";
import { DreamFactoryToolkit, type DreamFactoryReceipt } from "../src/tools/index.js";
import { kbRetrievers, sandboxOptions, signIn, signInReps, type KbRetrievers, type SignedIn } from "./security-support/fixtures.js";
import { toolNamed } from "./tools-harness.js";

const USERS = 50;
const CALLS_PER_USER = 40;

interface User extends SignedIn {
  openTop5: number[];
  customers: number[];
  orderCount: number;
}

let sb: Sandbox;
let users: User[];
let foreignCustomer: number;

beforeAll(async () => {
  sb = await startSandbox(sandboxOptions());
  const signedIn = [await signIn(sb, "alice"), await signIn(sb, "bob"), ...(await signInReps(sb, USERS - 2))];
  users = await Promise.all(
    signedIn.map(async (u) => ({
      ...u,
      openTop5: (
        await sb.query<{ id: number }>("SELECT id FROM orders WHERE status = 'open' AND sales_rep_id = $1 ORDER BY total DESC LIMIT 5", [u.id])
      ).map((r) => Number(r.id)),
      customers: (await sb.query<{ id: number }>("SELECT id FROM customers WHERE sales_rep_id = $1 ORDER BY id LIMIT 3", [u.id])).map((r) =>
        Number(r.id),
      ),
      orderCount: Number((await sb.query<{ n: number }>("SELECT count(*)::int AS n FROM orders WHERE sales_rep_id = $1", [u.id]))[0]?.n),
    })),
  );
  // a customer of a sales rep who takes no part in the test
  foreignCustomer = Number((await sb.query<{ id: number }>("SELECT id FROM customers WHERE sales_rep_id = 100 ORDER BY id LIMIT 1"))[0]?.id);
});

afterAll(async () => {
  await sb?.close();
});

/** What one call did: its user, the trace ids it caused, and whether what came back belongs to that user. */
interface CallResult {
  user: User;
  kind: string;
  traceIds: string[];
  ownData: boolean;
  error?: unknown;
}

describe("50 users x 40 concurrent calls through one toolkit, one pair of retrievers and one agent", () => {
  it("every audited request ran as the user whose call caused it; every result is that user's; no unhandled rejection", async () => {
    const client = new DreamFactoryClient({ baseUrl: sb.url, apiKey: sb.apiKey });
    const tools = new DreamFactoryToolkit({ client, service: sb.service }).getTools();
    const retrievers: KbRetrievers = await kbRetrievers(sb, client);
    const agent = createAgent({
      model: new ScriptedChatModel(demoScript),
      tools,
      contextSchema: z.object({ dreamfactory: z.instanceof(DreamFactoryCredential).optional() }),
    });
    const query = toolNamed(tools, "dreamfactory_query_records");
    const get = toolNamed(tools, "dreamfactory_get_records");
    const aggregate = toolNamed(tools, "dreamfactory_aggregate");
    const describe = toolNamed(tools, "dreamfactory_describe_table");
    const list = toolNamed(tools, "dreamfactory_list_tables");

    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
    process.on("unhandledRejection", onUnhandled);

    const call = async (user: User, i: number): Promise<CallResult> => {
      const runId = randomUUID();
      // alternate where the credential travels
      const config: RunnableConfig =
        i % 2 === 0 ? withDreamFactoryUser(user.credential, { runId }) : ({ runId, context: { dreamfactory: user.credential } } as RunnableConfig);
      const receipt = (out: unknown): DreamFactoryReceipt => (out as ToolMessage).artifact as DreamFactoryReceipt;
      const content = (out: unknown): Record<string, unknown> => JSON.parse(String((out as ToolMessage).content)) as Record<string, unknown>;
      const asToolCall = (name: string, args: Record<string, unknown>) => ({ type: "tool_call" as const, id: `c_${runId}`, name, args });
      const slot = i % 10;
      try {
        if (i === CALLS_PER_USER - 1) {
          // a whole agent run; its tool run ids are its trace ids
          const traceIds: string[] = [];
          const callbacks = [BaseCallbackHandler.fromMethods({ handleToolStart: (_t, _i, id) => void traceIds.push(id) })];
          const input = { messages: [new HumanMessage(DEMO_QUESTION)] };
          const result =
            i % 2 === 0
              ? await agent.invoke(input, { ...withDreamFactoryUser(user.credential), callbacks })
              : await agent.invoke(input, { context: { dreamfactory: user.credential }, callbacks });
          const orders = result.messages.find((m) => ToolMessage.isInstance(m) && m.name === "dreamfactory_query_records");
          const rows = (content(orders).rows ?? []) as Array<{ id: number; sales_rep_id: number }>;
          const ok = JSON.stringify(rows.map((r) => r.id)) === JSON.stringify(user.openTop5) && rows.every((r) => r.sales_rep_id === user.id);
          return { user, kind: "agent", traceIds, ownData: ok && traceIds.length === 2 };
        }
        if (slot <= 3) {
          const args = { table: "orders", where: [{ field: "status", op: "=", value: "open" }], order: "total desc", limit: 5, fields: ["id", "sales_rep_id"] };
          const out = await query.invoke(asToolCall(query.name, args), config);
          const rows = content(out).rows as Array<{ id: number; sales_rep_id: number }>;
          const ok = JSON.stringify(rows.map((r) => r.id)) === JSON.stringify(user.openTop5) && rows.every((r) => r.sales_rep_id === user.id);
          return { user, kind: "query", traceIds: [runId], ownData: ok && receipt(out).actedAs.userId === user.id };
        }
        if (slot === 4) {
          const out = await get.invoke(asToolCall(get.name, { table: "customers", ids: [...user.customers, foreignCustomer] }), config);
          const c = content(out);
          const rows = c.rows as Array<{ id: number; sales_rep_id: number }>;
          const ok =
            JSON.stringify(rows.map((r) => r.id).sort((a, b) => a - b)) === JSON.stringify(user.customers) &&
            rows.every((r) => r.sales_rep_id === user.id) &&
            JSON.stringify(c.missing) === JSON.stringify([foreignCustomer]);
          return { user, kind: "get", traceIds: [runId], ownData: ok && receipt(out).actedAs.userId === user.id };
        }
        if (slot === 5) {
          const out = await aggregate.invoke(asToolCall(aggregate.name, { table: "orders", aggregates: [{ function: "count" }], group_by: ["status"] }), config);
          const rows = content(out).rows as Array<{ COUNT_ALL: number }>;
          const total = rows.reduce((s, r) => s + Number(r.COUNT_ALL), 0);
          return { user, kind: "aggregate", traceIds: [runId], ownData: total === user.orderCount && receipt(out).actedAs.userId === user.id };
        }
        if (slot === 6 || slot === 7) {
          const retriever = slot === 6 ? retrievers.search : retrievers.checked;
          const docs: DocumentInterface[] = await retriever.invoke("refund policy for damaged items", config);
          const actedAs = (d: DocumentInterface) =>
            slot === 6 ? (d.metadata.actedAs as { userId: number }) : (d.metadata.dreamfactory as { actedAs: { userId: number } }).actedAs;
          return { user, kind: slot === 6 ? "search" : "checked", traceIds: [runId], ownData: docs.length > 0 && docs.every((d) => actedAs(d).userId === user.id) };
        }
        const t = slot === 8 ? describe : list;
        const out = await t.invoke(asToolCall(t.name, slot === 8 ? { table: "customers" } : {}), config);
        return { user, kind: t.name, traceIds: [runId], ownData: receipt(out).actedAs.userId === user.id && receipt(out).outcome === "ok" };
      } catch (error) {
        return { user, kind: "error", traceIds: [runId], ownData: false, error };
      }
    };

    sb.clearAudit();
    const started = performance.now();
    let results: CallResult[];
    try {
      results = await Promise.all(users.flatMap((user) => Array.from({ length: CALLS_PER_USER }, (_, i) => call(user, i))));
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off("unhandledRejection", onUnhandled);
    }
    const elapsedMs = Math.round(performance.now() - started);

    const owner = new Map<string, number>();
    for (const r of results) for (const id of r.traceIds) owner.set(id, r.user.id);
    const audit = await sb.audit();
    const mismatches = audit.filter((a) => owner.get(a.traceId) === undefined || a.userId !== owner.get(a.traceId));
    const audited = new Set(audit.map((a) => a.traceId));
    const unaudited = results.flatMap((r) => r.traceIds).filter((id) => !audited.has(id));
    const wrongData = results.filter((r) => !r.ownData);
    const kinds = new Map<string, number>();
    for (const r of results) kinds.set(r.kind, (kinds.get(r.kind) ?? 0) + 1);

    console.info(
      `[security-isolation] ${results.length} calls (${[...kinds].map(([k, n]) => `${k} ${n}`).join(", ")}) by ${USERS} users, ` +
        `${audit.length} audited requests in ${elapsedMs} ms; audit mismatches ${mismatches.length}, wrong results ${wrongData.length}, ` +
        `unhandled rejections ${unhandled.length}`,
    );
    expect(results).toHaveLength(USERS * CALLS_PER_USER);
    expect(new Set(users.map((u) => u.id)).size).toBe(USERS);
    expect(users.every((u) => u.openTop5.length === 5 && u.customers.length === 3)).toBe(true);
    expect(Number.isInteger(foreignCustomer)).toBe(true);
    expect(wrongData.map((r) => `${r.kind} for user ${r.user.id}: ${r.error === undefined ? "foreign or wrong data" : String(r.error)}`)).toEqual([]);
    expect(mismatches).toEqual([]);
    expect(unaudited).toEqual([]);
    // get_records asks for one id the user may not see: DreamFactory answers that batch with 400 (code 1000)
    const getTraces = new Set(results.filter((r) => r.kind === "get").flatMap((r) => r.traceIds));
    expect(audit.filter((a) => a.status !== 200 && !getTraces.has(a.traceId))).toEqual([]);
    expect(new Set(audit.filter((a) => getTraces.has(a.traceId)).map((a) => a.status))).toEqual(new Set([400]));
    expect(audit.length).toBeGreaterThanOrEqual(USERS * CALLS_PER_USER + USERS);
    expect(unhandled).toEqual([]);
  });
});

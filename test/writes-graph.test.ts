/**
 * Writes behind a LangGraph interrupt, in real graphs with a MemorySaver checkpointer: StateGraph + ToolNode and
 * langchain's createAgent with a scripted tool-calling model; and langchain's humanInTheLoopMiddleware with the
 * write tools in "middleware" approval mode (one prompt, carrying the preview). The digest refuses changed
 * arguments, another user, changed rows and late approvals; no token reaches interrupts, checkpoints or receipts.
 */
import { BaseCallbackHandler } from "@langchain/core/callbacks/base";
import { AIMessage, type BaseMessage, HumanMessage, ToolMessage } from "@langchain/core/messages";
import type { RunnableConfig } from "@langchain/core/runnables";
import type { StructuredToolInterface } from "@langchain/core/tools";
import { Command, END, MemorySaver, MessagesAnnotation, START, StateGraph } from "@langchain/langgraph";
import { ToolNode, toolsCondition } from "@langchain/langgraph/prebuilt";
import { inspect } from "node:util";
import { createAgent, humanInTheLoopMiddleware, type AgentMiddleware, type HITLRequest } from "langchain";
import { beforeAll, describe, expect, it } from "vitest";
import { ScriptedChatModel } from "../src/demo/scripted-chat-model.js";
import { DreamFactoryCredential, withDreamFactoryUser } from "../src/identity/index.js";
import { startSandbox } from "../src/testing/index.js";
import { DreamFactoryToolkit, type DreamFactoryToolkitOptions } from "../src/tools/index.js";
import {
  writeApprovalInterruptOn,
  type DreamFactoryWriteOptions,
  type DreamFactoryWriteReceipt,
  type WriteApprovalRequest,
} from "../src/tools/write/index.js";
import { callTool, toolNamed } from "./tools-harness.js";
import { useResource } from "./support/sandbox-fixture.js";

type WriteToolkitOptions = DreamFactoryToolkitOptions & { writes?: DreamFactoryWriteOptions };

let tokens: { alice: string; bob: string };
let alice: DreamFactoryCredential;
let bob: DreamFactoryCredential;
let carol: DreamFactoryCredential;
let tools: StructuredToolInterface[];
let clockOffset = 0;
let threadSeq = 0;

/** The model: calls the tool named in the first human message (JSON `{name, args}`), then reports the tool's answer. */
const model = new ScriptedChatModel((messages: BaseMessage[]) => {
  const last = messages.at(-1);
  if (last !== undefined && ToolMessage.isInstance(last)) return new AIMessage(`tool said: ${String(last.content)}`);
  const call = JSON.parse(String(messages[0]?.content)) as { name: string; args: Record<string, unknown> };
  return new AIMessage({ content: "", tool_calls: [{ id: `call_${++threadSeq}`, name: call.name, args: call.args }] });
});

/** Tool run ids seen by callbacks (the trace id DreamFactory should log). */
class ToolRuns extends BaseCallbackHandler {
  name = "tool-runs";
  readonly ids: string[] = [];
  override handleToolStart(_tool: unknown, _input: string, runId: string): void {
    this.ids.push(runId);
  }
}

function stateGraph(toolList: StructuredToolInterface[], saver = new MemorySaver()) {
  return new StateGraph(MessagesAnnotation)
    .addNode("agent", async (state) => ({ messages: [await model.invoke(state.messages)] }))
    .addNode("tools", new ToolNode(toolList))
    .addEdge(START, "agent")
    .addConditionalEdges("agent", toolsCondition, ["tools", END])
    .addEdge("tools", "agent")
    .compile({ checkpointer: saver });
}

let graph: ReturnType<typeof stateGraph>;

const sb = useResource(
  () => startSandbox({ ...(process.env.TEST_DATABASE_URL ? { database: process.env.TEST_DATABASE_URL } : {}) }),
  async () => {
    tokens = {
      alice: await sb.login(sb.users.alice.email, sb.users.alice.password),
      bob: await sb.login(sb.users.bob.email, sb.users.bob.password),
    };
    alice = DreamFactoryCredential.fromSessionToken(tokens.alice, { email: sb.users.alice.email });
    bob = DreamFactoryCredential.fromSessionToken(tokens.bob, { email: sb.users.bob.email });
    carol = DreamFactoryCredential.fromSessionToken(await sb.login(sb.users.carol.email, sb.users.carol.password));
    const options: WriteToolkitOptions = {
      baseUrl: sb.url,
      apiKey: sb.apiKey,
      service: sb.service,
      allowWrites: true,
      writes: { now: () => Date.now() + clockOffset },
    };
    tools = new DreamFactoryToolkit(options).getTools();
    graph = stateGraph(tools);
  },
);

async function ownOrder(offset: number, repId = 1): Promise<number> {
  const [row] = await sb.query<{ id: number }>("SELECT id FROM orders WHERE sales_rep_id = $1 ORDER BY id DESC LIMIT 1 OFFSET $2", [repId, offset]);
  return Number(row?.id);
}

async function asCarol(id: number): Promise<Record<string, unknown> | undefined> {
  const res = await callTool(toolNamed(tools, "dreamfactory_get_records"), { table: "orders", ids: [id] }, withDreamFactoryUser(carol));
  return (res.content.rows as Array<Record<string, unknown>>)[0];
}

function configFor(user: DreamFactoryCredential, thread: string, extra: RunnableConfig = {}): RunnableConfig {
  return withDreamFactoryUser(user, { ...extra, configurable: { thread_id: thread } });
}

interface Paused {
  thread: string;
  request: WriteApprovalRequest;
}

/** Starts a run that asks for a write and stops at the interrupt. */
async function ask(name: string, args: Record<string, unknown>, user = alice): Promise<Paused> {
  const thread = `t-${++threadSeq}`;
  const out = await graph.invoke({ messages: [new HumanMessage(JSON.stringify({ name, args }))] }, configFor(user, thread));
  const interrupts = (out as { __interrupt__?: Array<{ value: WriteApprovalRequest }> }).__interrupt__ ?? [];
  expect(interrupts).toHaveLength(1);
  return { thread, request: interrupts[0]?.value as WriteApprovalRequest };
}

/** Resumes a paused run; returns the tool's message. */
async function resume(paused: Paused, value: unknown, user = alice, callbacks: BaseCallbackHandler[] = []) {
  const out = await graph.invoke(new Command({ resume: value }), configFor(user, paused.thread, { callbacks }));
  const message = (out.messages as BaseMessage[]).find((m): m is ToolMessage => ToolMessage.isInstance(m));
  if (message === undefined) throw new Error("no ToolMessage");
  expect((out as { __interrupt__?: unknown[] }).__interrupt__ ?? []).toHaveLength(0);
  return { content: JSON.parse(String(message.content)) as Record<string, unknown>, receipt: message.artifact as DreamFactoryWriteReceipt };
}

describe("StateGraph + ToolNode + MemorySaver: interrupt, approve, resume", () => {
  it("alice's update waits for approval, then runs as alice with the tool run's trace id", async () => {
    const id = await ownOrder(0);
    const before = await asCarol(id);
    sb.clearAudit();
    const paused = await ask("dreamfactory_update_records", { table: "orders", ids: [id], changes: { status: "delivered", notes: "approved in graph" } });
    expect(paused.request).toMatchObject({
      type: "dreamfactory_write_approval",
      action: "update",
      table: "orders",
      ids: [id],
      changes: { status: "delivered", notes: "approved in graph" },
      actedAs: { userId: 1, email: sb.users.alice.email },
      preview: { count: 1, rows: [{ id, status: before?.status, sales_rep_id: 1 }] },
    });
    expect(paused.request.digest).toMatch(/^dfw1-/);
    // Nothing written while waiting.
    expect((await sb.audit()).filter((e) => e.verb !== "GET")).toEqual([]);
    expect(await asCarol(id)).toEqual(before);

    const runs = new ToolRuns();
    const res = await resume(paused, { approved: true, digest: paused.request.digest }, alice, [runs]);
    expect(res.content).toMatchObject({ action: "update", updated: 1, ids: [id] });
    expect(res.receipt).toMatchObject({
      actedAs: { userId: 1 },
      effect: "applied",
      outcome: "ok",
      approval: { mode: "interrupt", decision: "approved", digest: paused.request.digest, expiresAt: paused.request.expiresAt },
    });
    expect(await asCarol(id)).toMatchObject({ status: "delivered", notes: "approved in graph" });

    const writes = (await sb.audit()).filter((e) => e.verb === "PATCH" || e.verb === "PUT");
    expect(writes).toHaveLength(1);
    expect(writes[0]).toMatchObject({ userId: 1, email: sb.users.alice.email, component: "_table/orders", status: 200, traceId: res.receipt.traceId });
    expect(runs.ids).toContain(res.receipt.traceId);
  });

  it("a resume carrying the digest of different arguments is refused; nothing changes", async () => {
    const id = await ownOrder(1);
    const before = await asCarol(id);
    const a = await ask("dreamfactory_update_records", { table: "orders", ids: [id], changes: { notes: "version A" } });
    const b = await ask("dreamfactory_update_records", { table: "orders", ids: [id], changes: { notes: "version B" } });
    expect(a.request.digest).not.toBe(b.request.digest);
    const res = await resume(a, { approved: true, digest: b.request.digest });
    expect(res.content.error).toBe("approval_rejected");
    expect(String(res.content.message)).toMatch(/does not match/);
    expect(res.receipt).toMatchObject({ outcome: "cancelled", effect: "not_sent", approval: { mode: "interrupt", decision: "mismatch" } });
    expect(await asCarol(id)).toEqual(before);
  });

  it("resuming as another user (bob) with alice's digest is refused", async () => {
    const id = await ownOrder(2);
    const before = await asCarol(id);
    const paused = await ask("dreamfactory_update_records", { table: "orders", ids: [id], changes: { notes: "by bob?" } });
    const res = await resume(paused, { approved: true, digest: paused.request.digest }, bob);
    expect(res.content.error).toBe("approval_rejected");
    expect(res.receipt).toMatchObject({ actedAs: { userId: 2 }, approval: { decision: "mismatch" } });
    expect(await asCarol(id)).toEqual(before);
  });

  it("rows that changed between the interrupt and the resume void the approval (the digest covers the previewed rows)", async () => {
    const id = await ownOrder(3);
    const paused = await ask("dreamfactory_delete_records", { table: "orders", ids: [id] });
    await sb.query("UPDATE orders SET total = total + 1000 WHERE id = $1", [id]);
    const res = await resume(paused, { approved: true, digest: paused.request.digest });
    expect(res.content.error).toBe("approval_rejected");
    expect(res.receipt.approval?.decision).toBe("mismatch");
    expect(await asCarol(id)).toMatchObject({ id });
  });

  it("an approval after the TTL is refused as expired (injected clock)", async () => {
    const id = await ownOrder(4);
    const before = await asCarol(id);
    const paused = await ask("dreamfactory_update_records", { table: "orders", ids: [id], changes: { notes: "too late" } });
    clockOffset = 10 * 60_000 + 1_000;
    let res: Awaited<ReturnType<typeof resume>>;
    try {
      res = await resume(paused, { approved: true, digest: paused.request.digest });
    } finally {
      clockOffset = 0;
    }
    expect(res.content.error).toBe("approval_rejected");
    expect(String(res.content.message)).toMatch(/expired/);
    expect(res.receipt.approval).toMatchObject({ decision: "expired", expiresAt: paused.request.expiresAt });
    expect(await asCarol(id)).toEqual(before);
  });

  it("approved: false cancels (with the approver's reason); a malformed resume value cancels too", async () => {
    const id = await ownOrder(5);
    const before = await asCarol(id);
    const declined = await ask("dreamfactory_delete_records", { table: "orders", ids: [id] });
    const res = await resume(declined, { approved: false, reason: "keep this order" });
    expect(res.content).toMatchObject({ error: "approval_rejected", reason: "keep this order" });
    expect(String(res.content.message)).toMatch(/did not approve/);
    expect(res.receipt.approval?.decision).toBe("declined");

    const odd = await ask("dreamfactory_delete_records", { table: "orders", ids: [id] });
    const res2 = await resume(odd, "yes please");
    expect(res2.content.error).toBe("approval_rejected");
    expect(res2.receipt.approval?.decision).toBe("malformed");
    expect(await asCarol(id)).toEqual(before);
  });

  it("a digest that is approved but forged (right shape, wrong MAC) is refused", async () => {
    const id = await ownOrder(6);
    const paused = await ask("dreamfactory_update_records", { table: "orders", ids: [id], changes: { notes: "forged" } });
    const forged = paused.request.digest.replace(/.$/, (c) => (c === "A" ? "B" : "A"));
    const res = await resume(paused, { approved: true, digest: forged });
    expect(res.receipt.approval?.decision).toBe("mismatch");
  });
});

describe("createAgent (langchain v1) with the default interrupt approval", () => {
  it("interrupts in the agent's tool node and writes after approval", async () => {
    const agent = createAgent({ model, tools, checkpointer: new MemorySaver() });
    const id = await ownOrder(7);
    const config = configFor(alice, "agent-1");
    const first = await agent.invoke(
      { messages: [new HumanMessage(JSON.stringify({ name: "dreamfactory_update_records", args: { table: "orders", ids: [id], changes: { notes: "via createAgent" } } }))] },
      config,
    );
    const interrupts = (first as { __interrupt__?: Array<{ value: WriteApprovalRequest }> }).__interrupt__ ?? [];
    expect(interrupts).toHaveLength(1);
    const request = interrupts[0]?.value as WriteApprovalRequest;
    expect(request).toMatchObject({ action: "update", ids: [id], preview: { count: 1 } });
    const done = await agent.invoke(new Command({ resume: { approved: true, digest: request.digest } }), config);
    const tool = (done.messages as BaseMessage[]).find((m): m is ToolMessage => ToolMessage.isInstance(m));
    expect(JSON.parse(String(tool?.content))).toMatchObject({ updated: 1, ids: [id] });
    expect(await asCarol(id)).toMatchObject({ notes: "via createAgent" });
  });

  it("two writes in one model turn: two interrupts, resumed by interrupt id; swapped digests approve neither", async () => {
    const ids = [await ownOrder(10), await ownOrder(11)];
    const twoCalls = new ScriptedChatModel((messages: BaseMessage[]) => {
      if (messages.some((m) => ToolMessage.isInstance(m))) return new AIMessage("done");
      const tag = String(messages[0]?.content);
      return new AIMessage({
        content: "",
        tool_calls: ids.map((id, i) => ({ id: `${tag}_${i}`, name: "dreamfactory_update_records", args: { table: "orders", ids: [id], changes: { notes: `${tag} ${i}` } } })),
      });
    });
    const agent = createAgent({ model: twoCalls, tools, checkpointer: new MemorySaver() });
    const run = async (tag: string, pick: (interrupts: Array<{ id: string; value: WriteApprovalRequest }>) => Record<string, unknown>) => {
      const config = configFor(alice, `parallel-${tag}`);
      const first = await agent.invoke({ messages: [new HumanMessage(tag)] }, config);
      const interrupts = (first as { __interrupt__?: Array<{ id: string; value: WriteApprovalRequest }> }).__interrupt__ ?? [];
      expect(interrupts.map((i) => i.value.ids?.[0]).sort()).toEqual([...ids].sort());
      const done = await agent.invoke(new Command({ resume: pick(interrupts) }), config);
      return (done.messages as BaseMessage[]).filter((m): m is ToolMessage => ToolMessage.isInstance(m)).map((m) => JSON.parse(String(m.content)) as Record<string, unknown>);
    };

    const swapped = await run("swapped", (list) =>
      Object.fromEntries(list.map((i, n) => [i.id, { approved: true, digest: list[(n + 1) % list.length]?.value.digest }])),
    );
    expect(swapped.map((c) => c.error)).toEqual(["approval_rejected", "approval_rejected"]);
    for (const id of ids) expect(String((await asCarol(id))?.notes)).not.toMatch(/^swapped/);

    const approved = await run("both", (list) => Object.fromEntries(list.map((i) => [i.id, { approved: true, digest: i.value.digest }])));
    expect(approved.map((c) => c.updated)).toEqual([1, 1]);
    expect((await Promise.all(ids.map((id) => asCarol(id)))).map((r) => r?.notes).sort()).toEqual(["both 0", "both 1"]);
  });
});

describe("langchain humanInTheLoopMiddleware with approval: \"middleware\"", () => {
  let hitlTools: StructuredToolInterface[];
  const hitlAgent = (saver: MemorySaver) =>
    createAgent({
      model,
      tools: hitlTools,
      checkpointer: saver,
      // (langchain 1.5.14's types reject humanInTheLoopMiddleware(...) in createAgent under strict TS; the cast is only for types.)
      middleware: [humanInTheLoopMiddleware({ interruptOn: writeApprovalInterruptOn(hitlTools) }) as AgentMiddleware],
    });

  beforeAll(() => {
    const options: WriteToolkitOptions = {
      baseUrl: sb.url,
      apiKey: sb.apiKey,
      service: sb.service,
      allowWrites: true,
      writes: { approval: "middleware" },
    };
    hitlTools = new DreamFactoryToolkit(options).getTools();
  });

  it("writeApprovalInterruptOn covers exactly the write tools", () => {
    expect(Object.keys(writeApprovalInterruptOn(hitlTools)).sort()).toEqual([
      "dreamfactory_create_records",
      "dreamfactory_delete_records",
      "dreamfactory_update_records",
    ]);
    expect(writeApprovalInterruptOn(hitlTools).dreamfactory_update_records?.allowedDecisions).toEqual(["approve", "reject"]);
  });

  it("one prompt (the middleware's), whose description holds the preview as alice sees it; approve writes, as alice", async () => {
    const saver = new MemorySaver();
    const agent = hitlAgent(saver);
    const id = await ownOrder(8);
    const [bobs] = await sb.query<{ id: number }>("SELECT id FROM orders WHERE sales_rep_id = 2 ORDER BY id LIMIT 1");
    const before = await asCarol(id);
    const config = configFor(alice, "hitl-1");
    const first = await agent.invoke(
      { messages: [new HumanMessage(JSON.stringify({ name: "dreamfactory_update_records", args: { table: "orders", ids: [id, Number(bobs?.id)], changes: { notes: "hitl" } } }))] },
      config,
    );
    const interrupts = (first as { __interrupt__?: Array<{ value: HITLRequest }> }).__interrupt__ ?? [];
    expect(interrupts).toHaveLength(1);
    const action = interrupts[0]?.value.actionRequests[0];
    expect(action?.name).toBe("dreamfactory_update_records");
    expect(action?.description).toContain(`as ${sb.users.alice.email} (user 1)`);
    expect(action?.description).toContain(`"id":${id}`);
    expect(action?.description).toContain(`"status":"${String(before?.status)}"`);
    expect(action?.description).toContain(`(${Number(bobs?.id)})`);
    expect(await asCarol(id)).toEqual(before);

    // Approve only alice's own order: an "edit" is not allowed by default, so approve a fresh call instead.
    const rejected = await agent.invoke(new Command({ resume: { decisions: [{ type: "reject", message: "only my own order" }] } }), config);
    expect((rejected as { __interrupt__?: unknown[] }).__interrupt__ ?? []).toHaveLength(0);
    expect(await asCarol(id)).toEqual(before);

    const config2 = configFor(alice, "hitl-2");
    const again = await agent.invoke(
      { messages: [new HumanMessage(JSON.stringify({ name: "dreamfactory_update_records", args: { table: "orders", ids: [id], changes: { notes: "hitl" } } }))] },
      config2,
    );
    expect((again as { __interrupt__?: unknown[] }).__interrupt__ ?? []).toHaveLength(1);
    const done = await agent.invoke(new Command({ resume: { decisions: [{ type: "approve" }] } }), config2);
    expect((done as { __interrupt__?: unknown[] }).__interrupt__ ?? []).toHaveLength(0);
    const tool = (done.messages as BaseMessage[]).find((m): m is ToolMessage => ToolMessage.isInstance(m));
    expect(JSON.parse(String(tool?.content))).toMatchObject({ updated: 1, ids: [id] });
    expect(tool?.artifact).toMatchObject({ actedAs: { userId: 1 }, approval: { mode: "middleware", decision: "approved" }, effect: "applied" });
    expect(await asCarol(id)).toMatchObject({ notes: "hitl" });
  });
});

describe("no token in interrupts, checkpoints, debug streams, digests or receipts", () => {
  /** Every string reachable from a value, with byte arrays (checkpoint storage) decoded as text. */
  function texts(value: unknown, out: string[] = [], seen = new WeakSet<object>()): string[] {
    if (typeof value === "string") out.push(value);
    else if (value instanceof Uint8Array) out.push(new TextDecoder().decode(value));
    else if (typeof value === "object" && value !== null && !seen.has(value)) {
      seen.add(value);
      out.push(inspect(value, { depth: 2, breakLength: Infinity }));
      for (const v of value instanceof Map ? value.values() : Object.values(value)) texts(v, out, seen);
    }
    return out;
  }

  function leaks(observed: string[]): string[] {
    const found: string[] = [];
    for (const [name, token] of Object.entries(tokens)) {
      const [, payload, signature] = token.split(".");
      for (const [part, secret] of [["token", token], ["payload", payload], ["signature", signature]] as const) {
        if (observed.some((t) => t.includes(secret as string))) found.push(`${name} ${part}`);
      }
    }
    if (observed.some((t) => t.includes(sb.apiKey))) found.push("API key");
    return found;
  }

  it("stream modes checkpoints/debug/values/updates/tasks of the paused and the resumed run, the saver and the history", async () => {
    const saver = new MemorySaver();
    const g = stateGraph(tools, saver);
    const id = await ownOrder(9);
    const config = configFor(alice, "leak-1");
    const observed: string[] = [];
    const modes = ["checkpoints", "debug", "values", "updates", "tasks"] as const;
    let request: WriteApprovalRequest | undefined;
    for await (const chunk of await g.stream(
      { messages: [new HumanMessage(JSON.stringify({ name: "dreamfactory_update_records", args: { table: "orders", ids: [id], changes: { notes: "leak check" } } }))] },
      { ...config, streamMode: [...modes] },
    )) {
      texts(chunk, observed);
      const [mode, data] = chunk as [string, Record<string, unknown>];
      if (mode === "updates" && Array.isArray(data.__interrupt__)) request = (data.__interrupt__[0] as { value: WriteApprovalRequest }).value;
    }
    expect(request?.digest).toMatch(/^dfw1-/);
    let receipt: unknown;
    for await (const chunk of await g.stream(new Command({ resume: { approved: true, digest: request?.digest } }), { ...config, streamMode: [...modes] })) {
      texts(chunk, observed);
    }
    for await (const snapshot of g.getStateHistory(config)) {
      texts(snapshot, observed);
      const tool = (snapshot.values.messages as BaseMessage[] | undefined)?.find((m) => ToolMessage.isInstance(m));
      if (tool !== undefined) receipt = (tool as ToolMessage).artifact;
    }
    texts(saver.storage, observed);
    texts(saver.writes, observed);
    expect(receipt).toMatchObject({ effect: "applied", approval: { digest: request?.digest } });
    texts([request, receipt], observed);
    expect(observed.join("\n")).toContain("leak check");
    expect(leaks(observed)).toEqual([]);
    // Positive control: the scan finds a token where there is one.
    expect(leaks([...observed, `x${tokens.alice}x`])).toContain("alice token");
    expect(leaks(texts({ bytes: new TextEncoder().encode(tokens.bob.split(".")[2] as string) }))).toContain("bob signature");
  });
});

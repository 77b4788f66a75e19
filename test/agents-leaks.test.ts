/**
 * The user's session token (and its payload and signature parts) and the app's API key appear nowhere a
 * LangChain / LangGraph app can observe: callbacks, streamEvents v2, every LangGraph stream mode, checkpoints,
 * tool outputs and artifacts, thrown errors, and the JSON / inspect views of tools, toolkit and client.
 */
import { inspect } from "node:util";
import { BaseCallbackHandler } from "@langchain/core/callbacks/base";
import { type BaseMessage, HumanMessage } from "@langchain/core/messages";
import type { RunnableConfig } from "@langchain/core/runnables";
import { MemorySaver } from "@langchain/langgraph";
import { createAgent } from "langchain";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { DreamFactoryClient } from "../src/client/index.js";
import { demoScript, DEMO_QUESTION } from "../src/demo/demo-script.js";
import { ScriptedChatModel } from "../src/demo/scripted-chat-model.js";
import { DreamFactoryCredential, withDreamFactoryUser } from "../src/identity/index.js";
import { startSandbox } from "../src/testing/index.js";
import { DreamFactoryToolkit } from "../src/tools/index.js";
import { callTool, toolNamed } from "./tools-harness.js";
import { useResource } from "./support/sandbox-fixture.js";

let token: string;
let credential: DreamFactoryCredential;
let secrets: Array<[string, string]>;
let client: DreamFactoryClient;
let toolkit: DreamFactoryToolkit;

const sb = useResource(
  () => startSandbox({ ...(process.env.TEST_DATABASE_URL ? { database: process.env.TEST_DATABASE_URL } : {}) }),
  async () => {
    token = await sb.login(sb.users.alice.email, sb.users.alice.password);
    credential = DreamFactoryCredential.fromSessionToken(token, { email: sb.users.alice.email });
    const [, payload, signature] = token.split(".");
    secrets = [
      ["token", token],
      ["token payload", payload as string],
      ["token signature", signature as string],
      ["API key", sb.apiKey],
    ];
    client = new DreamFactoryClient({ baseUrl: sb.url, apiKey: sb.apiKey });
    toolkit = new DreamFactoryToolkit({ client, service: sb.service });
  },
);

/** JSON (circular-safe) and util.inspect views of anything. */
function views(value: unknown): string {
  const seen = new WeakSet<object>();
  let json: string;
  try {
    json =
      JSON.stringify(value, (_key, v: unknown) => {
        if (typeof v === "bigint") return String(v);
        if (typeof v === "object" && v !== null) {
          if (seen.has(v)) return "[circular]";
          seen.add(v);
        }
        return v;
      }) ?? "undefined";
  } catch (e) {
    json = `[not serialisable: ${(e as Error).message}]`;
  }
  return `${json}\n${inspect(value, { depth: 10, breakLength: Infinity })}`;
}

function expectClean(channel: string, observed: string[]): void {
  expect(observed.length, `${channel}: nothing observed`).toBeGreaterThan(0);
  const text = observed.join("\n");
  for (const [name, secret] of secrets) {
    expect(text.includes(secret), `${name} found in ${channel}`).toBe(false);
  }
}

const HANDLE_METHODS = [
  "handleLLMStart", "handleLLMNewToken", "handleLLMError", "handleLLMEnd", "handleChatModelStart", "handleChainStart",
  "handleChainError", "handleChainEnd", "handleToolStart", "handleToolEnd", "handleToolError", "handleToolEvent", "handleText",
  "handleAgentAction", "handleAgentEnd", "handleRetrieverStart", "handleRetrieverEnd", "handleRetrieverError", "handleCustomEvent",
] as const;

/** A callback handler recording every argument of every handle* method. */
function recordingHandler(sink: string[]): BaseCallbackHandler {
  const methods = Object.fromEntries(HANDLE_METHODS.map((m) => [m, (...args: unknown[]) => void sink.push(`${m} ${views(args)}`)]));
  return BaseCallbackHandler.fromMethods(methods);
}

type Placement = "configurable" | "context";
const placements: Placement[] = ["configurable", "context"];

/** The agent surface used here (the two createAgent variants differ only in their context type). */
interface LooseAgent {
  invoke(input: unknown, config?: unknown): Promise<{ messages: BaseMessage[] }>;
  streamEvents(input: unknown, config: unknown): AsyncIterable<unknown>;
  stream(input: unknown, config: unknown): Promise<AsyncIterable<unknown>>;
  getStateHistory(config: unknown): AsyncIterable<unknown>;
}

function agentFor(placement: Placement, checkpointer?: MemorySaver): LooseAgent {
  const agent = createAgent({
    model: new ScriptedChatModel(demoScript),
    tools: toolkit.getTools(),
    ...(placement === "context" ? { contextSchema: z.object({ dreamfactory: z.instanceof(DreamFactoryCredential) }) } : {}),
    ...(checkpointer === undefined ? {} : { checkpointer }),
  });
  return agent as unknown as LooseAgent;
}

function configFor(placement: Placement, extra: RunnableConfig = {}): RunnableConfig {
  return placement === "configurable"
    ? withDreamFactoryUser(credential, extra)
    : ({ ...extra, context: { dreamfactory: credential } } as RunnableConfig);
}

describe.each(placements)("credential in %s", (placement) => {
  it("callbacks (every handle* argument) and the run's output", async () => {
    const observed: string[] = [];
    const result = await agentFor(placement).invoke(
      { messages: [new HumanMessage(DEMO_QUESTION)] },
      configFor(placement, { callbacks: [recordingHandler(observed)] }),
    );
    expect(observed.some((o) => o.startsWith("handleToolEnd"))).toBe(true);
    expect(observed.some((o) => o.startsWith("handleChatModelStart"))).toBe(true);
    observed.push(views(result));
    expectClean("callbacks and output", observed);
    expect(String(result.messages.at(-1)?.content)).toMatch(/largest open orders/);
  });

  it("streamEvents v2", async () => {
    const observed: string[] = [];
    const stream = agentFor(placement).streamEvents({ messages: [new HumanMessage(DEMO_QUESTION)] }, { ...configFor(placement), version: "v2" });
    for await (const event of stream) observed.push(views(event));
    expect(observed.some((o) => o.includes("on_tool_end"))).toBe(true);
    expectClean("streamEvents v2", observed);
  });

  it("LangGraph stream modes values, updates, messages, debug, checkpoints, tasks, and the checkpointer's state", async () => {
    const observed: string[] = [];
    const saver = new MemorySaver();
    const agent = agentFor(placement, saver);
    const config = configFor(placement, { configurable: { thread_id: `leak-${placement}` } });
    const stream = await agent.stream(
      { messages: [new HumanMessage(DEMO_QUESTION)] },
      { ...config, streamMode: ["values", "updates", "messages", "debug", "checkpoints", "tasks"] },
    );
    const modes = new Set<string>();
    for await (const chunk of stream) {
      modes.add(String((chunk as unknown[])[0]));
      observed.push(views(chunk));
    }
    expect([...modes].sort()).toEqual(["checkpoints", "debug", "messages", "tasks", "updates", "values"]);
    for await (const snapshot of agent.getStateHistory({ configurable: { thread_id: `leak-${placement}` } })) observed.push(views(snapshot));
    observed.push(views(saver.storage));
    expectClean("LangGraph streams and checkpoints", observed);
  });
});

describe("the channels really capture what passes through them (positive control)", () => {
  it("a secret deliberately put into metadata is seen by the recorder and by streamEvents", async () => {
    const recorded: string[] = [];
    const config = withDreamFactoryUser(credential, { metadata: { planted: secrets[2]?.[1] }, callbacks: [recordingHandler(recorded)] });
    await agentFor("configurable").invoke({ messages: [new HumanMessage(DEMO_QUESTION)] }, config);
    expect(recorded.join("\n")).toContain(secrets[2]?.[1]);
    const streamed: string[] = [];
    const events = agentFor("configurable").streamEvents({ messages: [new HumanMessage(DEMO_QUESTION)] }, { ...withDreamFactoryUser(credential, { metadata: { planted: secrets[2]?.[1] } }), version: "v2" });
    for await (const event of events) streamed.push(views(event));
    expect(streamed.join("\n")).toContain(secrets[2]?.[1]);
  });
});

describe("tool outputs, receipts and errors", () => {
  it("successful, denied and rejected tool results carry no secret", async () => {
    const observed: string[] = [];
    const tools = toolkit.getTools();
    const config = withDreamFactoryUser(credential);
    observed.push(views(await callTool(toolNamed(tools, "dreamfactory_list_tables"), {}, config)));
    observed.push(views(await callTool(toolNamed(tools, "dreamfactory_query_records"), { table: "orders", limit: 3 }, config)));
    observed.push(views(await callTool(toolNamed(tools, "dreamfactory_query_records"), { table: "employees", fields: ["salary"] }, config)));
    observed.push(views(await callTool(toolNamed(tools, "dreamfactory_query_records"), { table: "orders", where: [{ field: "nope", op: "=", value: 1 }] }, config)));
    observed.push(views(await callTool(toolNamed(tools, "dreamfactory_query_records"), { table: "orders", filter: "({session.token} = 1)" }, config)));
    observed.push(views(await callTool(toolNamed(tools, "dreamfactory_get_records"), { table: "customers", ids: [1, 2, 999999] }, config)));
    observed.push(views(await callTool(toolNamed(tools, "dreamfactory_aggregate"), { table: "orders", aggregates: [{ function: "count" }], group_by: ["status"] }, config)));
    expectClean("tool outputs", observed);
  });

  it("thrown errors (raw token in configurable or context, missing credential) hold no secret", async () => {
    const observed: string[] = [];
    const query = toolNamed(toolkit.getTools(), "dreamfactory_query_records");
    for (const config of [{ configurable: { dreamfactory: token } }, { context: { dreamfactory: token } }, {}, { configurable: { dreamfactory: { token } } }]) {
      const err = await query.invoke({ table: "orders" }, config).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(Error);
      observed.push(views(err), String(err), (err as Error).stack ?? "");
    }
    const agentErr = await agentFor("configurable")
      .invoke({ messages: [new HumanMessage(DEMO_QUESTION)] }, { configurable: { dreamfactory: token } })
      .then((r) => r, (e: unknown) => e);
    observed.push(views(agentErr));
    expectClean("errors", observed);
  });
});

describe("serialised views of the package's objects", () => {
  it("JSON.stringify / toJSON / inspect of tools, toolkit, client and credential", () => {
    const observed = [
      JSON.stringify(toolkit),
      JSON.stringify(toolkit.toJSON()),
      JSON.stringify(client),
      JSON.stringify(credential),
      String(credential),
      ...toolkit.getTools().flatMap((t) => [JSON.stringify(t), JSON.stringify((t as unknown as { toJSON(): unknown }).toJSON()), views(t)]),
      views(toolkit),
      views(client),
      views(credential),
      views(withDreamFactoryUser(credential)),
    ];
    expect(JSON.parse(JSON.stringify(toolkit))).toMatchObject({ service: "db", maxRecords: 100, allowWrites: false, client: { baseUrl: sb.url } });
    expectClean("serialised objects", observed);
  });
});

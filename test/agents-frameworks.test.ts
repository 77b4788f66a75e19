/**
 * The same toolkit works unchanged in every way LangChain.js runs tools, and each run sees its own user's rows.
 */
import { AIMessage, type BaseMessage, HumanMessage, ToolMessage } from "@langchain/core/messages";
import { RunnableLambda, RunnableSequence, type RunnableConfig } from "@langchain/core/runnables";
import type { StructuredToolInterface } from "@langchain/core/tools";
import { END, MessagesAnnotation, START, StateGraph } from "@langchain/langgraph";
import { createReactAgent, ToolNode, toolsCondition } from "@langchain/langgraph/prebuilt";
import { createAgent, createMiddleware } from "langchain";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { demoScript, DEMO_QUESTION } from "../src/demo/demo-script.js";
import { ScriptedChatModel } from "../src/demo/scripted-chat-model.js";
import { isDreamFactoryError } from "../src/errors/index.js";
import { DreamFactoryCredential, withDreamFactoryUser } from "../src/identity/index.js";
import { startSandbox } from "../src/testing/index.js";
import { DreamFactoryToolkit, type DreamFactoryReceipt } from "../src/tools/index.js";
import { loginUsers, toolNamed } from "./tools-harness.js";
import { useResource } from "./support/sandbox-fixture.js";

let tools: StructuredToolInterface[];
let users: Array<{ name: string; id: number; credential: DreamFactoryCredential }>;
const model = new ScriptedChatModel(demoScript);
const question = () => [new HumanMessage(DEMO_QUESTION)];

const sb = useResource(
  () => startSandbox({ ...(process.env.TEST_DATABASE_URL ? { database: process.env.TEST_DATABASE_URL } : {}) }),
  async () => {
    tools = new DreamFactoryToolkit({ baseUrl: sb.url, apiKey: sb.apiKey, service: sb.service }).getTools();
    const [alice, bob, carol] = await loginUsers(sb, [sb.users.alice, sb.users.bob, sb.users.carol]);
    users = [
      { name: "alice", id: 1, credential: alice as DreamFactoryCredential },
      { name: "bob", id: 2, credential: bob as DreamFactoryCredential },
      { name: "carol", id: 3, credential: carol as DreamFactoryCredential },
    ];
  },
);

/** The largest open orders the user may see, straight from the database (ground truth). */
async function expectedOrderIds(userId: number): Promise<number[]> {
  const where = userId === 3 ? "" : `AND sales_rep_id = ${userId}`;
  const rows = await sb.query<{ id: number }>(`SELECT id FROM orders WHERE status = 'open' ${where} ORDER BY total DESC LIMIT 5`);
  return rows.map((r) => Number(r.id));
}

/** Checks a run's ToolMessages: the orders and customers it got are exactly the user's. */
async function expectUsersRows(messages: BaseMessage[], user: { id: number; credential: DreamFactoryCredential }): Promise<void> {
  const toolMessages = messages.filter((m): m is ToolMessage => ToolMessage.isInstance(m));
  const orders = toolMessages.find((m) => m.name === "dreamfactory_query_records");
  const customers = toolMessages.find((m) => m.name === "dreamfactory_get_records");
  expect(orders, "orders ToolMessage").toBeDefined();
  expect(customers, "customers ToolMessage").toBeDefined();
  const orderRows = JSON.parse(String(orders?.content)).rows as Array<{ id: number; sales_rep_id: number; customer_id: number }>;
  expect(orderRows.map((r) => r.id)).toEqual(await expectedOrderIds(user.id));
  if (user.id !== 3) expect(orderRows.every((r) => r.sales_rep_id === user.id)).toBe(true);
  const customerRows = JSON.parse(String(customers?.content)).rows as Array<{ id: number }>;
  expect(customerRows.map((c) => c.id).sort()).toEqual([...new Set(orderRows.map((r) => r.customer_id))].sort());
  for (const m of [orders, customers]) {
    expect((m?.artifact as DreamFactoryReceipt).actedAs.userId).toBe(user.id);
  }
  const final = messages.at(-1);
  expect(AIMessage.isInstance(final) && String(final.content)).toMatch(/largest open orders/);
}

describe("direct invocation", () => {
  it("tool.invoke(args, config) returns the content; tool.invoke(toolCall, config) a ToolMessage with the receipt", async () => {
    const query = toolNamed(tools, "dreamfactory_query_records");
    for (const user of users) {
      const args = { table: "orders", where: [{ field: "status", op: "=", value: "open" }], order: "total desc", limit: 5 };
      const content = await query.invoke(args, withDreamFactoryUser(user.credential));
      expect(typeof content).toBe("string");
      expect((JSON.parse(content as string).rows as Array<{ id: number }>).map((r) => r.id)).toEqual(await expectedOrderIds(user.id));
      const message = await query.invoke({ type: "tool_call", id: "t1", name: query.name, args }, withDreamFactoryUser(user.credential));
      expect(ToolMessage.isInstance(message)).toBe(true);
      expect((message as ToolMessage).artifact).toMatchObject({ actedAs: { userId: user.id }, table: "orders", limit: 5 });
    }
  });
});

describe("model.bindTools(tools) chain", () => {
  it("runs the tool calls of a bound model with the chain's config", async () => {
    const byName = new Map(tools.map((t) => [t.name, t]));
    const runTools = RunnableLambda.from(async (ai: AIMessage, config?: RunnableConfig) =>
      Promise.all((ai.tool_calls ?? []).map((call) => byName.get(call.name)?.invoke({ ...call, type: "tool_call" }, config))),
    );
    const chain = RunnableSequence.from([model.bindTools(tools), runTools]);
    for (const user of users) {
      const out = (await chain.invoke(question(), withDreamFactoryUser(user.credential))) as ToolMessage[];
      expect(out).toHaveLength(1);
      const rows = JSON.parse(String(out[0]?.content)).rows as Array<{ id: number }>;
      expect(rows.map((r) => r.id)).toEqual(await expectedOrderIds(user.id));
      expect((out[0]?.artifact as DreamFactoryReceipt).actedAs.userId).toBe(user.id);
    }
  });
});

describe("LangGraph StateGraph + ToolNode", () => {
  const graph = () =>
    new StateGraph(MessagesAnnotation)
      .addNode("agent", async (state) => ({ messages: [await model.invoke(state.messages)] }))
      .addNode("tools", new ToolNode(tools))
      .addEdge(START, "agent")
      .addConditionalEdges("agent", toolsCondition, ["tools", END])
      .addEdge("tools", "agent")
      .compile();

  it("with configurable (withDreamFactoryUser)", async () => {
    const g = graph();
    for (const user of users) {
      const { messages } = await g.invoke({ messages: question() }, withDreamFactoryUser(user.credential));
      await expectUsersRows(messages, user);
    }
  });

  it("with the LangGraph runtime context", async () => {
    const g = graph();
    for (const user of users) {
      const { messages } = await g.invoke({ messages: question() }, { context: { dreamfactory: user.credential } });
      await expectUsersRows(messages, user);
    }
  });

  it("ToolNode with handleToolErrors: false lets a missing credential reach the app (no request sent)", async () => {
    const g = new StateGraph(MessagesAnnotation)
      .addNode("agent", async (state) => ({ messages: [await model.invoke(state.messages)] }))
      .addNode("tools", new ToolNode(tools, { handleToolErrors: false }))
      .addEdge(START, "agent")
      .addConditionalEdges("agent", toolsCondition, ["tools", END])
      .addEdge("tools", "agent")
      .compile();
    const before = sb.requestCount();
    const err = await g.invoke({ messages: question() }).catch((e: unknown) => e);
    expect(isDreamFactoryError(err) && err.code).toBe("credential_missing");
    expect(sb.requestCount()).toBe(before);
  });
});

describe("createReactAgent (@langchain/langgraph/prebuilt)", () => {
  it("each user sees their own rows", async () => {
    const agent = createReactAgent({ llm: model, tools });
    for (const user of users) {
      const { messages } = await agent.invoke({ messages: question() }, withDreamFactoryUser(user.credential));
      await expectUsersRows(messages, user);
    }
  });
});

describe("langchain v1 createAgent", () => {
  it("with configurable", async () => {
    const agent = createAgent({ model, tools });
    for (const user of users) {
      const { messages } = await agent.invoke({ messages: question() }, withDreamFactoryUser(user.credential));
      await expectUsersRows(messages, user);
    }
  });

  it("with contextSchema + context: { dreamfactory: credential }", async () => {
    const agent = createAgent({ model, tools, contextSchema: z.object({ dreamfactory: z.instanceof(DreamFactoryCredential) }) });
    for (const user of users) {
      const { messages } = await agent.invoke({ messages: question() }, { context: { dreamfactory: user.credential } });
      await expectUsersRows(messages, user);
    }
  });

  it("without a credential: no request is sent; the default tool error handling tells the model, a toolErrorMiddleware can make it fatal", async () => {
    const before = sb.requestCount();
    const soft = createAgent({ model, tools });
    const { messages } = await soft.invoke({ messages: question() });
    const errorMessage = messages.find((m) => ToolMessage.isInstance(m)) as ToolMessage;
    expect(errorMessage.status).toBe("error");
    expect(String(errorMessage.content)).toMatch(/No DreamFactory credential/);

    const strict = createAgent({
      model,
      tools,
      middleware: [
        createMiddleware({
          name: "FailOnCredentialErrors",
          wrapToolCall: async (request, handler) => {
            try {
              return await handler(request);
            } catch (error) {
              if (isDreamFactoryError(error) && error.code.startsWith("credential_")) throw error;
              return new ToolMessage({ content: "The tool failed.", tool_call_id: request.toolCall.id ?? "", status: "error" });
            }
          },
        }),
      ],
    });
    const err = await strict.invoke({ messages: question() }).catch((e: unknown) => e);
    const root = (e: unknown): unknown => (isDreamFactoryError(e) || typeof e !== "object" || e === null || !("cause" in e) ? e : root(e.cause));
    expect(isDreamFactoryError(root(err)) && (root(err) as { code: string }).code).toBe("credential_missing");
    expect(sb.requestCount()).toBe(before);
  });
});

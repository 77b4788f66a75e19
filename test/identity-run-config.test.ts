import { inspect } from "node:util";
import { BaseCallbackHandler } from "@langchain/core/callbacks/base";
import { HumanMessage } from "@langchain/core/messages";
import type { RunnableConfig } from "@langchain/core/runnables";
import { RunnableLambda } from "@langchain/core/runnables";
import { fakeModel } from "@langchain/core/testing";
import { tool } from "@langchain/core/tools";
import { Annotation, END, MemorySaver, START, StateGraph } from "@langchain/langgraph";
import { createAgent } from "langchain";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import {
  DreamFactoryCredential,
  IdentityExpectation,
  readExpectation,
  resolveCredential,
  withDreamFactoryUser,
} from "../src/identity/index.js";
import { mintToken, secretParts } from "./identity-token-factory.js";
import { errorOf } from "./support/dreamfactory-errors.js";

const NOW = Math.floor(Date.now() / 1000);

function expectNoSecret(text: string, token: string): void {
  for (const part of secretParts(token)) expect(text).not.toContain(part);
}

/** Records every callback argument as JSON and as util.inspect text. */
function recordingHandler(sink: string[]): BaseCallbackHandler {
  const record = (...args: unknown[]): void => {
    sink.push(JSON.stringify(args, (_k, v: unknown) => (typeof v === "bigint" ? String(v) : v)) ?? "");
    sink.push(inspect(args, { depth: 12 }));
  };
  return BaseCallbackHandler.fromMethods({
    handleChainStart: record,
    handleChainEnd: record,
    handleToolStart: record,
    handleToolEnd: record,
    handleChatModelStart: record,
    handleLLMEnd: record,
    handleCustomEvent: record,
  });
}

describe("withDreamFactoryUser", () => {
  it("wraps a token at configurable.dreamfactory without touching the input config or metadata/tags", async () => {
    const token = await mintToken({ userId: 11 });
    const callbacks: never[] = [];
    const input: RunnableConfig = {
      configurable: { thread_id: "t1" },
      metadata: { app: "demo" },
      tags: ["a"],
      callbacks,
    };
    const config = withDreamFactoryUser(token, input);
    expect(input.configurable).toEqual({ thread_id: "t1" });
    expect(config.configurable?.["thread_id"]).toBe("t1");
    expect(config.configurable?.["dreamfactory"]).toBeInstanceOf(DreamFactoryCredential);
    expect(config.callbacks).toBe(callbacks);
    expect(config.metadata).toEqual({ app: "demo" });
    expect(config.tags).toEqual(["a"]);
    expectNoSecret(JSON.stringify(config), token);
    expectNoSecret(inspect(config, { depth: 10 }), token);
    expect(resolveCredential(config).userId).toBe(11);
  });

  it("accepts a credential and refuses expired tokens and look-alikes", async () => {
    const credential = DreamFactoryCredential.fromSessionToken(await mintToken({ userId: 2 }));
    expect(withDreamFactoryUser(credential).configurable?.["dreamfactory"]).toBe(credential);
    const expired = await mintToken({ iat: NOW - 100, nbf: NOW - 100, exp: NOW - 1 });
    expect(errorOf(() => withDreamFactoryUser(expired)).code).toBe("credential_expired");
    expect(errorOf(() => withDreamFactoryUser({ userId: 2 } as never)).code).toBe("credential_invalid");
  });

  it("stores an identity expectation that never serialises its value", async () => {
    const config = withDreamFactoryUser(await mintToken(), undefined, { expect: { email: "alice@example.com" } });
    const expectation = readExpectation(config);
    expect(expectation).toBeInstanceOf(IdentityExpectation);
    expect(expectation?.email).toBe("alice@example.com");
    expect(Object.isFrozen(expectation)).toBe(true);
    expect(JSON.stringify(config)).not.toContain("alice@example.com");
    expect(inspect(config, { depth: 10 })).not.toContain("alice@example.com");
    expect(JSON.stringify(config.configurable?.["dreamfactory_expect"])).toBe('{"expect":"email"}');
    const byId = withDreamFactoryUser(await mintToken(), config, { expect: { userId: 4 } });
    expect(readExpectation(byId)?.userId).toBe(4);
    expect(readExpectation(withDreamFactoryUser(await mintToken(), byId))).toBeUndefined();
    expect(() => withDreamFactoryUser(config.configurable?.["dreamfactory"], undefined, { expect: { email: "" } })).toThrow(
      TypeError,
    );
    expect(() => withDreamFactoryUser(config.configurable?.["dreamfactory"], undefined, { expect: {} as never })).toThrow(
      TypeError,
    );
  });
});

describe("resolveCredential", () => {
  it("finds the credential in configurable, then context; an app resolver goes first", async () => {
    const a = DreamFactoryCredential.fromSessionToken(await mintToken({ userId: 1 }));
    const b = DreamFactoryCredential.fromSessionToken(await mintToken({ userId: 2 }));
    const c = DreamFactoryCredential.fromSessionToken(await mintToken({ userId: 3 }));
    expect(resolveCredential({ configurable: { dreamfactory: a } }).userId).toBe(1);
    expect(resolveCredential({ context: { dreamfactory: b } } as RunnableConfig).userId).toBe(2);
    const both = { configurable: { dreamfactory: a }, context: { dreamfactory: b } } as RunnableConfig;
    expect(resolveCredential(both).userId).toBe(1);
    expect(resolveCredential(both, () => c).userId).toBe(3);
    expect(resolveCredential(both, () => undefined).userId).toBe(1);
    const langgraphAuth = { configurable: { langgraph_auth_user: { dfCredential: c } } } as RunnableConfig;
    const resolver = (config: RunnableConfig): DreamFactoryCredential | undefined =>
      (config.configurable?.["langgraph_auth_user"] as { dfCredential?: DreamFactoryCredential } | undefined)?.dfCredential;
    expect(resolveCredential(langgraphAuth, resolver).userId).toBe(3);
  });

  it("refuses raw strings with a message that says why and how to wrap them", async () => {
    const token = await mintToken();
    for (const config of [
      { configurable: { dreamfactory: token } },
      { context: { dreamfactory: token } } as RunnableConfig,
      { configurable: {} },
    ]) {
      const resolver = config.configurable !== undefined && "dreamfactory" in config.configurable ? undefined : () => token as never;
      const error = errorOf(() => resolveCredential(config, resolver));
      expect(error.code).toBe("credential_raw_string");
      expect(error.message).toContain("LangSmith");
      expect(error.message).toContain("withDreamFactoryUser");
      expect(error.message).toContain("DreamFactoryCredential.fromSessionToken");
      expectNoSecret(error.message, token);
    }
  });

  it("reports missing, expired and foreign credentials", async () => {
    expect(errorOf(() => resolveCredential(undefined)).code).toBe("credential_missing");
    expect(errorOf(() => resolveCredential({})).code).toBe("credential_missing");
    expect(errorOf(() => resolveCredential({ configurable: { dreamfactory: null } })).code).toBe("credential_missing");
    const token = await mintToken({ iat: NOW - 100, nbf: NOW - 100, exp: NOW - 5 });
    const expired = DreamFactoryCredential.fromSessionToken(token, { now: () => (NOW - 50) * 1000 });
    const error = errorOf(() => resolveCredential({ configurable: { dreamfactory: expired } }));
    expect(error.code).toBe("credential_expired");
    expectNoSecret(error.message, token);
    const live = DreamFactoryCredential.fromSessionToken(await mintToken());
    expect(errorOf(() => resolveCredential({ configurable: { dreamfactory: structuredClone(live) } })).code).toBe(
      "credential_invalid",
    );
    expect(errorOf(() => resolveCredential({ configurable: { dreamfactory: live.toJSON() } })).code).toBe(
      "credential_invalid",
    );
  });
});

describe("the credential travelling through LangChain and LangGraph runs", () => {
  it("reaches a tool() and a RunnableLambda, and no callback sees the token", async () => {
    const token = await mintToken({ userId: 21 });
    const seen: string[] = [];
    const whoAmI = tool(async (_input, config) => `user ${resolveCredential(config).userId}`, {
      name: "who_am_i",
      description: "Says which DreamFactory user the run acts as.",
      schema: z.object({ q: z.string() }),
    });
    const chain = RunnableLambda.from(async (q: string, config?: RunnableConfig) => whoAmI.invoke({ q }, config));
    const config = withDreamFactoryUser(token, { callbacks: [recordingHandler(seen)], metadata: { m: 1 } });
    expect(await whoAmI.invoke({ q: "x" }, config)).toBe("user 21");
    expect(await chain.invoke("x", config)).toBe("user 21");
    expect(seen.length).toBeGreaterThan(0);
    for (const entry of seen) expectNoSecret(entry, token);
  });

  it("a LangGraph graph with a checkpointer streams debug/checkpoints without the token", async () => {
    const token = await mintToken({ userId: 22 });
    const State = Annotation.Root({ user: Annotation<number> });
    const graph = new StateGraph(State)
      .addNode("who", (_state: typeof State.State, config: RunnableConfig) => ({ user: resolveCredential(config).userId }))
      .addEdge(START, "who")
      .addEdge("who", END)
      .compile({ checkpointer: new MemorySaver() });
    const chunks: unknown[] = [];
    const stream = await graph.stream(
      { user: 0 },
      {
        ...withDreamFactoryUser(token, { configurable: { thread_id: "t-run-config" } }),
        streamMode: ["debug", "checkpoints", "values", "updates", "tasks"],
      },
    );
    for await (const chunk of stream) chunks.push(chunk);
    const text = JSON.stringify(chunks);
    expect(text).toContain('"user":22');
    // The credential object was serialised (debug/checkpoints carry the config) — through its toJSON only.
    expect(text).toContain("DreamFactoryCredential");
    expectNoSecret(text, token);
    expectNoSecret(inspect(chunks, { depth: 20 }), token);
  });

  it("createAgent with contextSchema: the tool reads config.context, chat-model callbacks see no token", async () => {
    const token = await mintToken({ userId: 23 });
    const credential = DreamFactoryCredential.fromSessionToken(token);
    const seen: string[] = [];
    const whoAmI = tool(async (_input, config) => `user ${resolveCredential(config).userId}`, {
      name: "who_am_i",
      description: "Says which DreamFactory user the run acts as.",
      schema: z.object({ q: z.string() }),
    });
    const model = fakeModel()
      .respondWithTools([{ name: "who_am_i", args: { q: "x" } }])
      .respond(new HumanMessage("done"));
    const agent = createAgent({
      model,
      tools: [whoAmI],
      contextSchema: z.object({ dreamfactory: z.instanceof(DreamFactoryCredential) }),
    });
    const result = await agent.invoke(
      { messages: [new HumanMessage("who am I?")] },
      { context: { dreamfactory: credential }, callbacks: [recordingHandler(seen)] },
    );
    const toolMessage = result.messages.find((m) => m.getType() === "tool");
    expect(toolMessage?.content).toBe("user 23");
    expect(seen.some((entry) => entry.includes("DreamFactoryCredential"))).toBe(true);
    for (const entry of seen) expectNoSecret(entry, token);
  });
});

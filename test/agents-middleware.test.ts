import { AIMessage, HumanMessage, ToolMessage, type BaseMessage } from "@langchain/core/messages";
import { createAgent } from "langchain";
import { describe, expect, it } from "vitest";
import { dreamfactoryMiddleware } from "../src/agents/dreamfactory-middleware.js";
import { ScriptedChatModel } from "../src/demo/scripted-chat-model.js";
import { isDreamFactoryError } from "../src/errors/index.js";
import { DreamFactoryCredential, withDreamFactoryUser } from "../src/identity/index.js";
import { startSandbox } from "../src/testing/index.js";
import { DreamFactoryToolkit } from "../src/tools/index.js";
import { useResource } from "./support/sandbox-fixture.js";

// One tool call on orders, then a final answer quoting the tool result.
function script(messages: BaseMessage[]): AIMessage {
  const tool = messages.find((m): m is ToolMessage => ToolMessage.isInstance(m));
  if (tool === undefined) {
    return new AIMessage({
      content: "",
      tool_calls: [{ id: "call_1", name: "dreamfactory_query_records", type: "tool_call", args: { table: "orders", limit: 3 } }],
    });
  }
  return new AIMessage(`tool said: ${String(tool.content)}`);
}

let alice: DreamFactoryCredential;

const sb = useResource(
  () => startSandbox(),
  async () => {
    alice = DreamFactoryCredential.fromSessionToken(await sb.login(sb.users.alice.email, sb.users.alice.password));
  },
);

function agent(withMiddleware: boolean, toolkit: DreamFactoryToolkit) {
  return createAgent({
    model: new ScriptedChatModel(script),
    tools: toolkit.getTools(),
    middleware: withMiddleware ? [dreamfactoryMiddleware()] : [],
  });
}

describe("dreamfactoryMiddleware", () => {
  it("without it, createAgent hands a missing credential to the model as an error message (the reason it exists)", async () => {
    const toolkit = new DreamFactoryToolkit({ baseUrl: sb.url, apiKey: sb.apiKey, service: "db" });
    sb.resetRequestCount();
    const { messages } = await agent(false, toolkit).invoke({ messages: [new HumanMessage("my orders")] });
    const tool = messages.find((m): m is ToolMessage => ToolMessage.isInstance(m));
    expect(tool?.status).toBe("error");
    expect(String(tool?.content)).toContain("No DreamFactory credential in this run");
    expect(sb.requestCount()).toBe(0);
  });

  it("with it, a missing credential stops the run: invoke rejects with credential_missing and nothing is sent", async () => {
    const toolkit = new DreamFactoryToolkit({ baseUrl: sb.url, apiKey: sb.apiKey, service: "db" });
    sb.resetRequestCount();
    const err = await agent(true, toolkit).invoke({ messages: [new HumanMessage("my orders")] }).catch((e: unknown) => e);
    expect(isDreamFactoryError(err)).toBe(true);
    expect((err as { code: string }).code).toBe("credential_missing");
    expect(sb.requestCount()).toBe(0);
  });

  it("with it, a token DreamFactory refuses (logged out) stops the run with token_blacklisted", async () => {
    const toolkit = new DreamFactoryToolkit({ baseUrl: sb.url, apiKey: sb.apiKey, service: "db" });
    const bob = DreamFactoryCredential.fromSessionToken(await sb.login(sb.users.bob.email, sb.users.bob.password));
    const { DreamFactorySession } = await import("../src/session/index.js");
    const { DreamFactoryClient } = await import("../src/client/index.js");
    await new DreamFactorySession(new DreamFactoryClient({ baseUrl: sb.url, apiKey: sb.apiKey })).logout(bob);
    const err = await agent(true, toolkit)
      .invoke({ messages: [new HumanMessage("my orders")] }, withDreamFactoryUser(bob))
      .catch((e: unknown) => e);
    expect((err as { code?: string }).code).toBe("token_blacklisted");
  });

  it("with it, a server failure after retries reaches the model as a short error message and the run ends normally", async () => {
    const toolkit = new DreamFactoryToolkit({ baseUrl: sb.url, apiKey: sb.apiKey, service: "db", maxRetries: 1 });
    sb.setFaults({ fail: { every: 1, status: 503 } });
    try {
      const { messages } = await agent(true, toolkit).invoke({ messages: [new HumanMessage("my orders")] }, withDreamFactoryUser(alice));
      const tool = messages.find((m): m is ToolMessage => ToolMessage.isInstance(m));
      expect(tool?.status).toBe("error");
      expect(JSON.parse(String(tool?.content))).toMatchObject({ error: "server_error", status: 503 });
      // Only the code, the status and the first line of DreamFactory's text: no request line, no path.
      expect(String(tool?.content)).not.toContain("/api/v2/");
      expect(String(tool?.content)).not.toContain("GET ");
      expect(String(messages.at(-1)?.content)).toContain("server_error");
    } finally {
      sb.setFaults(null);
    }
  });

  it("with it, the normal path is unchanged: alice gets her own rows", async () => {
    const toolkit = new DreamFactoryToolkit({ baseUrl: sb.url, apiKey: sb.apiKey, service: "db" });
    const { messages } = await agent(true, toolkit).invoke({ messages: [new HumanMessage("my orders")] }, withDreamFactoryUser(alice));
    const tool = messages.find((m): m is ToolMessage => ToolMessage.isInstance(m));
    const rows = (JSON.parse(String(tool?.content)) as { rows: Array<{ sales_rep_id: number }> }).rows;
    expect(rows.length).toBe(3);
    expect(rows.every((r) => r.sales_rep_id === 1)).toBe(true);
  });
});

import { describe, expect, it } from "vitest";
import { z } from "zod";
import { createAgent } from "langchain";
import { fakeModel } from "@langchain/core/testing";
import { AIMessage, HumanMessage, ToolMessage, type BaseMessage } from "@langchain/core/messages";
import { RunnablePassthrough, RunnableSequence } from "@langchain/core/runnables";
import { StringOutputParser } from "@langchain/core/output_parsers";
import { tool } from "@langchain/core/tools";
import { startSandbox } from "../src/testing/index.js";
import { DreamFactoryRetriever } from "../src/retrievers/dreamfactory-retriever.js";
import { DreamFactoryCredential, withDreamFactoryUser } from "../src/identity/index.js";
import { DreamFactoryClient } from "../src/client/index.js";
import { KB_TEAM_ONLY_WORDS } from "../src/testing/db/demo-kb-articles.js";
import { containsToken, EchoChatModel, EventRecorder, formatDocs, loginUsers, type TestUser } from "./retrievers-support.js";
import { useResource } from "./support/sandbox-fixture.js";

let users: Map<string, TestUser>;
let retriever: DreamFactoryRetriever;

const SALES = KB_TEAM_ONLY_WORDS.sales;
const SUPPORT = KB_TEAM_ONLY_WORDS.support;

function user(handle: string): TestUser {
  const u = users.get(handle);
  if (u === undefined) throw new Error(`no user ${handle}`);
  return u;
}

/** The knowledge-base search as a tool (langchain 1.x has no createRetrieverTool; this is its replacement). */
function kbTool() {
  return tool(async ({ query }, config) => formatDocs(await retriever.invoke(query, config)), {
    name: "search_kb",
    description: "Search the help-centre knowledge base as the current user. Returns matching articles with their source.",
    schema: z.object({ query: z.string().describe("Keywords to search for, e.g. 'refund policy'") }),
  });
}

function agentFor(query: string, contextSchema?: z.ZodObject) {
  const model = fakeModel()
    .respondWithTools([{ name: "search_kb", args: { query } }])
    .respond(new AIMessage("done"));
  return createAgent({ model, tools: [kbTool()], ...(contextSchema === undefined ? {} : { contextSchema }) });
}

function toolOutput(messages: BaseMessage[]): string {
  const msg = messages.find((m) => ToolMessage.isInstance(m));
  expect(msg).toBeDefined();
  return String(msg?.content);
}

const sb = useResource(
  () => startSandbox(),
  async () => {
    users = await loginUsers(sb, 6);
    const client = new DreamFactoryClient({ baseUrl: sb.url, apiKey: sb.apiKey });
    retriever = new DreamFactoryRetriever({ client, service: sb.service, table: "kb_articles", searchFields: ["title", "body"], pageContent: ["title", "body"], k: 3 });
  },
);

describe("DreamFactoryRetriever inside chains, tools and agents", () => {
  it("works in a RunnableSequence RAG chain (retriever → format → prompt → chat model) as the invoking user", async () => {
    const model = new EchoChatModel({});
    const chain = RunnableSequence.from([
      { context: retriever.pipe(formatDocs), question: new RunnablePassthrough() },
      ({ context, question }: { context: string; question: string }) => [new HumanMessage(`Context:\n${context}\n\nQuestion: ${question}`)],
      model,
      new StringOutputParser(),
    ]);
    const forAlice = await chain.invoke(`${SALES} discount`, withDreamFactoryUser(user("alice").credential));
    expect(forAlice).toContain("Bluefin discount ladder (internal)");
    const forDave = await chain.invoke(`${SALES} discount`, withDreamFactoryUser(user("dave").credential));
    const daveContext = forDave.split("\n\nQuestion:")[0] ?? "";
    expect(daveContext).not.toContain(SALES);
    expect(daveContext).toContain("Volume discounts");
    for (const p of model.prompts) {
      expect(containsToken(p, user("alice").token)).toBe(false);
      expect(containsToken(p, user("dave").token)).toBe(false);
    }
    await expect(chain.invoke("discount")).rejects.toMatchObject({ code: "credential_missing" });
  });

  it("works as a tool (ToolCall in, ToolMessage out) with the credential from the tool's config", async () => {
    const t = kbTool();
    const call = { id: "call_1", name: "search_kb", args: { query: SUPPORT }, type: "tool_call" as const };
    const forDave = await t.invoke(call, withDreamFactoryUser(user("dave").credential));
    expect(ToolMessage.isInstance(forDave)).toBe(true);
    expect(String(forDave.content)).toContain("Kestrel escalation bridge");
    const forBob = await t.invoke(call, withDreamFactoryUser(user("bob").credential));
    expect(String(forBob.content)).toBe("");
  });

  it("works inside createAgent with withDreamFactoryUser (configurable)", async () => {
    const alice = await agentFor(SALES).invoke({ messages: [new HumanMessage("q")] }, withDreamFactoryUser(user("alice").credential));
    expect(toolOutput(alice.messages)).toContain("Bluefin discount ladder");
    const dave = await agentFor(SALES).invoke({ messages: [new HumanMessage("q")] }, withDreamFactoryUser(user("dave").credential));
    expect(toolOutput(dave.messages)).not.toContain(SALES);
  });

  it("works inside createAgent with runtime context (contextSchema, context.dreamfactory); trace id = retriever run id; no token in any event", async () => {
    const schema = z.object({ dreamfactory: z.instanceof(DreamFactoryCredential) });
    const dave = user("dave");
    const recorder = new EventRecorder();
    sb.clearAudit();
    const out = await agentFor(SUPPORT, schema).invoke(
      { messages: [new HumanMessage("q")] },
      { context: { dreamfactory: dave.credential }, callbacks: [recorder] },
    );
    expect(toolOutput(out.messages)).toContain("Kestrel escalation bridge");
    const start = recorder.events.find((e) => e.event === "retrieverStart");
    expect(start?.runId).toBeDefined();
    const entry = (await sb.audit()).find((a) => a.component === "_table/kb_articles");
    expect(entry).toMatchObject({ traceId: start?.runId, userId: dave.id });
    expect(containsToken(recorder.events, dave.token)).toBe(false);
    expect(containsToken(out, dave.token)).toBe(false);

    const alice = await agentFor(SUPPORT, schema).invoke({ messages: [new HumanMessage("q")] }, { context: { dreamfactory: user("alice").credential } });
    expect(toolOutput(alice.messages)).toBe("");
  });

  it("30 concurrent agent runs for 10 users on one shared retriever and tool each get their own documents", async () => {
    const handles = ["alice", "bob", "carol", "dave", "admin", ...[...users.keys()].filter((h) => h.startsWith("rep")).slice(0, 5)];
    const runs = Array.from({ length: 30 }, (_, i) => {
      const h = handles[i % handles.length]!;
      const q = i % 2 === 0 ? SALES : SUPPORT;
      return agentFor(q)
        .invoke({ messages: [new HumanMessage("q")] }, withDreamFactoryUser(user(h).credential))
        .then((r) => ({ h, q, text: toolOutput(r.messages) }));
    });
    for (const { h, q, text } of await Promise.all(runs)) {
      const team = user(h).team;
      const mayFind = team === "it" || (q === SALES ? team === "sales" : team === "support");
      expect(text.includes(q)).toBe(mayFind);
    }
  });
});

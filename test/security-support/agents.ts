/**
 * The agent frameworks the security suite drives, all with the same offline scripted model: langchain's
 * `createAgent` (credential in `configurable` or in the runtime context with `contextSchema`), a LangGraph
 * `StateGraph` + `ToolNode`, and `createReactAgent`. Every agent can take a checkpointer.
 *
 * The model is a {@link ScriptedChatModel} running {@link replayScript}: the first human message is a JSON plan of
 * tool calls; the model makes them all in its first turn, then answers with a summary of the tool results.
 */
import { AIMessage, type BaseMessage, HumanMessage, ToolMessage } from "@langchain/core/messages";
import type { RunnableConfig } from "@langchain/core/runnables";
import type { StructuredToolInterface } from "@langchain/core/tools";
import { END, MessagesAnnotation, START, StateGraph, type BaseCheckpointSaver } from "@langchain/langgraph";
import { createReactAgent, ToolNode, toolsCondition } from "@langchain/langgraph/prebuilt";
import { createAgent } from "langchain";
import { z } from "zod";
import { ScriptedChatModel } from "../../src/demo/scripted-chat-model.js";
import { DreamFactoryCredential, withDreamFactoryUser } from "../../src/identity/index.js";

/** One tool call of a plan. */
export interface PlannedCall {
  name: string;
  args: Record<string, unknown>;
}

/** The frameworks under test. */
export const FRAMEWORKS = ["createAgent+configurable", "createAgent+contextSchema", "StateGraph+ToolNode", "createReactAgent"] as const;
export type Framework = (typeof FRAMEWORKS)[number];

/** The human message that makes the scripted model run `plan`. */
export function planMessage(plan: PlannedCall[]): HumanMessage {
  return new HumanMessage(JSON.stringify(plan));
}

/**
 * Turn 1: every planned call at once. Turn 2: a final answer listing each tool's status (ok / error) and size.
 * @param messages - the conversation so far
 */
export function replayScript(messages: BaseMessage[]): AIMessage {
  const human = messages.find((m) => HumanMessage.isInstance(m));
  const plan = JSON.parse(typeof human?.content === "string" ? human.content : "[]") as PlannedCall[];
  const results = messages.filter((m): m is ToolMessage => ToolMessage.isInstance(m));
  if (results.length === 0 && plan.length > 0) {
    return new AIMessage({
      content: "",
      tool_calls: plan.map((call, i) => ({ id: `call_${i}_${call.name}`, name: call.name, args: call.args, type: "tool_call" as const })),
    });
  }
  const summary = results.map((m) => `${m.name ?? "tool"}: ${m.status === "error" ? "error" : "ok"} (${String(m.content).length} chars)`);
  return new AIMessage(`Done. ${summary.join("; ")}`);
}

/** The surface of a compiled graph the suite uses (the frameworks' types differ only in their generics). */
export interface LooseAgent {
  invoke(input: unknown, config?: unknown): Promise<{ messages: BaseMessage[] }>;
  stream(input: unknown, config: unknown): Promise<AsyncIterable<unknown>>;
  streamEvents(input: unknown, config: unknown): AsyncIterable<unknown>;
  getStateHistory(config: unknown): AsyncIterable<unknown>;
}

/**
 * Builds an agent of `framework` over `tools`.
 * @param framework - which framework
 * @param tools - the tools
 * @param checkpointer - optional checkpointer (spy saver)
 */
export function buildAgent(framework: Framework, tools: StructuredToolInterface[], checkpointer?: BaseCheckpointSaver): LooseAgent {
  const model = new ScriptedChatModel(replayScript);
  switch (framework) {
    case "createAgent+configurable":
      return createAgent({ model, tools, ...(checkpointer === undefined ? {} : { checkpointer }) }) as unknown as LooseAgent;
    case "createAgent+contextSchema":
      return createAgent({
        model,
        tools,
        contextSchema: z.object({ dreamfactory: z.instanceof(DreamFactoryCredential) }),
        ...(checkpointer === undefined ? {} : { checkpointer }),
      }) as unknown as LooseAgent;
    case "StateGraph+ToolNode":
      return new StateGraph(MessagesAnnotation)
        .addNode("agent", async (state, config) => ({ messages: [await model.invoke(state.messages, config)] }))
        .addNode("tools", new ToolNode(tools))
        .addEdge(START, "agent")
        .addConditionalEdges("agent", toolsCondition, ["tools", END])
        .addEdge("tools", "agent")
        .compile(checkpointer === undefined ? {} : { checkpointer }) as unknown as LooseAgent;
    case "createReactAgent":
      return createReactAgent({ llm: model, tools, ...(checkpointer === undefined ? {} : { checkpointSaver: checkpointer }) }) as unknown as LooseAgent;
  }
}

/**
 * The run config that carries `credential` the way `framework` expects it: `withDreamFactoryUser` (configurable)
 * or `context.dreamfactory` for `createAgent+contextSchema`.
 */
export function runConfig(framework: Framework, credential: DreamFactoryCredential, extra: RunnableConfig = {}): RunnableConfig {
  return framework === "createAgent+contextSchema"
    ? ({ ...extra, context: { dreamfactory: credential } } as RunnableConfig)
    : withDreamFactoryUser(credential, extra);
}

/** The ToolMessages of a finished run, by tool name. */
export function toolMessages(messages: BaseMessage[]): Map<string, ToolMessage> {
  const out = new Map<string, ToolMessage>();
  for (const m of messages) if (ToolMessage.isInstance(m)) out.set(m.name ?? m.tool_call_id, m);
  return out;
}

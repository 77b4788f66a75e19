/**
 * Shared helpers for the tool, toolkit, agent and demo tests (not a test file itself).
 */
import { ToolMessage } from "@langchain/core/messages";
import type { RunnableConfig } from "@langchain/core/runnables";
import type { StructuredToolInterface } from "@langchain/core/tools";
import { DreamFactoryCredential } from "../src/identity/index.js";
import type { Sandbox } from "../src/testing/index.js";
import type { DreamFactoryReceipt } from "../src/tools/index.js";

/** Logs demo users in and wraps their tokens (with their e-mail) in credentials. */
export async function loginUsers(sb: Sandbox, logins: ReadonlyArray<{ email: string; password: string }>): Promise<DreamFactoryCredential[]> {
  return Promise.all(
    logins.map(async ({ email, password }) => DreamFactoryCredential.fromSessionToken(await sb.login(email, password), { email })),
  );
}

/** Result of a tool call made with a ToolCall input: the message, its parsed JSON content and its receipt. */
export interface ToolCallResult {
  message: ToolMessage;
  content: Record<string, unknown>;
  receipt: DreamFactoryReceipt;
}

let callSeq = 0;

/** Invokes a tool with a ToolCall (so the result is a ToolMessage with the receipt as artifact). */
export async function callTool(tool: StructuredToolInterface, args: Record<string, unknown>, config: RunnableConfig): Promise<ToolCallResult> {
  callSeq += 1;
  const out: unknown = await tool.invoke({ type: "tool_call", id: `call_${callSeq}`, name: tool.name, args }, config);
  if (!(out instanceof ToolMessage)) throw new Error("expected a ToolMessage");
  return { message: out, content: JSON.parse(String(out.content)) as Record<string, unknown>, receipt: out.artifact as DreamFactoryReceipt };
}

/** Finds a tool by name. */
export function toolNamed(tools: readonly StructuredToolInterface[], name: string): StructuredToolInterface {
  const t = tools.find((x) => x.name === name);
  if (t === undefined) throw new Error(`no tool ${name}`);
  return t;
}

/** Rows of a parsed query/get result. */
export function rowsOf(content: Record<string, unknown>): Record<string, unknown>[] {
  return (content.rows ?? []) as Record<string, unknown>[];
}

import { BaseCallbackHandler } from "@langchain/core/callbacks/base";
import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { HumanMessage, type BaseMessage, ToolMessage } from "@langchain/core/messages";
import { createAgent, initChatModel } from "langchain";
import { z } from "zod";
import { DreamFactoryCredential } from "../identity/index.js";
import { startSandbox, type Sandbox } from "../testing/index.js";
import { DreamFactoryToolkit } from "../tools/index.js";
import { auditTable, sideBySide, userTable, type DemoUserResult } from "./demo-report.js";
import { demoScript, DEMO_QUESTION } from "./demo-script.js";
import { ScriptedChatModel } from "./scripted-chat-model.js";

/** Options of {@link runDemo}. */
export interface DemoOptions {
  /** Sandbox port on 127.0.0.1. @default 0 (any free port) */
  port?: number;
  /** PostgreSQL URL for the sandbox. @default embedded PGlite */
  database?: string;
  /** A `provider:model` for langchain's `initChatModel` (e.g. `openai:gpt-4.1-mini`). @default the scripted model */
  model?: string;
  /** Where the report goes. @default process.stdout */
  write?: (text: string) => void;
}

/** What the demo showed. */
export interface DemoResult {
  users: DemoUserResult[];
  /** Audit entries whose user differs from the user of the run that carries their trace id (expected 0). */
  auditMismatches: number;
  durationMs: number;
}

const DEMO_USERS = [
  { handle: "alice", role: "sales_rep", userId: 1 },
  { handle: "bob", role: "sales_rep", userId: 2 },
  { handle: "carol", role: "sales_manager", userId: 3 },
  { handle: "dave", role: "support", userId: 4 },
] as const;

const SYSTEM_PROMPT =
  "You answer questions about the signed-in user's business data with the DreamFactory tools. " +
  "Use dreamfactory_query_records for orders and dreamfactory_get_records to look up customers by id. " +
  "If a tool says you are not permitted, tell the user so and do not retry.";

/**
 * The demo: starts the embedded sandbox, logs in alice, bob, carol and dave, and runs the same question through
 * ONE shared `createAgent` agent for each user (concurrently), each run carrying its own user's credential in
 * the runtime context. Prints what each user got side by side, dave's refusal, and the sandbox's audit log
 * proving every request ran as its real user, joined with the runs by trace id.
 *
 * @param options - port, database, model, output
 */
export async function runDemo(options: DemoOptions = {}): Promise<DemoResult> {
  const write = options.write ?? ((text: string) => void process.stdout.write(text));
  const started = Date.now();
  const sb = await startSandbox({
    ...(options.port === undefined ? {} : { port: options.port }),
    ...(options.database === undefined ? {} : { database: options.database }),
  });
  try {
    write(`DreamFactory sandbox at ${sb.url}/api/v2 (${sb.databaseKind}), service "${sb.service}".\n`);
    const model = await chooseModel(options.model, write);
    const toolkit = new DreamFactoryToolkit({ baseUrl: sb.url, apiKey: sb.apiKey, service: sb.service, maxRecords: 50 });
    const agent = createAgent({
      model,
      tools: toolkit.getTools(),
      systemPrompt: SYSTEM_PROMPT,
      contextSchema: z.object({ dreamfactory: z.instanceof(DreamFactoryCredential) }),
    });

    const logins = await Promise.all(
      DEMO_USERS.map(async (u) => {
        const login = sb.users[u.handle];
        return { ...u, email: login.email, credential: DreamFactoryCredential.fromSessionToken(await sb.login(login.email, login.password), { email: login.email }) };
      }),
    );
    write(`Question, asked by each user through one shared agent: "${DEMO_QUESTION}"\n\n`);

    sb.clearAudit();
    const users = await Promise.all(
      logins.map(async (u): Promise<DemoUserResult> => {
        const toolRunIds: string[] = [];
        const callbacks: BaseCallbackHandler[] = [
          BaseCallbackHandler.fromMethods({
            handleToolStart(_tool, _input, runId) {
              toolRunIds.push(runId);
            },
          }),
        ];
        const { messages } = await agent.invoke(
          { messages: [new HumanMessage(DEMO_QUESTION)] },
          { context: { dreamfactory: u.credential }, callbacks },
        );
        return { handle: u.handle, email: u.email, role: u.role, userId: u.userId, toolRunIds, ...readRun(messages) };
      }),
    );
    const audit = auditTable(await sb.audit(), users);

    write(`${sideBySide(users)}\n\n`);
    for (const u of users) write(`${userTable(u)}\n\n`);
    write("Sandbox audit log (every request as its real user; trace id = the LangChain tool run id):\n");
    write(`${audit.text}\n`);
    write(
      audit.mismatches === 0
        ? `All ${(await sb.audit()).length} requests ran as the user of the run that made them.\n`
        : `${audit.mismatches} audit entries do not match their run's user!\n`,
    );
    const durationMs = Date.now() - started;
    write(`Done in ${(durationMs / 1000).toFixed(1)} s.\n`);
    return { users, auditMismatches: audit.mismatches, durationMs };
  } finally {
    await closeQuietly(sb);
  }
}

async function chooseModel(name: string | undefined, write: (text: string) => void): Promise<BaseChatModel> {
  if (name !== undefined && name !== "") {
    write(`Model: ${name} (DEMO_MODEL), via langchain initChatModel.\n`);
    return (await initChatModel(name)) as unknown as BaseChatModel;
  }
  write("Model: scripted tool-calling model (no DEMO_MODEL set): it decides its tool calls from the question\n");
  write("       (query_records on open orders by total desc, limit 5, then get_records on their customers).\n");
  return new ScriptedChatModel(demoScript);
}

/** Orders, customers, refusal and answer from one run's messages. */
function readRun(messages: BaseMessage[]): Pick<DemoUserResult, "orders" | "customers" | "refusal" | "answer"> {
  const tools = messages.filter((m): m is ToolMessage => ToolMessage.isInstance(m));
  const parse = (m: ToolMessage | undefined): Record<string, unknown> => {
    try {
      const v: unknown = JSON.parse(typeof m?.content === "string" ? m.content : "{}");
      return typeof v === "object" && v !== null ? (v as Record<string, unknown>) : {};
    } catch {
      return {};
    }
  };
  const orders = parse(tools.find((m) => m.name === "dreamfactory_query_records"));
  const customers = parse(tools.find((m) => m.name === "dreamfactory_get_records"));
  const refusal = orders.error === "not_permitted" ? String(orders.message) : undefined;
  const names = new Map<unknown, string>(
    (Array.isArray(customers.rows) ? (customers.rows as Array<Record<string, unknown>>) : []).map((c) => [c.id, String(c.name)]),
  );
  const last = messages.at(-1);
  return {
    orders: Array.isArray(orders.rows) ? (orders.rows as Array<Record<string, unknown>>) : [],
    customers: names,
    refusal,
    answer: typeof last?.content === "string" ? last.content : JSON.stringify(last?.content ?? ""),
  };
}

async function closeQuietly(sb: Sandbox): Promise<void> {
  try {
    await sb.close();
  } catch {
    // closing is best effort
  }
}

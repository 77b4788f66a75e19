/**
 * 200 concurrent runs of ONE shared createAgent agent for 20 different users: every run sees only its own
 * user's rows, and every request in the sandbox's audit log ran as the user of the run whose tool run id it
 * carries as trace id.
 */
import { BaseCallbackHandler } from "@langchain/core/callbacks/base";
import { HumanMessage, ToolMessage } from "@langchain/core/messages";
import { createAgent } from "langchain";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { demoScript, DEMO_QUESTION } from "../src/demo/demo-script.js";
import { ScriptedChatModel } from "../src/demo/scripted-chat-model.js";
import { DreamFactoryCredential, withDreamFactoryUser } from "../src/identity/index.js";
import { startSandbox } from "../src/testing/index.js";
import { DreamFactoryToolkit } from "../src/tools/index.js";
import { loginUsers } from "./tools-harness.js";
import { useResource } from "./support/sandbox-fixture.js";

const RUNS = 200;
const USERS = 20;

let users: Array<{ id: number; email: string; credential: DreamFactoryCredential; expected: number[] }>;

const sb = useResource(
  () => startSandbox({ ...(process.env.TEST_DATABASE_URL ? { database: process.env.TEST_DATABASE_URL } : {}) }),
  async () => {
    const logins = [
      { ...sb.users.alice, id: 1 },
      { ...sb.users.bob, id: 2 },
      ...sb.extraUsers.slice(0, USERS - 2).map((u) => ({ email: u.email, password: u.password, id: u.id })),
    ];
    const credentials = await loginUsers(sb, logins);
    users = await Promise.all(
      logins.map(async (login, i) => ({
        id: login.id,
        email: login.email,
        credential: credentials[i] as DreamFactoryCredential,
        expected: (
          await sb.query<{ id: number }>("SELECT id FROM orders WHERE status = 'open' AND sales_rep_id = $1 ORDER BY total DESC LIMIT 5", [login.id])
        ).map((r) => Number(r.id)),
      })),
    );
  },
);

describe("one shared agent, 200 concurrent runs, 20 users", () => {
  it("each run sees only its own user's rows; the audit log agrees run by run", async () => {
    const tools = new DreamFactoryToolkit({ baseUrl: sb.url, apiKey: sb.apiKey, service: sb.service }).getTools();
    const agent = createAgent({
      model: new ScriptedChatModel(demoScript),
      tools,
      contextSchema: z.object({ dreamfactory: z.instanceof(DreamFactoryCredential).optional() }),
    });
    sb.clearAudit();
    const started = Date.now();
    const runs = await Promise.all(
      Array.from({ length: RUNS }, async (_, i) => {
        const user = users[i % USERS] as (typeof users)[number];
        const toolRunIds: string[] = [];
        const callbacks = [
          BaseCallbackHandler.fromMethods({
            handleToolStart(_tool, _input, runId) {
              toolRunIds.push(runId);
            },
          }),
        ];
        const input = { messages: [new HumanMessage(DEMO_QUESTION)] };
        // half the runs carry the credential in configurable, half in the runtime context
        const result =
          i % 2 === 0
            ? await agent.invoke(input, { ...withDreamFactoryUser(user.credential), callbacks })
            : await agent.invoke(input, { context: { dreamfactory: user.credential }, callbacks });
        return { user, toolRunIds, messages: result.messages };
      }),
    );
    const durationMs = Date.now() - started;

    let rowMismatches = 0;
    for (const run of runs) {
      const orders = run.messages.find((m) => ToolMessage.isInstance(m) && m.name === "dreamfactory_query_records") as ToolMessage | undefined;
      const rows = (JSON.parse(String(orders?.content ?? "{}")).rows ?? []) as Array<{ id: number; sales_rep_id: number }>;
      const ok =
        JSON.stringify(rows.map((r) => r.id)) === JSON.stringify(run.user.expected) &&
        rows.every((r) => r.sales_rep_id === run.user.id) &&
        run.toolRunIds.length === 2;
      if (!ok) rowMismatches += 1;
    }

    const runOfTrace = new Map<string, (typeof runs)[number]>();
    for (const run of runs) for (const id of run.toolRunIds) runOfTrace.set(id, run);
    const audit = await sb.audit();
    let auditMismatches = 0;
    for (const entry of audit) {
      const run = runOfTrace.get(entry.traceId);
      if (run === undefined || entry.email !== run.user.email || entry.userId !== run.user.id || entry.status !== 200) auditMismatches += 1;
    }

    console.info(
      `[agents-concurrency] ${RUNS} runs / ${USERS} users / ${audit.length} audited requests in ${durationMs} ms; ` +
        `row mismatches ${rowMismatches}, audit mismatches ${auditMismatches}`,
    );
    expect(users.every((u) => u.expected.length === 5)).toBe(true);
    expect(new Set(users.map((u) => JSON.stringify(u.expected))).size).toBe(USERS);
    expect(rowMismatches).toBe(0);
    expect(audit).toHaveLength(RUNS * 2);
    expect(auditMismatches).toBe(0);
    expect(new Set(audit.map((a) => a.traceId)).size).toBe(RUNS * 2);
  }, 180_000);
});

/**
 * Concurrency: ONE shared `createAgent` agent (scripted tool-calling model, the demo's script: open orders, then
 * their customers) driving `users` users × `runsPerUser` runs, `concurrency` runs in flight at once. Reports runs/s,
 * p50/p99 run latency, and cross-user mismatches: every sandbox audit entry, joined to its run by trace id
 * (= the tool run id), must name the user of that run.
 */
import { HumanMessage, ToolMessage } from "@langchain/core/messages";
import { createAgent } from "langchain";
import { z } from "zod";
import { DreamFactoryCredential } from "../src/identity/index.js";
import { DreamFactoryToolkit } from "../src/tools/index.js";
import { startSandbox } from "../src/testing/index.js";
import { demoScript, DEMO_QUESTION } from "../src/demo/demo-script.js";
import { ScriptedChatModel } from "../src/demo/scripted-chat-model.js";
import type { DreamFactoryReceipt } from "../src/tools/index.js";
import { percentile } from "./stats.js";

export interface ConcurrencyBenchResult {
  users: number;
  runs: number;
  concurrency: number;
  concurrency_runs_per_s: number;
  concurrency_p50_ms: number;
  concurrency_p99_ms: number;
  concurrency_mismatches: number;
  audited_requests: number;
}

export async function runConcurrencyBench(options: { users?: number; runsPerUser?: number; concurrency?: number } = {}): Promise<ConcurrencyBenchResult> {
  const usersWanted = options.users ?? 100;
  const runsPerUser = options.runsPerUser ?? 20;
  const concurrency = options.concurrency ?? 100;
  const sb = await startSandbox();
  try {
    const logins = [sb.users.alice, sb.users.bob, ...sb.extraUsers].slice(0, usersWanted);
    const users = await Promise.all(
      logins.map(async (l) => ({ email: l.email, credential: DreamFactoryCredential.fromSessionToken(await sb.login(l.email, l.password), { email: l.email }) })),
    );
    const toolkit = new DreamFactoryToolkit({ baseUrl: sb.url, apiKey: sb.apiKey, service: sb.service, maxRecords: 20 });
    const agent = createAgent({
      model: new ScriptedChatModel(demoScript),
      tools: toolkit.getTools(),
      contextSchema: z.object({ dreamfactory: z.instanceof(DreamFactoryCredential) }),
    });
    // warm-up
    await agent.invoke({ messages: [new HumanMessage(DEMO_QUESTION)] }, { context: { dreamfactory: users[0]!.credential } });
    sb.clearAudit();

    const jobs = users.flatMap((u) => Array.from({ length: runsPerUser }, () => u));
    const expectedEmail = new Map<string, string>(); // trace id -> email of the run's user
    const latencies: number[] = [];
    let next = 0;
    const t0 = performance.now();
    const worker = async (): Promise<void> => {
      for (;;) {
        const i = next++;
        const u = jobs[i];
        if (u === undefined) return;
        const start = performance.now();
        const { messages } = await agent.invoke({ messages: [new HumanMessage(DEMO_QUESTION)] }, { context: { dreamfactory: u.credential } });
        latencies.push(performance.now() - start);
        for (const m of messages) {
          if (ToolMessage.isInstance(m)) {
            const receipt = m.artifact as DreamFactoryReceipt | undefined;
            if (receipt?.traceId) expectedEmail.set(receipt.traceId, u.email);
          }
        }
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    const seconds = (performance.now() - t0) / 1000;

    const audit = await sb.audit();
    let mismatches = 0;
    for (const entry of audit) {
      const expected = expectedEmail.get(entry.traceId);
      if (expected === undefined || expected !== entry.email) mismatches++;
    }
    if (expectedEmail.size === 0) throw new Error("no receipts collected");
    return {
      users: users.length,
      runs: jobs.length,
      concurrency,
      concurrency_runs_per_s: jobs.length / seconds,
      concurrency_p50_ms: percentile(latencies, 50),
      concurrency_p99_ms: percentile(latencies, 99),
      concurrency_mismatches: mismatches,
      audited_requests: audit.length,
    };
  } finally {
    await sb.close();
  }
}

if (process.argv[1]?.endsWith("concurrency.bench.ts")) {
  runConcurrencyBench({ users: Number(process.argv[2] ?? 100), runsPerUser: Number(process.argv[3] ?? 20) }).then((r) => console.log(r));
}

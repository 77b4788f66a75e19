/**
 * `npm run bench`: every benchmark side by side in one process run. Prints a table and writes
 * bench/results.json. Machines here are noisy: figures are medians and ratios of interleaved rounds.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { runConcurrencyBench } from "./concurrency.bench.js";
import { runCredentialBench } from "./credential.bench.js";
import { runRetrieverBench } from "./retriever.bench.js";
import { runSandboxBench } from "./sandbox.bench.js";
import { runToolOverheadBench } from "./tool-overhead.bench.js";
import { PeakRss } from "./stats.js";

const round = (n: number, digits = 3): number => Number(n.toFixed(digits));

async function main(): Promise<void> {
  const started = performance.now();
  const rss = new PeakRss();
  const step = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    process.stdout.write(`- ${name} … `);
    const out = await fn();
    process.stdout.write(`${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
    return out;
  };

  const credential = await step("credential decode/verify", () => runCredentialBench());
  const tools = await step("tool overhead (static server, sandbox)", () => runToolOverheadBench());
  const concurrency = await step("concurrency (shared agent)", () => runConcurrencyBench());
  const retriever = await step("retrieval (50k-row table)", () => runRetrieverBench({ print: false }));
  const sandbox = await step("sandbox throughput", () => runSandboxBench());
  const peak = rss.stop();

  const stat = tools.find((r) => r.server === "static");
  const live = tools.find((r) => r.server === "sandbox");
  if (stat === undefined || live === undefined) throw new Error("tool overhead rows missing");
  const results = {
    tool_vs_naive: round(stat.tool_vs_naive),
    tool_vs_axios: round(stat.tool_vs_axios),
    tool_overhead_us: round(stat.tool_overhead_us, 1),
    tool_vs_node_http: round(stat.ours_ms / stat.node_http_ms),
    sandbox_tool_vs_naive: round(live.tool_vs_naive),
    sandbox_tool_vs_axios: round(live.tool_vs_axios),
    credential_cached_us: round(credential.credential_cached_us),
    credential_uncached_us: round(credential.credential_uncached_us, 1),
    verify_rs256_per_s: Math.round(credential.verify_rs256_per_s),
    verify_es256_per_s: Math.round(credential.verify_es256_per_s),
    concurrency_runs: concurrency.runs,
    concurrency_users: concurrency.users,
    concurrency_runs_per_s: round(concurrency.concurrency_runs_per_s, 1),
    concurrency_p50_ms: round(concurrency.concurrency_p50_ms, 1),
    concurrency_p99_ms: round(concurrency.concurrency_p99_ms, 1),
    concurrency_mismatches: concurrency.concurrency_mismatches,
    retriever_vs_raw: round(retriever.retriever_vs_raw),
    sandbox_filtered_rps: Math.round(sandbox.sandbox_filtered_rps),
    bare_json_rps: Math.round(sandbox.bare_json_rps),
    peak_rss_mb: Math.round(peak),
    total_seconds: round((performance.now() - started) / 1000, 1),
    machine: { node: process.version, cpus: (await import("node:os")).cpus().length },
  };

  const targets: Record<string, string> = {
    tool_vs_naive: "≤ 1.05",
    tool_vs_axios: "≤ 1.15",
    credential_cached_us: "< 5",
    concurrency_mismatches: "= 0",
  };
  console.log("\nfigure                      value        target");
  for (const [k, v] of Object.entries(results)) {
    if (typeof v === "object") continue;
    console.log(`${k.padEnd(27)} ${String(v).padEnd(12)} ${targets[k] ?? ""}`);
  }
  console.log("\ntool overhead detail (per-call medians, ms):");
  console.table(tools.map((r) => ({ server: r.server, ours: round(r.ours_ms), naive: round(r.naive_ms), axios: round(r.axios_ms), node_http: round(r.node_http_ms) })));
  const out = join(process.cwd(), "bench", "results.json");
  writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`wrote ${out}`);
  if (results.concurrency_mismatches !== 0) process.exitCode = 1;
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});

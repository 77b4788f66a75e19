/**
 * Sandbox throughput (informational): requests/s of `GET /_table/orders?filter=…&limit=10` as alice (role row
 * filter + RLS transaction) vs a bare JSON endpoint served by node:http (the sandbox's HTTP framework), both
 * driven by the same keep-alive axios client with 10 requests in flight.
 */
import http from "node:http";
import axios, { type AxiosInstance } from "axios";
import { startSandbox } from "../src/testing/index.js";
import { startStaticServer } from "./static-server.js";

export interface SandboxBenchResult {
  sandbox_filtered_rps: number;
  bare_json_rps: number;
  sandbox_vs_bare: number;
}

async function rps(client: AxiosInstance, path: string, params: Record<string, unknown>, headers: Record<string, string>, total: number): Promise<number> {
  let sent = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: 10 }, async () => {
      while (sent < total) {
        sent++;
        await client.get(path, { params, headers });
      }
    }),
  );
  return total / ((performance.now() - t0) / 1000);
}

export async function runSandboxBench(total = Number(process.env.BENCH_SANDBOX_REQUESTS ?? 2000)): Promise<SandboxBenchResult> {
  const httpAgent = new http.Agent({ keepAlive: true, maxSockets: 10 });
  const sb = await startSandbox();
  const bare = await startStaticServer();
  try {
    const token = await sb.login(sb.users.alice.email, sb.users.alice.password);
    const headers = { "X-DreamFactory-API-Key": sb.apiKey, "X-DreamFactory-Session-Token": token };
    const params = { filter: "(status = open) AND (total > 100)", limit: 10 };
    const toSandbox = axios.create({ baseURL: `${sb.url}/api/v2`, httpAgent });
    const toBare = axios.create({ baseURL: `${bare.url}/api/v2`, httpAgent });
    await rps(toSandbox, "/db/_table/orders", params, headers, 100);
    await rps(toBare, "/db/_table/orders", params, headers, 100);
    const s = await rps(toSandbox, "/db/_table/orders", params, headers, total);
    const b = await rps(toBare, "/db/_table/orders", params, headers, total * 5);
    return { sandbox_filtered_rps: s, bare_json_rps: b, sandbox_vs_bare: s / b };
  } finally {
    httpAgent.destroy();
    await bare.close();
    await sb.close();
  }
}

if (process.argv[1]?.endsWith("sandbox.bench.ts")) {
  runSandboxBench().then((r) => console.log(r));
}

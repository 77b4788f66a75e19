/**
 * Tool overhead: sequential `dreamfactory_query_records` calls (`tool.invoke(args, withDreamFactoryUser(cred))`,
 * limit 10) against what a user would otherwise write: (a) the same GET with a bare axios instance, (b) a naive
 * hand-written LangChain `tool()` that does the GET with a fixed header (what DreamFactory tutorials show), and
 * (c) raw `node:http`. Interleaved rounds, per-call medians, ratios. Run against a static DreamFactory-shaped JSON
 * server (isolates client cost) and against the sandbox (real work per request).
 */
import http from "node:http";
import { randomBytes, randomUUID } from "node:crypto";
import axios from "axios";
import { SignJWT } from "jose";
import { tool } from "@langchain/core/tools";
import { z } from "zod";
import { DreamFactoryCredential, withDreamFactoryUser } from "../src/identity/index.js";
import { DreamFactoryToolkit } from "../src/tools/index.js";
import { startSandbox } from "../src/testing/index.js";
import { interleave, median, type Contender } from "./stats.js";
import { startStaticServer } from "./static-server.js";

export interface ToolOverheadRow {
  server: "static" | "sandbox";
  ours_ms: number;
  naive_ms: number;
  axios_ms: number;
  node_http_ms: number;
  tool_vs_naive: number;
  tool_vs_axios: number;
  tool_overhead_us: number;
}

const QUERY = { table: "orders", limit: 10 };

async function contendersFor(baseUrl: string, apiKey: string, token: string): Promise<Contender[]> {
  const credential = DreamFactoryCredential.fromSessionToken(token);
  const toolkit = new DreamFactoryToolkit({ baseUrl, apiKey, service: "db" });
  const ours = toolkit.getTools().find((t) => t.name === "dreamfactory_query_records");
  if (ours === undefined) throw new Error("query tool missing");
  const config = withDreamFactoryUser(credential);

  const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
  const bare = axios.create({ baseURL: `${baseUrl}/api/v2`, httpAgent: agent, timeout: 30_000 });
  const headers = { "X-DreamFactory-API-Key": apiKey, "X-DreamFactory-Session-Token": token, Accept: "application/json" };
  const path = "/db/_table/orders";
  const params = { limit: 10, include_count: true };

  // What the tutorials show: one tool, one fixed credential baked into the headers.
  const naive = tool(
    async ({ table, limit }: { table: string; limit: number }) => {
      const res = await bare.get(`/db/_table/${table}`, { params: { limit, include_count: true }, headers });
      return JSON.stringify(res.data.resource);
    },
    { name: "get_table_records", description: "Get records of a DreamFactory table", schema: z.object({ table: z.string(), limit: z.number() }) },
  );

  const url = new URL(`${baseUrl}/api/v2${path}?limit=10&include_count=true`);
  const rawGet = () =>
    new Promise<unknown>((resolve, reject) => {
      const req = http.get(url, { agent, headers: { ...headers, "X-DreamFactory-Trace-Id": randomUUID() } }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          try {
            resolve(JSON.parse(Buffer.concat(chunks).toString("utf8")));
          } catch (e) {
            reject(e);
          }
        });
        res.on("error", reject);
      });
      req.on("error", reject);
    });

  return [
    { name: "ours", once: () => ours.invoke(QUERY, config) },
    { name: "naive", once: () => naive.invoke(QUERY) },
    { name: "axios", once: () => bare.get(path, { params, headers: { ...headers, "X-DreamFactory-Trace-Id": randomUUID() } }) },
    { name: "node_http", once: rawGet },
  ];
}

async function measure(server: "static" | "sandbox", contenders: Contender[], calls: number): Promise<ToolOverheadRow> {
  for (const c of contenders) for (let i = 0; i < 50; i++) await c.once(); // warm-up: JIT, sockets
  const perRound = 50;
  const rounds = Math.max(4, Math.round(calls / perRound));
  const samples = await interleave(contenders, rounds, perRound);
  const m = (name: string) => median(samples.get(name) ?? []);
  const ours = m("ours");
  const naive = m("naive");
  const ax = m("axios");
  return {
    server,
    ours_ms: ours,
    naive_ms: naive,
    axios_ms: ax,
    node_http_ms: m("node_http"),
    tool_vs_naive: ours / naive,
    tool_vs_axios: ours / ax,
    tool_overhead_us: (ours - ax) * 1000,
  };
}

async function mintStaticToken(): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ user_id: 1, forever: false })
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(randomBytes(16).toString("hex"))
    .setIssuedAt(now)
    .setNotBefore(now)
    .setExpirationTime(now + 3600)
    .setJti(randomBytes(8).toString("hex"))
    .sign(randomBytes(32));
}

/** Runs both servers; `calls` sequential calls per contender and server (default 2,000). */
export async function runToolOverheadBench(calls = Number(process.env.BENCH_TOOL_CALLS ?? 2000)): Promise<ToolOverheadRow[]> {
  const rows: ToolOverheadRow[] = [];
  const stat = await startStaticServer();
  try {
    rows.push(await measure("static", await contendersFor(stat.url, "k".repeat(64), await mintStaticToken()), calls));
  } finally {
    await stat.close();
  }
  const sb = await startSandbox();
  try {
    const token = await sb.login(sb.users.alice.email, sb.users.alice.password);
    rows.push(await measure("sandbox", await contendersFor(sb.url, sb.apiKey, token), Math.min(calls, 1000)));
  } finally {
    await sb.close();
  }
  return rows;
}

if (process.argv[1]?.endsWith("tool-overhead.bench.ts")) {
  runToolOverheadBench(Number(process.argv[2] ?? 2000)).then((rows) => console.table(rows));
}

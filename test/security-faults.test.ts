/**
 * Security suite, attack 5 — faults. With the sandbox's fault injection (latency, 500/503 bursts, 429 with
 * Retry-After, dropped connections, HTML error pages, truncated bodies): reads through the tools, both retrievers
 * and the client retry within bounds and then fail with a typed error; writes (the write tools, after approval,
 * and `client.request` POSTs) are never repeated once they may have reached DreamFactory; aborting a run's signal
 * stops the work within 200 ms wherever it is waiting; and nothing hangs (every call is bounded in time).
 */
import { ToolMessage } from "@langchain/core/messages";
import type { RunnableConfig } from "@langchain/core/runnables";
import type { StructuredToolInterface } from "@langchain/core/tools";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { DreamFactoryClient } from "../src/client/index.js";
import { withDreamFactoryUser } from "../src/identity/index.js";
import { startSandbox, type FaultOptions, type Sandbox } from "../src/testing/index.js";
import { DreamFactoryToolkit, type DreamFactoryToolkitOptions } from "../src/tools/index.js";
import type { DreamFactoryWriteOptions } from "../src/tools/write/write-options.js";
import { buildAgent, planMessage } from "./security-support/agents.js";
import { codeOf, kbRetrievers, sandboxOptions, signIn, type KbRetrievers, type SignedIn, within } from "./security-support/fixtures.js";
import { Tripwire } from "./security-support/tripwire.js";

const TIMEOUT_MS = 400;
/**
 * Per-attempt timeout of the write tools' client. A write that times out is (rightly) `outcome_unknown` and never
 * repeated, so a write test that expects success must not depend on the machine answering within 400 ms: on a
 * loaded CI runner the retry after a 429 once took longer and the test failed. Timeouts have their own tests.
 */
const WRITE_TIMEOUT_MS = 8_000;
let sb: Sandbox;
let alice: SignedIn;
let client: DreamFactoryClient;
let tools: StructuredToolInterface[];
/** Write tools on a client with {@link WRITE_TIMEOUT_MS}. */
let writeTools: StructuredToolInterface[];
let retrievers: KbRetrievers;
/** Faults switched on by the write approval, i.e. for the write request only. */
let faultsAtApproval: FaultOptions | null = null;
let requestsAtApproval = 0;
const abortLatencies: number[] = [];

beforeAll(async () => {
  sb = await startSandbox(sandboxOptions());
  alice = await signIn(sb, "alice");
  client = new DreamFactoryClient({ baseUrl: sb.url, apiKey: sb.apiKey, timeoutMs: TIMEOUT_MS, maxRetries: 2 });
  const writeClient = new DreamFactoryClient({ baseUrl: sb.url, apiKey: sb.apiKey, timeoutMs: WRITE_TIMEOUT_MS, maxRetries: 2 });
  const options: DreamFactoryToolkitOptions & { writes: DreamFactoryWriteOptions } = {
    client,
    service: sb.service,
    allowWrites: true,
    writes: {
      approve: () => {
        if (faultsAtApproval !== null) sb.setFaults(faultsAtApproval);
        requestsAtApproval = sb.requestCount();
        return true;
      },
    },
  };
  tools = new DreamFactoryToolkit(options).getTools();
  writeTools = new DreamFactoryToolkit({ ...options, client: writeClient }).getTools();
  retrievers = await kbRetrievers(sb, client);
});

afterEach(() => {
  sb.setFaults(null);
  faultsAtApproval = null;
});

afterAll(async () => {
  if (abortLatencies.length > 0) {
    console.info(`[security-faults] abort latency over ${abortLatencies.length} aborts: max ${Math.max(...abortLatencies).toFixed(1)} ms`);
  }
  await sb?.close();
});

const tool = (name: string) => tools.find((t) => t.name === `dreamfactory_${name}`) as StructuredToolInterface;
const as = (extra: RunnableConfig = {}) => withDreamFactoryUser(alice.credential, extra);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The three read paths: a tool, the search retriever, the authorising retriever. */
const READS: Array<[string, (config: RunnableConfig) => Promise<unknown>]> = [
  ["query_records", (config) => tool("query_records").invoke({ table: "orders", limit: 5 }, config)],
  ["DreamFactoryRetriever", (config) => retrievers.search.invoke("refund policy", config)],
  ["DreamFactoryAuthorizedRetriever", (config) => retrievers.checked.invoke("refund policy", config)],
];

/** Runs `fn` with faults on; returns what it settled with, the requests the sandbox received and the time taken. */
async function underFaults(faults: FaultOptions, fn: () => Promise<unknown>, limitMs = 8_000): Promise<{ value: unknown; error: unknown; requests: number; ms: number }> {
  sb.setFaults(faults);
  const before = sb.requestCount();
  const started = performance.now();
  let value: unknown;
  let error: unknown;
  try {
    value = await within(limitMs, fn(), "faulted call");
  } catch (e) {
    error = e;
  } finally {
    sb.setFaults(null);
  }
  return { value, error, requests: sb.requestCount() - before, ms: performance.now() - started };
}

describe("reads retry within bounds, then fail with a typed error", () => {
  it.each(READS)("%s: a 503 burst of two is ridden out (3 attempts); a persistent 500 fails after exactly 3", async (_name, read) => {
    const burst = await underFaults({ fail: { next: 2, status: 503 } }, () => read(as()));
    expect(burst.error).toBeUndefined();
    expect(burst.requests).toBe(3);
    const down = await underFaults({ fail: { every: 1, status: 500 } }, () => read(as()));
    expect(codeOf(down.error)).toBe("server_error");
    expect(down.requests).toBe(3);
    expect(down.ms).toBeLessThan(4_000);
  });

  it.each(READS)("%s: 429 waits Retry-After then succeeds; a Retry-After beyond the wait budget fails at once", async (_name, read) => {
    const limited = await underFaults({ rateLimit: { next: 1, retryAfterSeconds: 1 } }, () => read(as()));
    expect(limited.error).toBeUndefined();
    expect(limited.requests).toBe(2);
    expect(limited.ms).toBeGreaterThanOrEqual(950);
    const blocked = await underFaults({ rateLimit: { next: 100, retryAfterSeconds: 60 } }, () => read(as()));
    expect(codeOf(blocked.error)).toBe("rate_limited");
    expect(blocked.requests).toBe(1);
    expect(blocked.ms).toBeLessThan(1_000);
  });

  it.each(READS)("%s: a dropped connection is retried; connections that always drop end in network_error after 3", async (_name, read) => {
    const once = await underFaults({ dropConnection: { next: 1 } }, () => read(as()));
    expect(once.error).toBeUndefined();
    expect(once.requests).toBe(2);
    const always = await underFaults({ dropConnection: { every: 1 } }, () => read(as()));
    expect(codeOf(always.error)).toBe("network_error");
    expect(always.requests).toBe(3);
  });

  it.each(READS)("%s: latency beyond the timeout ends in timeout after 3 bounded attempts", async (_name, read) => {
    const slow = await underFaults({ latencyMs: 1_500 }, () => read(as()));
    expect(codeOf(slow.error)).toBe("timeout");
    expect(slow.requests).toBe(3);
    expect(slow.ms).toBeGreaterThanOrEqual(3 * TIMEOUT_MS);
    expect(slow.ms).toBeLessThan(3 * TIMEOUT_MS + 2_000);
  });

  it.each(READS)("%s: proxy HTML error pages are retried, then a typed error that quotes no HTML", async (_name, read) => {
    const once = await underFaults({ fail: { next: 1, status: 502, html: true } }, () => read(as()));
    expect(once.error).toBeUndefined();
    const always = await underFaults({ fail: { every: 1, status: 502, html: true } }, () => read(as()));
    expect(codeOf(always.error)).toBe("server_error");
    expect(always.requests).toBe(3);
    expect(String((always.error as Error).message)).not.toMatch(/<|html|doctype/i);
  });

  it.each(READS)("%s: a body cut off once is retried like a dropped connection; always cut ends in network_error after 3, no partial rows", async (_name, read) => {
    const once = await underFaults({ truncateBody: { next: 1 } }, () => read(as()));
    expect(once.error).toBeUndefined();
    expect(once.value).toBeDefined();
    expect(once.requests).toBe(2);
    const cut = await underFaults({ truncateBody: { every: 1 } }, () => read(as()));
    expect(cut.value).toBeUndefined();
    expect(codeOf(cut.error)).toBe("network_error");
    expect(String((cut.error as Error).message)).toMatch(/cut off/);
    expect(cut.requests).toBe(3);
  });
});

describe("writes are never retried once they may have reached DreamFactory", () => {
  const marker = () => `fault-${Math.random().toString(36).slice(2, 10)}`;
  const created = async (notes: string) => Number((await sb.query<{ n: number }>("SELECT count(*)::int AS n FROM orders WHERE notes = $1", [notes]))[0]?.n);
  async function createOrder(faults: FaultOptions): Promise<{ notes: string; result: unknown; error: unknown; writeRequests: number }> {
    const notes = marker();
    const [customer] = await sb.query<{ id: number }>("SELECT id FROM customers WHERE sales_rep_id = 1 ORDER BY id LIMIT 1");
    faultsAtApproval = faults;
    let result: unknown;
    let error: unknown;
    try {
      result = await within(
        WRITE_TIMEOUT_MS + 4_000,
        writeTools.find((t) => t.name === "dreamfactory_create_records")!.invoke(
          { type: "tool_call", id: "w", name: "dreamfactory_create_records", args: { table: "orders", records: [{ customer_id: customer?.id, sales_rep_id: 1, total: 12.5, notes }] } },
          as(),
        ),
        "write",
      );
    } catch (e) {
      error = e;
    }
    await sleep(300); // past any backoff a retry would have waited
    const writeRequests = sb.requestCount() - requestsAtApproval;
    sb.setFaults(null);
    return { notes, result, error, writeRequests };
  }
  const content = (r: unknown) => JSON.parse(String((r as ToolMessage).content)) as Record<string, unknown>;

  it("503 on the write: one request, a typed server_error, nothing created", async () => {
    const w = await createOrder({ fail: { next: 5, status: 503 } });
    expect(w.writeRequests).toBe(1);
    expect(codeOf(w.error)).toBe("server_error");
    expect(await created(w.notes)).toBe(0);
  });

  it("dropped connection on the write: one request, outcome unknown (not retried), nothing created", async () => {
    const w = await createOrder({ dropConnection: { next: 5 } });
    expect(w.writeRequests).toBe(1);
    expect(content(w.result).error).toBe("outcome_unknown");
    expect(await created(w.notes)).toBe(0);
  });

  it("truncated answer to an applied write: one request, outcome unknown, the row exists exactly once", async () => {
    const w = await createOrder({ truncateBody: { next: 5 } });
    expect(w.writeRequests).toBe(1);
    expect(w.error).toBeUndefined();
    expect(content(w.result).error).toBe("outcome_unknown");
    expect(await created(w.notes)).toBe(1);
  });

  it("429 on the write is retried (DreamFactory refused it before doing anything): the row exists exactly once", async () => {
    const w = await createOrder({ rateLimit: { next: 1, retryAfterSeconds: 0 } });
    expect(w.writeRequests).toBe(2);
    expect(content(w.result), `receipt: ${JSON.stringify((w.result as ToolMessage).artifact)}`).toMatchObject({ action: "create", created: 1 });
    expect(await created(w.notes)).toBe(1);
  });

  it("client.request POST: 500 and a dropped connection are never repeated", async () => {
    const [customer] = await sb.query<{ id: number }>("SELECT id FROM customers WHERE sales_rep_id = 1 ORDER BY id LIMIT 1");
    for (const [faults, code] of [[{ fail: { every: 1, status: 500 } }, "server_error"], [{ dropConnection: { every: 1 } }, "write_outcome_unknown"]] as const) {
      const notes = marker();
      const r = await underFaults(faults, () =>
        client.request(alice.credential, { method: "POST", path: "/db/_table/orders", body: { resource: [{ customer_id: customer?.id, sales_rep_id: 1, total: 1, notes }] } }),
      );
      expect(codeOf(r.error)).toBe(code);
      expect(r.requests).toBe(1);
      expect(await created(notes)).toBe(0);
    }
  });

  it("client.request POST whose answer is cut off: write_outcome_unknown (not server_error), one request, the row was created", async () => {
    const [customer] = await sb.query<{ id: number }>("SELECT id FROM customers WHERE sales_rep_id = 1 ORDER BY id LIMIT 1");
    const notes = marker();
    const r = await underFaults({ truncateBody: { every: 1 } }, () =>
      client.request(alice.credential, { method: "POST", path: "/db/_table/orders", query: { fields: "*" }, body: { resource: [{ customer_id: customer?.id, sales_rep_id: 1, total: 3, notes }] } }),
    );
    expect(codeOf(r.error)).toBe("write_outcome_unknown");
    expect(String((r.error as Error).message)).toMatch(/cut off.*may or may not have been applied/);
    expect(r.requests).toBe(1);
    expect(await created(notes)).toBe(1);
  });
});

describe("aborting a run stops the work promptly (< 200 ms), wherever it waits", () => {
  /**
   * Starts `run`, aborts after `afterMs` — or, with `inFlight`, once the request has reached the sandbox (at least
   * `afterMs`, at most 5 s: on a loaded machine an agent may need longer than a fixed delay to send it, and a request
   * arriving late would be counted by the next test) — and returns how long the rejection took after the abort.
   */
  async function abortAfter(
    afterMs: number,
    run: (signal: AbortSignal) => Promise<unknown>,
    inFlight = false,
  ): Promise<{ ms: number; error: unknown }> {
    const before = sb.requestCount();
    const controller = new AbortController();
    const settled = run(controller.signal).then(
      () => new Error("completed instead of aborting"),
      (e: unknown) => e,
    );
    await sleep(afterMs);
    for (let waited = afterMs; inFlight && sb.requestCount() === before && waited < 5_000; waited += 5) await sleep(5);
    const started = performance.now();
    controller.abort();
    const error = await within(5_000, settled, "aborted call");
    const ms = performance.now() - started;
    abortLatencies.push(ms);
    return { ms, error };
  }

  it.each(READS)("%s: while the request is in flight (server latency 3 s)", async (_name, read) => {
    sb.setFaults({ latencyMs: 3_000 });
    const before = sb.requestCount();
    const { ms, error } = await abortAfter(150, (signal) => read(as({ signal })), true);
    expect(codeOf(error)).toBe("aborted");
    expect(ms).toBeLessThan(200);
    expect(sb.requestCount() - before).toBe(1);
  });

  it("while waiting out a retry backoff, and while waiting for a 429's Retry-After", async () => {
    for (const faults of [{ fail: { every: 1, status: 503 as const } }, { rateLimit: { next: 100, retryAfterSeconds: 5 } }]) {
      sb.setFaults(faults);
      const { ms, error } = await abortAfter(80, (signal) => tool("query_records").invoke({ table: "orders", limit: 1 }, as({ signal })));
      expect(codeOf(error)).toBe("aborted");
      expect(ms).toBeLessThan(200);
    }
  });

  it("a whole agent run (createAgent, the run's signal reaches the tools)", async () => {
    sb.setFaults({ latencyMs: 3_000 });
    const agent = buildAgent("createAgent+configurable", tools);
    const plan = [{ name: "dreamfactory_query_records", args: { table: "orders", limit: 1 } }];
    const before = sb.requestCount();
    const { ms, error } = await abortAfter(200, (signal) => agent.invoke({ messages: [planMessage(plan)] }, as({ signal })), true);
    expect(error).toBeInstanceOf(Error);
    expect(ms).toBeLessThan(200);
    expect(sb.requestCount() - before).toBe(1);
  });

  it("a client.request write in flight: aborted, reported as possibly applied, not repeated", async () => {
    sb.setFaults({ latencyMs: 3_000 });
    const before = sb.requestCount();
    const { ms, error } = await abortAfter(
      150,
      (signal) => client.request(alice.credential, { method: "POST", path: "/db/_table/orders", body: { resource: [] }, signal }),
      true,
    );
    expect(codeOf(error)).toBe("aborted");
    expect(String((error as Error).message)).toMatch(/may or may not have been applied/);
    expect(ms).toBeLessThan(200);
    expect(sb.requestCount() - before).toBe(1);
  });

  it("no secret in any abort or fault error", async () => {
    const wire = new Tripwire([{ label: "API key", value: sb.apiKey }]);
    wire.addToken("alice token", alice.token);
    sb.setFaults({ latencyMs: 3_000 });
    const { error } = await abortAfter(100, (signal) => retrievers.checked.invoke("refund", as({ signal })));
    wire.observeError("error", error);
    const down = await underFaults({ fail: { every: 1, status: 502, html: true } }, () => tool("query_records").invoke({ table: "orders" }, as()));
    wire.observeError("error", down.error);
    wire.expectClean(["error"]);
  });
});

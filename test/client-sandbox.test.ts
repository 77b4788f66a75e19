import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DreamFactoryClient } from "../src/client/index.js";
import { DreamFactoryError } from "../src/errors/index.js";
import { DreamFactoryCredential } from "../src/identity/index.js";
import { type Sandbox, startSandbox } from "../src/testing/index.js";

const TTL_SECONDS = 4;
let sb: Sandbox;
/** Shifts the sandbox's clock (DreamFactory's server clock) relative to ours. */
let serverClockOffsetMs = 0;

beforeAll(async () => {
  sb = await startSandbox({
    tokenTtlSeconds: TTL_SECONDS,
    now: () => Date.now() + serverClockOffsetMs,
    ...(process.env.TEST_DATABASE_URL ? { database: process.env.TEST_DATABASE_URL } : {}),
  });
});

afterAll(async () => {
  await sb?.close();
});

interface Order {
  id: number;
  sales_rep_id: number;
}

async function loginAs(user: "alice" | "bob"): Promise<DreamFactoryCredential> {
  const { email, password } = sb.users[user];
  return DreamFactoryCredential.fromSessionToken(await sb.login(email, password), { email });
}

const ORDERS = { method: "GET" as const, path: "/db/_table/orders", query: { limit: 1000 } };

describe("DreamFactoryClient against the sandbox", () => {
  it("reads as the user: alice gets only her orders, bob his, and the audit names them with our trace ids", async () => {
    const [alice, bob] = await Promise.all([loginAs("alice"), loginAs("bob")]);
    const client = new DreamFactoryClient({ baseUrl: sb.url, apiKey: sb.apiKey });
    sb.clearAudit();
    const [a, b] = await Promise.all([
      client.request<{ resource: Order[] }>(alice, { ...ORDERS, traceId: "lc-run-alice-0001" }),
      client.request<{ resource: Order[] }>(bob, { ...ORDERS, traceId: "lc-run-bob-00002" }),
    ]);
    expect(a.data.resource.length).toBeGreaterThan(0);
    expect(a.data.resource.every((row) => row.sales_rep_id === 1)).toBe(true);
    expect(b.data.resource.length).toBeGreaterThan(0);
    expect(b.data.resource.every((row) => row.sales_rep_id === 2)).toBe(true);
    expect(a.actedAs).toEqual({ userId: 1, email: sb.users.alice.email });
    // The filtering mattered: the table holds other reps' orders too.
    const all = await sb.query<{ n: number }>("select count(*)::int as n from orders where sales_rep_id <> 1");
    expect(all[0]?.n).toBeGreaterThan(0);
    const audit = await sb.audit();
    const aliceEntry = audit.find((entry) => entry.traceId === "lc-run-alice-0001");
    expect(aliceEntry).toMatchObject({ userId: 1, email: sb.users.alice.email, verb: "GET", status: 200 });
    expect(aliceEntry?.component).toBe("_table/orders");
    expect(audit.find((entry) => entry.traceId === "lc-run-bob-00002")).toMatchObject({ userId: 2, status: 200 });
  });

  it("maps the sandbox's answers to typed errors (forbidden component) without retrying them", async () => {
    const alice = await loginAs("alice");
    const client = new DreamFactoryClient({ baseUrl: sb.url, apiKey: sb.apiKey });
    const before = sb.requestCount();
    const error = await client.request(alice, { method: "GET", path: "/system/audit" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DreamFactoryError);
    expect((error as DreamFactoryError).code).toBe("forbidden");
    expect((error as DreamFactoryError).status).toBe(403);
    expect((error as DreamFactoryError).message).toMatch(
      /^DreamFactory request failed with status 403: GET \/api\/v2\/system\/audit — Access Forbidden\./,
    );
    expect(sb.requestCount()).toBe(before + 1);
  });

  it("scrubs the token DreamFactory echoes for a {session.token} lookup in a filter", async () => {
    const token = await sb.login(sb.users.alice.email, sb.users.alice.password);
    const alice = DreamFactoryCredential.fromSessionToken(token);
    const client = new DreamFactoryClient({ baseUrl: sb.url, apiKey: sb.apiKey });
    const error = await client
      .request(alice, { method: "GET", path: "/db/_table/orders", query: { filter: "({session.token} = 1)" } })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DreamFactoryError);
    expect((error as DreamFactoryError).code).toBe("bad_request");
    const views = [
      (error as Error).message,
      JSON.stringify(error),
      String((error as Error).stack),
      JSON.stringify((error as DreamFactoryError).dreamfactory),
    ];
    for (const view of views) {
      expect(view).not.toContain(token);
      expect(view).not.toContain(token.split(".")[2]);
    }
    expect((error as DreamFactoryError).dreamfactory?.message).toContain("[REDACTED]");
  });

  it("refreshes a token expired on our clock before sending (one PUT /user/session), then reuses the new one", async () => {
    const alice = await loginAs("alice");
    const refreshed: DreamFactoryCredential[] = [];
    const client = new DreamFactoryClient({
      baseUrl: sb.url,
      apiKey: sb.apiKey,
      onTokenRefresh: (next) => {
        refreshed.push(next);
      },
    });
    await new Promise((resolve) => setTimeout(resolve, alice.expiresAt.getTime() - Date.now() + 100));
    expect(alice.isExpired()).toBe(true);
    const plain = new DreamFactoryClient({ baseUrl: sb.url, apiKey: sb.apiKey });
    const before = sb.requestCount();
    expect(((await plain.request(alice, ORDERS).catch((e: unknown) => e)) as DreamFactoryError).code).toBe(
      "credential_expired",
    );
    expect(sb.requestCount()).toBe(before);
    sb.clearAudit();
    const res = await client.request<{ resource: Order[] }>(alice, { ...ORDERS, traceId: "lc-run-refresh-01" });
    expect(res.data.resource.every((row) => row.sales_rep_id === 1)).toBe(true);
    expect(refreshed.length).toBe(1);
    expect(refreshed[0]?.userId).toBe(1);
    const again = await client.request<{ resource: Order[] }>(alice, ORDERS);
    expect(again.status).toBe(200);
    expect(refreshed.length).toBe(1);
    const audit = await sb.audit();
    expect(audit.filter((entry) => entry.verb === "PUT").length).toBe(1);
    expect(audit.find((entry) => entry.traceId === "lc-run-refresh-01")).toMatchObject({ userId: 1, status: 200 });
  });

  it("DreamFactory's 401 'Token has expired' (its clock ahead of ours): 20 parallel calls share one refresh", async () => {
    const alice = await loginAs("alice");
    let refreshes = 0;
    const client = new DreamFactoryClient({
      baseUrl: sb.url,
      apiKey: sb.apiKey,
      onTokenRefresh: () => {
        refreshes += 1;
      },
    });
    const plain = new DreamFactoryClient({ baseUrl: sb.url, apiKey: sb.apiKey });
    serverClockOffsetMs = (TTL_SECONDS + 1) * 1000;
    try {
      expect(alice.isExpired()).toBe(false);
      const expired = await plain.request(alice, ORDERS).catch((e: unknown) => e);
      expect((expired as DreamFactoryError).code).toBe("credential_expired");
      expect((expired as DreamFactoryError).status).toBe(401);
      sb.clearAudit();
      const results = await Promise.all(
        Array.from({ length: 20 }, () => client.request<{ resource: Order[] }>(alice, ORDERS)),
      );
      expect(results.every((r) => r.data.resource.every((row) => row.sales_rep_id === 1))).toBe(true);
      expect(refreshes).toBe(1);
      const audit = await sb.audit();
      expect(audit.filter((entry) => entry.verb === "PUT" && entry.status === 200).length).toBe(1);
    } finally {
      serverClockOffsetMs = 0;
    }
  });

  it("retries reads through the sandbox's 429 Retry-After and 503 faults", async () => {
    const alice = await loginAs("alice");
    const client = new DreamFactoryClient({ baseUrl: sb.url, apiKey: sb.apiKey });
    try {
      sb.setFaults({ rateLimit: { next: 1, retryAfterSeconds: 1 } });
      const limited = await client.request(alice, ORDERS);
      expect(limited.attempts).toBe(2);
      sb.setFaults({ fail: { next: 1, status: 503, html: true } });
      const failed = await client.request(alice, ORDERS);
      expect(failed.attempts).toBe(2);
    } finally {
      sb.setFaults(null);
    }
  });
});

import { describe, expect, it } from "vitest";
import { startSandbox } from "../src/testing/index.js";
import { useResource } from "./support/sandbox-fixture.js";

let alice = "";

function headers(): Record<string, string> {
  return { "X-DreamFactory-API-Key": sb.apiKey, "X-DreamFactory-Session-Token": alice };
}

async function status(path = "/api/v2/db/_table/orders?limit=1"): Promise<number> {
  const res = await fetch(`${sb.url}${path}`, { headers: headers() });
  await res.arrayBuffer();
  return res.status;
}

const sb = useResource(
  // Faults set at start: the first data request fails with 500; session endpoints are exempt by default.
  () => startSandbox({ faults: { fail: { next: 1, status: 500 } }, scale: { customers: 60, orders: 300, kbArticles: 10, products: 20 } }),
  async () => {
    alice = await sb.login(sb.users.alice.email, sb.users.alice.password);
  },
);

describe("fault injection", () => {
  it("faults given at start apply from the first data request (login was not affected)", async () => {
    expect(alice).not.toBe("");
    const res = await fetch(`${sb.url}/api/v2/db/_table/orders`, { headers: headers() });
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ error: { code: 500, context: null, message: "Internal Server Error", status_code: 500 } });
    expect(await status()).toBe(200);
  });

  it("fail next N with 503: nothing reaches the database; then normal service", async () => {
    const before = Number((await sb.query<{ n: string }>("SELECT count(*) AS n FROM orders"))[0]?.n);
    sb.setFaults({ fail: { next: 2 } });
    const [customer] = await sb.query<{ id: number }>("SELECT id FROM customers WHERE sales_rep_id = 1 LIMIT 1");
    const post = await fetch(`${sb.url}/api/v2/db/_table/orders`, {
      method: "POST",
      headers: { ...headers(), "Content-Type": "application/json" },
      body: JSON.stringify({ resource: [{ customer_id: customer?.id, sales_rep_id: 1, total: 1 }] }),
    });
    expect(post.status).toBe(503);
    expect(((await post.json()) as { error: { message: string } }).error.message).toBe("Service Unavailable");
    expect(await status()).toBe(503);
    expect(await status()).toBe(200);
    expect(Number((await sb.query<{ n: string }>("SELECT count(*) AS n FROM orders"))[0]?.n)).toBe(before);
  });

  it("every Nth request fails; a seeded rate is deterministic", async () => {
    sb.setFaults({ fail: { every: 3 } });
    const pattern: number[] = [];
    for (let i = 0; i < 6; i++) pattern.push(await status());
    expect(pattern).toEqual([200, 200, 503, 200, 200, 503]);

    const run = async () => {
      sb.setFaults({ fail: { rate: 0.5 }, seed: 42 });
      const out: number[] = [];
      for (let i = 0; i < 16; i++) out.push(await status());
      return out;
    };
    const first = await run();
    expect(await run()).toEqual(first);
    expect(first).toContain(200);
    expect(first).toContain(503);
    sb.setFaults(null);
  });

  it("HTML error pages instead of JSON", async () => {
    sb.setFaults({ fail: { next: 1, status: 502, html: true } });
    const res = await fetch(`${sb.url}/api/v2/db/_table/orders`, { headers: headers() });
    expect(res.status).toBe(502);
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    expect(await res.text()).toMatch(/^<!DOCTYPE html>[\s\S]*502 Bad Gateway/);
  });

  it("429 with Retry-After for the next K requests", async () => {
    sb.setFaults({ rateLimit: { next: 2, retryAfterSeconds: 7 } });
    for (let i = 0; i < 2; i++) {
      const res = await fetch(`${sb.url}/api/v2/db/_table/orders`, { headers: headers() });
      expect(res.status).toBe(429);
      expect(res.headers.get("retry-after")).toBe("7");
      const body = (await res.json()) as { error: unknown };
      expect(body.error).toMatchObject({ code: 429, message: "API limit(s) exceeded. ", status_code: 429 });
    }
    expect(await status()).toBe(200);
  });

  it("added latency on data requests, not on the session endpoints", async () => {
    sb.setFaults({ latencyMs: 300 });
    let t = performance.now();
    expect(await status()).toBe(200);
    expect(performance.now() - t).toBeGreaterThanOrEqual(290);
    t = performance.now();
    await sb.login(sb.users.bob.email, sb.users.bob.password);
    expect(performance.now() - t).toBeLessThan(290);
    sb.setFaults({ latencyMs: 300, includeSessionEndpoints: true });
    t = performance.now();
    await sb.login(sb.users.bob.email, sb.users.bob.password);
    expect(performance.now() - t).toBeGreaterThanOrEqual(290);
    sb.setFaults({});
  });

  it("dropped connections and truncated bodies", async () => {
    sb.setFaults({ dropConnection: { next: 1 } });
    const countBefore = sb.requestCount();
    await expect(fetch(`${sb.url}/api/v2/db/_table/orders`, { headers: headers() })).rejects.toThrow();
    expect(sb.requestCount()).toBe(countBefore + 1);
    expect((await sb.audit()).at(-1)?.status).toBe(0);

    sb.setFaults({ truncateBody: { next: 1 } });
    await expect(fetch(`${sb.url}/api/v2/db/_table/orders?limit=20`, { headers: headers() }).then((r) => r.json())).rejects.toThrow();
    expect(await status()).toBe(200);
    sb.setFaults(null);
  });

  it("counts every request received, including refused ones; a reset starts from zero", async () => {
    sb.resetRequestCount();
    expect(sb.requestCount()).toBe(0);
    await status("/api/v2/db/_table/orders%2F1");
    await fetch(`${sb.url}/api/v2/db/_table/orders`);
    await status();
    expect(sb.requestCount()).toBe(3);
  });
});

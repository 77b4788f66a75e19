import { describe, expect, it } from "vitest";
import { startSandbox, type AuditEntry } from "../src/testing/index.js";
import { useResource } from "./support/sandbox-fixture.js";

const sb = useResource(() => startSandbox({ scale: { customers: 60, orders: 300, kbArticles: 10, products: 20 } }));
const issued: string[] = [];

async function login(who: "alice" | "bob" | "carol" | "dave" | "admin"): Promise<string> {
  const token = await sb.login(sb.users[who].email, sb.users[who].password);
  issued.push(token);
  return token;
}

async function get(path: string, headers: Record<string, string>): Promise<Response> {
  return fetch(`${sb.url}${path}`, { headers });
}

function only(entries: AuditEntry[], traceId: string): AuditEntry {
  const found = entries.filter((e) => e.traceId === traceId);
  expect(found).toHaveLength(1);
  return found[0] as AuditEntry;
}

describe("audit log: one entry per request, attributed to the real user", () => {
  it("records user, role, app, service, component, verb, status, rows and the caller's trace id", async () => {
    const alice = await login("alice");
    const res = await get("/api/v2/db/_table/orders?limit=3&fields=id", {
      "X-DreamFactory-API-Key": sb.apiKey,
      "X-DreamFactory-Session-Token": alice,
      "X-DreamFactory-Trace-Id": "trace-alice-0001",
    });
    expect(res.status).toBe(200);
    const returned = ((await res.json()) as { resource: unknown[] }).resource.length;
    expect(returned).toBeGreaterThan(0);
    expect(res.headers.get("x-dreamfactory-trace-id")).toBe("trace-alice-0001");
    const entry = only(await sb.audit(), "trace-alice-0001");
    expect(entry).toMatchObject({
      userId: 1,
      email: "alice@example.com",
      role: "sales_rep",
      app: "demo",
      service: "db",
      component: "_table/orders",
      verb: "GET",
      status: 200,
      rows: returned,
    });
    expect(entry.durationMs).toBeGreaterThanOrEqual(0);
    expect(Date.parse(entry.time)).not.toBeNaN();
  });

  it("refused requests are audited too (403 for dave, 401 key-only, 400 traversal)", async () => {
    const dave = await login("dave");
    await get("/api/v2/db/_table/orders", { "X-DreamFactory-API-Key": sb.apiKey, "X-DreamFactory-Session-Token": dave, "X-DreamFactory-Trace-Id": "trace-dave-0001" });
    await get("/api/v2/db/_table/orders", { "X-DreamFactory-API-Key": sb.apiKey, "X-DreamFactory-Trace-Id": "trace-anon-0001" });
    await get("/api/v2/db/_table/orders%2F1", { "X-DreamFactory-API-Key": sb.apiKey, "X-DreamFactory-Trace-Id": "trace-traversal-1" });
    const entries = await sb.audit();
    expect(only(entries, "trace-traversal-1")).toMatchObject({ status: 400, service: "", userId: null });
    expect(only(entries, "trace-dave-0001")).toMatchObject({ userId: 4, role: "support", status: 403, rows: 0, component: "_table/orders" });
    expect(only(entries, "trace-anon-0001")).toMatchObject({ userId: null, email: null, role: "anonymous", status: 401 });
  });

  it("writes count affected rows; tunnelled verbs are recorded as the effective verb", async () => {
    const carol = await login("carol");
    const [customer] = await sb.query<{ id: number; sales_rep_id: number }>("SELECT id, sales_rep_id FROM customers LIMIT 1");
    const res = await fetch(`${sb.url}/api/v2/db/_table/orders`, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-DreamFactory-API-Key": sb.apiKey, "X-DreamFactory-Session-Token": carol, "X-DreamFactory-Trace-Id": "trace-carol-write" },
      body: JSON.stringify({ resource: [1, 2].map((t) => ({ customer_id: customer?.id, sales_rep_id: customer?.sales_rep_id, total: t })) }),
    });
    expect(res.status).toBe(200);
    const tunnelled = await fetch(`${sb.url}/api/v2/db/_table/orders?limit=2`, {
      method: "POST",
      headers: { "X-HTTP-Method": "GET", "X-DreamFactory-API-Key": sb.apiKey, "X-DreamFactory-Session-Token": carol, "X-DreamFactory-Trace-Id": "trace-carol-tunnel" },
    });
    expect(tunnelled.status).toBe(200);
    const entries = await sb.audit();
    expect(only(entries, "trace-carol-write")).toMatchObject({ verb: "POST", rows: 2, status: 200, role: "sales_manager" });
    expect(only(entries, "trace-carol-tunnel")).toMatchObject({ verb: "GET", rows: 2 });
  });

  it("an invalid trace id is replaced by a fresh UUID, echoed in the response", async () => {
    for (const bad of ["short", "has spaces in it", "x".repeat(65), "semi;colon;trace", sb.apiKey]) {
      const res = await get("/api/v2/db/_table/orders", { "X-DreamFactory-API-Key": sb.apiKey, "X-DreamFactory-Trace-Id": bad });
      const echoed = res.headers.get("x-dreamfactory-trace-id") ?? "";
      expect(echoed).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      expect(only(await sb.audit(), echoed).status).toBe(401);
    }
    const none = await get("/api/v2", { "X-DreamFactory-API-Key": sb.apiKey });
    expect(none.headers.get("x-dreamfactory-trace-id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("GET /api/v2/system/audit is for the admin only; ?trace_id narrows it", async () => {
    const admin = await login("admin");
    const alice = await login("alice");
    const res = await get("/api/v2/system/audit?trace_id=trace-alice-0001", { "X-DreamFactory-Session-Token": admin });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { resource: AuditEntry[] };
    expect(body.resource).toHaveLength(1);
    expect(body.resource[0]).toMatchObject({ traceId: "trace-alice-0001", email: "alice@example.com" });
    const all = (await (await get("/api/v2/system/audit", { "X-DreamFactory-Session-Token": admin })).json()) as { resource: AuditEntry[] };
    expect(all.resource.length).toBeGreaterThan(5);
    const times = all.resource.map((e) => Date.parse(e.time));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    const denied = await get("/api/v2/system/audit", { "X-DreamFactory-API-Key": sb.apiKey, "X-DreamFactory-Session-Token": alice });
    expect(denied.status).toBe(403);
  });

  it("never records a token, a password or an API key, wherever they were sent", async () => {
    const bob = await login("bob");
    const admin = await login("admin");
    const basic = Buffer.from(`${sb.users.bob.email}:${sb.users.bob.password}`).toString("base64");
    await get(`/api/v2/db/_table/orders?api_key=${sb.apiKey}&session_token=${bob}`, {});
    await get("/api/v2/db/_table/orders?limit=1", { "X-DreamFactory-API-Key": sb.apiKey, Authorization: `Bearer ${bob}` });
    await get("/api/v2/db/_table/orders?limit=1", { "X-DreamFactory-API-Key": sb.apiKey, Authorization: `Basic ${basic}` });
    await get(`/api/v2/db/_table/orders?filter=${encodeURIComponent("({session.token} = 1)")}`, { "X-DreamFactory-API-Key": sb.apiKey, "X-DreamFactory-Session-Token": bob });
    await get(`/api/v2/db/_table/${bob}`, { "X-DreamFactory-API-Key": sb.apiKey, "X-DreamFactory-Session-Token": bob, "X-DreamFactory-Trace-Id": bob });
    await fetch(`${sb.url}/api/v2/user/session`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ email: sb.users.dave.email, password: sb.users.dave.password, api_key: sb.apiKeys.bare }),
    });
    await fetch(`${sb.url}/api/v2/user/session`, { method: "PUT", headers: { "X-DreamFactory-Session-Token": bob } });
    const viaHttp = await (await get("/api/v2/system/audit", { "X-DreamFactory-Session-Token": admin })).text();
    const dump = JSON.stringify(await sb.audit()) + viaHttp;
    const secrets = [
      ...issued,
      sb.apiKey,
      sb.apiKeys.bare,
      basic,
      ...Object.values(sb.users).map((u) => u.password),
      ...sb.extraUsers.slice(0, 3).map((u) => u.password),
    ];
    const lower = dump.toLowerCase();
    const leaked = secrets.filter((s) => lower.includes(s.toLowerCase())).length;
    expect(leaked).toBe(0);
    // Every JWT-shaped string is absent too, in any letter case (a refreshed token was never seen by this test).
    expect(/eyj[a-z0-9_-]+\.[a-z0-9_-]+\.[a-z0-9_-]+/i.test(dump)).toBe(false);
    expect(lower).toContain("_table/[redacted]");
  });
});

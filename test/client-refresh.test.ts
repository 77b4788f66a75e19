import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DreamFactoryClient } from "../src/client/index.js";
import { DreamFactoryError } from "../src/errors/index.js";
import { DreamFactoryCredential, revealToken } from "../src/identity/index.js";
import { expectNoSecretsIn, FakeDreamFactory, type SeenRequest, sendEnvelope, sendJson } from "./client-fake-dreamfactory.js";
import { mintToken, secretParts } from "./identity-token-factory.js";

const API_KEY = randomBytes(32).toString("hex");
const EXPIRED_MESSAGE =
  "Token has expired: Session expired. Please refresh your token (if still within refresh window) or re-login.";
let fake: FakeDreamFactory;

beforeAll(async () => {
  fake = await FakeDreamFactory.start();
});

afterAll(async () => {
  await fake.close();
});

/**
 * DreamFactory-like session behaviour: `expiredTokens` answer 401 "Token has expired"; PUT /user/session
 * with such a token issues a new one (same user) and blacklists the old one; a blacklisted token gets 401
 * "Token refresh failed" on PUT.
 */
function sessionServer(options: { expiredTokens: Set<string>; userIdOfNew?: number; refreshDelayMs?: number }): {
  issued: string[];
} {
  const blacklisted = new Set<string>();
  const issued: string[] = [];
  fake.reset(async (req: SeenRequest, res) => {
    const token = String(req.headers["x-dreamfactory-session-token"] ?? "");
    if (req.method === "PUT" && req.path === "/api/v2/user/session") {
      if (blacklisted.has(token)) {
        sendEnvelope(res, 401, "Token refresh failed. The token has been blacklisted");
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, options.refreshDelayMs ?? 30));
      blacklisted.add(token);
      const next = await mintToken({ userId: options.userIdOfNew ?? 1 });
      issued.push(next);
      sendJson(res, 200, { session_token: next, session_id: next, id: 1, email: "alice@example.com", name: "Alice" });
      return;
    }
    if (options.expiredTokens.has(token)) {
      sendEnvelope(res, 401, EXPIRED_MESSAGE);
      return;
    }
    if (blacklisted.has(token)) {
      sendEnvelope(res, 403, "The token has been blacklisted: Session terminated. Please re-login.");
      return;
    }
    sendJson(res, 200, { resource: [{ id: 1, sales_rep_id: 1 }] });
  });
  return { issued };
}

const GET = { method: "GET" as const, path: "/db/_table/orders" };

describe("401 Token has expired", () => {
  it("without onTokenRefresh: credential_expired after one request, no refresh", async () => {
    const token = await mintToken();
    sessionServer({ expiredTokens: new Set([token]) });
    const client = new DreamFactoryClient({ baseUrl: fake.baseUrl, apiKey: API_KEY });
    const error = await client.request(DreamFactoryCredential.fromSessionToken(token), GET).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DreamFactoryError);
    expect((error as DreamFactoryError).code).toBe("credential_expired");
    expect((error as DreamFactoryError).status).toBe(401);
    await expectNoSecretsIn(error, [...secretParts(token), API_KEY]);
    expect(fake.count()).toBe(1);
    expect(fake.count("PUT")).toBe(0);
  });

  it("with onTokenRefresh: one PUT /user/session, the request retried once with the new token", async () => {
    const token = await mintToken();
    const { issued } = sessionServer({ expiredTokens: new Set([token]) });
    const calls: Array<[DreamFactoryCredential, DreamFactoryCredential]> = [];
    const client = new DreamFactoryClient({
      baseUrl: fake.baseUrl,
      apiKey: API_KEY,
      onTokenRefresh: (next, previous) => {
        calls.push([next, previous]);
      },
    });
    const previous = DreamFactoryCredential.fromSessionToken(token);
    const res = await client.request(previous, GET);
    expect(res.data).toEqual({ resource: [{ id: 1, sales_rep_id: 1 }] });
    expect(res.actedAs).toEqual({ userId: 1, email: "alice@example.com" });
    expect(res.attempts).toBe(2);
    expect(fake.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      "GET /api/v2/db/_table/orders",
      "PUT /api/v2/user/session",
      "GET /api/v2/db/_table/orders",
    ]);
    const put = fake.requests[1]!;
    expect(put.headers["x-dreamfactory-session-token"]).toBe(token);
    expect(put.headers["x-dreamfactory-api-key"]).toBe(API_KEY);
    expect(fake.requests[2]!.headers["x-dreamfactory-session-token"]).toBe(issued[0]);
    expect(calls.length).toBe(1);
    expect(calls[0]![1]).toBe(previous);
    expect(revealToken(calls[0]![0])).toBe(issued[0]);
    expect(calls[0]![0].email).toBe("alice@example.com");
  });

  it("coalesces 50 parallel calls into exactly one refresh, and later calls with the old credential reuse it", async () => {
    const token = await mintToken();
    sessionServer({ expiredTokens: new Set([token]), refreshDelayMs: 100 });
    let refreshes = 0;
    const client = new DreamFactoryClient({
      baseUrl: fake.baseUrl,
      apiKey: API_KEY,
      onTokenRefresh: () => {
        refreshes += 1;
      },
    });
    const old = DreamFactoryCredential.fromSessionToken(token);
    const results = await Promise.all(Array.from({ length: 50 }, () => client.request(old, GET)));
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(fake.count("PUT", "/api/v2/user/session")).toBe(1);
    expect(refreshes).toBe(1);
    // The old token is blacklisted now; the client sends the newest one it knows instead.
    const before = fake.count("GET");
    const later = await client.request(old, GET);
    expect(later.attempts).toBe(1);
    expect(fake.count("GET")).toBe(before + 1);
    expect(fake.count("PUT")).toBe(1);
  });

  it("refreshes proactively (before sending) a credential that is expired on the client clock", async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = await mintToken({ iat: now - 100, nbf: now - 100, exp: now - 1 });
    sessionServer({ expiredTokens: new Set([token]) });
    let refreshes = 0;
    const client = new DreamFactoryClient({
      baseUrl: fake.baseUrl,
      apiKey: API_KEY,
      onTokenRefresh: () => {
        refreshes += 1;
      },
    });
    const expired = DreamFactoryCredential.fromSessionToken(token, { now: () => (now - 50) * 1000 });
    const res = await client.request(expired, GET);
    expect(res.attempts).toBe(1);
    expect(refreshes).toBe(1);
    expect(fake.requests.map((r) => `${r.method} ${r.path}`)).toEqual(["PUT /api/v2/user/session", "GET /api/v2/db/_table/orders"]);
    expect(fake.requests[1]!.headers["x-dreamfactory-session-token"]).not.toBe(token);
  });

  it("refresh failures become refresh_failed (refused refresh, other user's token, repeated expiry)", async () => {
    const secretsOf = (t: string): string[] => [...secretParts(t), API_KEY];
    // DreamFactory refuses the refresh (outside the refresh window).
    const token1 = await mintToken();
    fake.reset((req, res) => {
      if (req.method === "PUT") sendEnvelope(res, 401, "Token refresh failed. Token has expired and can no longer be refreshed");
      else sendEnvelope(res, 401, EXPIRED_MESSAGE);
    });
    const client = new DreamFactoryClient({ baseUrl: fake.baseUrl, apiKey: API_KEY, onTokenRefresh: () => undefined });
    const refused = await client.request(DreamFactoryCredential.fromSessionToken(token1), GET).catch((e: unknown) => e);
    expect((refused as DreamFactoryError).code).toBe("refresh_failed");
    expect((refused as DreamFactoryError).message).toBe(
      "DreamFactory request failed with status 401: PUT /api/v2/user/session — Token refresh failed. Token has expired and can no longer be refreshed",
    );
    await expectNoSecretsIn(refused, secretsOf(token1));
    // The new token belongs to someone else.
    const token2 = await mintToken({ userId: 1 });
    sessionServer({ expiredTokens: new Set([token2]), userIdOfNew: 2 });
    const other = await client.request(DreamFactoryCredential.fromSessionToken(token2), GET).catch((e: unknown) => e);
    expect((other as DreamFactoryError).code).toBe("refresh_failed");
    expect((other as DreamFactoryError).message).toContain("belongs to user 2, not 1");
    expect(fake.count("GET")).toBe(1);
    // The refreshed token is refused as expired too: no loop, refresh_failed.
    const token3 = await mintToken();
    fake.reset(async (req, res) => {
      if (req.method === "PUT") sendJson(res, 200, { session_token: await mintToken() });
      else sendEnvelope(res, 401, EXPIRED_MESSAGE);
    });
    const again = await client.request(DreamFactoryCredential.fromSessionToken(token3), GET).catch((e: unknown) => e);
    expect((again as DreamFactoryError).code).toBe("refresh_failed");
    expect(fake.count("GET")).toBe(2);
    expect(fake.count("PUT")).toBe(1);
    // A refresh answer without a usable token.
    const token4 = await mintToken();
    fake.reset((req, res) => {
      if (req.method === "PUT") sendJson(res, 200, { session_token: "garbage" });
      else sendEnvelope(res, 401, EXPIRED_MESSAGE);
    });
    const garbage = await client.request(DreamFactoryCredential.fromSessionToken(token4), GET).catch((e: unknown) => e);
    expect((garbage as DreamFactoryError).code).toBe("refresh_failed");
  });

  it("a refresh whose answer is lost may have blacklisted the old token: refresh_failed, not retryable, and says so", async () => {
    const token = await mintToken();
    fake.reset((req, res, raw) => {
      if (req.method === "PUT") raw.socket.destroy(); // the PUT arrived; its answer never comes back
      else sendEnvelope(res, 401, EXPIRED_MESSAGE);
    });
    const client = new DreamFactoryClient({ baseUrl: fake.baseUrl, apiKey: API_KEY, onTokenRefresh: () => undefined });
    const lost = (await client.request(DreamFactoryCredential.fromSessionToken(token), GET).catch((e: unknown) => e)) as DreamFactoryError;
    expect(lost.code).toBe("refresh_failed");
    expect(lost.retryable).toBe(false);
    expect(lost.message).toContain("the old token may now be blacklisted");
    expect(fake.count("PUT")).toBe(1);
  });

  it("403 blacklisted without a known newer token is token_blacklisted", async () => {
    const token = await mintToken();
    fake.reset((_req, res) => sendEnvelope(res, 403, "The token has been blacklisted: Session terminated. Please re-login."));
    const client = new DreamFactoryClient({ baseUrl: fake.baseUrl, apiKey: API_KEY, onTokenRefresh: () => undefined });
    const error = await client.request(DreamFactoryCredential.fromSessionToken(token), GET).catch((e: unknown) => e);
    expect((error as DreamFactoryError).code).toBe("token_blacklisted");
    expect(fake.count()).toBe(1);
  });
});

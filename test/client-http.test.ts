import { randomBytes } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DreamFactoryClient } from "../src/client/index.js";
import { DreamFactoryError } from "../src/errors/index.js";
import { DreamFactoryCredential, revealToken } from "../src/identity/index.js";
import { expectNoSecretsIn, FakeDreamFactory, sendEnvelope, sendJson } from "./client-fake-dreamfactory.js";
import { mintToken, secretParts } from "./identity-token-factory.js";
import { modifierForms } from "./security-support/lookup-modifiers.js";

const API_KEY = randomBytes(32).toString("hex");
let fake: FakeDreamFactory;
let client: DreamFactoryClient;
let credential: DreamFactoryCredential;
let token: string;
let secrets: string[];

beforeAll(async () => {
  fake = await FakeDreamFactory.start();
  client = new DreamFactoryClient({ baseUrl: fake.baseUrl, apiKey: API_KEY, maxRetries: 0, timeoutMs: 5_000 });
  token = await mintToken({ userId: 1, email: "alice@example.com" });
  credential = DreamFactoryCredential.fromSessionToken(token);
  secrets = [...secretParts(token), API_KEY];
});

afterAll(async () => {
  await fake.close();
});

async function failure(promise: Promise<unknown>): Promise<DreamFactoryError> {
  const outcome = await promise.then(
    () => new Error("expected a rejection"),
    (e: unknown) => e,
  );
  if (!(outcome instanceof DreamFactoryError)) throw outcome;
  await expectNoSecretsIn(outcome, secrets);
  return outcome;
}

describe("fail closed: nothing is sent without a valid credential", () => {
  it("refuses raw strings, look-alikes, clones and expired credentials with zero requests", async () => {
    fake.reset((_req, res) => sendJson(res, 200, { resource: [] }));
    const now = Math.floor(Date.now() / 1000);
    const expiredToken = await mintToken({ iat: now - 100, nbf: now - 100, exp: now - 1 });
    const expired = DreamFactoryCredential.fromSessionToken(expiredToken, { now: () => (now - 50) * 1000 });
    const req = { method: "GET" as const, path: "/db/_table/orders" };
    const cases: Array<[unknown, string]> = [
      [token, "credential_invalid"],
      [{ userId: 1, sub: "x", expiresAt: new Date() }, "credential_invalid"],
      [structuredClone(credential), "credential_invalid"],
      [undefined, "credential_invalid"],
      [expired, "credential_expired"],
    ];
    for (const [value, code] of cases) {
      const error = await failure(client.request(value as DreamFactoryCredential, req));
      expect(error.code).toBe(code);
    }
    const aborted = new AbortController();
    aborted.abort();
    expect((await failure(client.request(credential, { ...req, signal: aborted.signal }))).code).toBe("aborted");
    expect(fake.requests.length).toBe(0);
  });

  it("refuses a credential not yet valid at call time (nbf beyond the tolerance, e.g. the clock moved back) with zero requests", async () => {
    fake.reset((_req, res) => sendJson(res, 200, { resource: [] }));
    const now = Math.floor(Date.now() / 1000);
    const req = { method: "GET" as const, path: "/db/_table/orders" };
    // Made while this machine's clock said now + 700 s; the clock has since moved back 700 s.
    const early = await mintToken({ iat: now + 600, nbf: now + 600, exp: now + 4_000 });
    const movedBack = DreamFactoryCredential.fromSessionToken(early, { now: () => (now + 700) * 1000 });
    const error = await failure(client.request(movedBack, req));
    expect(error.code).toBe("credential_not_yet_valid");
    expect(error.message).toMatch(/not valid before .*Nothing was sent/);
    expect((await failure(client.sessionInfo(movedBack))).code).toBe("credential_not_yet_valid");
    expect(fake.requests.length).toBe(0);
    // Its own tolerance applies: 10 s ahead is within the default 30 s, but not within 5 s.
    const soon = await mintToken({ iat: now + 10, nbf: now + 10, exp: now + 4_000 });
    expect((await client.request(DreamFactoryCredential.fromSessionToken(soon, { now: () => (now + 20) * 1000 }), req)).status).toBe(200);
    expect(fake.requests.length).toBe(1);
    const strict = DreamFactoryCredential.fromSessionToken(soon, { now: () => (now + 20) * 1000, clockToleranceSeconds: 5 });
    expect((await failure(client.request(strict, req))).code).toBe("credential_not_yet_valid");
    expect(fake.requests.length).toBe(1);
  });

  it("refuses malformed requests (absolute or protocol-relative paths, query strings, credential parameters)", async () => {
    fake.reset((_req, res) => sendJson(res, 200, {}));
    const bad = [
      { method: "GET", path: "//evil.example.com/steal" },
      { method: "GET", path: "http://evil.example.com/x" },
      { method: "GET", path: "db/_table/orders" },
      { method: "GET", path: "/db/_table/orders?filter=x" },
      { method: "GET", path: "/db/../system/user" },
      { method: "GET", path: "/db\\_table" },
      { method: "TRACE", path: "/db/_table/orders" },
      { method: "GET", path: "/db/_table/orders", query: { session_token: "x" } },
      { method: "GET", path: "/db/_table/orders", query: { API_KEY: "x" } },
      { method: "GET", path: "/db/_table/orders", query: { limit: { $gt: 1 } } },
      { method: "GET", path: "/db/_table/orders", retry: "always" },
    ];
    for (const req of bad) {
      await expect(client.request(credential, req as never)).rejects.toThrow(TypeError);
    }
    expect(fake.requests.length).toBe(0);
  });
});

describe("what is sent", () => {
  it("sends the API key, session token and trace id as headers, never in the URL", async () => {
    fake.reset((_req, res) => sendJson(res, 200, { resource: [{ id: 1 }] }));
    const res = await client.request<{ resource: Array<{ id: number }> }>(credential, {
      method: "GET",
      path: "/db/_table/orders",
      query: { filter: "(status = 'open') and (total > 10)", limit: 5, include_count: true, skip: undefined },
      traceId: "run-1234abcd",
    });
    expect(res).toEqual({
      status: 200,
      data: { resource: [{ id: 1 }] },
      traceId: "run-1234abcd",
      actedAs: { userId: 1, email: "alice@example.com" },
      attempts: 1,
    });
    expect(fake.requests.length).toBe(1);
    const seen = fake.requests[0]!;
    expect(seen.method).toBe("GET");
    expect(seen.path).toBe("/api/v2/db/_table/orders");
    const query = new URL(seen.url, "http://x").searchParams;
    expect(query.get("filter")).toBe("(status = 'open') and (total > 10)");
    expect(query.get("limit")).toBe("5");
    expect(query.get("include_count")).toBe("true");
    expect(query.has("skip")).toBe(false);
    expect(seen.headers["x-dreamfactory-api-key"]).toBe(API_KEY);
    expect(seen.headers["x-dreamfactory-session-token"]).toBe(token);
    expect(seen.headers["x-dreamfactory-trace-id"]).toBe("run-1234abcd");
    expect(seen.headers["accept"]).toBe("application/json");
    expect(seen.headers["authorization"]).toBeUndefined();
    for (const secret of secrets) expect(seen.url).not.toContain(secret);
  });

  it("replaces an unusable trace id with a fresh UUID and sends JSON bodies", async () => {
    fake.reset((req, res) => {
      const rows = req.body === "" ? [] : (JSON.parse(req.body) as { resource: unknown[] }).resource;
      sendJson(res, 200, { resource: rows.map((_row, i) => ({ id: i + 1 })) });
    });
    const res = await client.request(credential, {
      method: "POST",
      path: "/db/_table/orders",
      body: { resource: [{ total: 5 }, { total: 7 }] },
      traceId: "bad id with spaces",
    });
    expect(res.data).toEqual({ resource: [{ id: 1 }, { id: 2 }] });
    expect(res.traceId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    const seen = fake.requests[0]!;
    expect(seen.headers["x-dreamfactory-trace-id"]).toBe(res.traceId);
    expect(seen.headers["content-type"]).toBe("application/json");
    expect(JSON.parse(seen.body)).toEqual({ resource: [{ total: 5 }, { total: 7 }] });
    const short = await client.request(credential, { method: "GET", path: "/db/_table", traceId: "short" });
    expect(short.traceId).not.toBe("short");
  });

  it("returns bare-number and empty bodies as parsed values", async () => {
    fake.reset((req, res) => {
      if (req.path.endsWith("/count")) res.writeHead(200, { "content-type": "application/json" }).end("42");
      else res.writeHead(204).end();
    });
    expect((await client.request(credential, { method: "GET", path: "/db/_table/count" })).data).toBe(42);
    expect((await client.request(credential, { method: "DELETE", path: "/db/_table/x/1" })).data).toBeNull();
  });
});

describe("typed errors from DreamFactory's answers", () => {
  it("maps statuses and envelopes to codes, with one short message format and entity-decoded text", async () => {
    const answers: Array<[number, string, { code?: number; context?: unknown } | undefined, string]> = [
      [404, "Record with identifier '5' not found.", undefined, "not_found"],
      [400, 'Invalid field "tota<l>" & more', undefined, "bad_request"],
      [400, "Batch Error: Not all requested records could be created.", { code: 1000, context: { error: [0], resource: [] } }, "batch_error"],
      [401, "Invalid token: Token Signature could not be verified.", undefined, "unauthorized"],
      [401, "Token has expired: Session expired. Please refresh your token (if still within refresh window) or re-login.", undefined, "credential_expired"],
      [403, "Access Forbidden. GET access to component '_table/orders' of service 'db' is not allowed by this user's role.", undefined, "forbidden"],
      [403, "The token has been blacklisted: Session terminated. Please re-login.", undefined, "token_blacklisted"],
      [405, "Method not allowed.", undefined, "bad_request"],
      [500, "Failed to retrieve records from 'orders'.", undefined, "server_error"],
    ];
    for (const [status, message, extra, code] of answers) {
      fake.reset((_req, res) => sendEnvelope(res, status, message, extra));
      const error = await failure(client.request(credential, { method: "GET", path: "/db/_table/orders" }));
      expect(error.code).toBe(code);
      expect(error.status).toBe(status);
      expect(error.method).toBe("GET");
      expect(error.path).toBe("/api/v2/db/_table/orders");
      expect(error.message).toBe(`DreamFactory request failed with status ${status}: GET /api/v2/db/_table/orders — ${message}`);
      expect(error.dreamfactory?.message).toBe(message);
      expect(error.dreamfactory?.code).toBe(extra?.code ?? status);
      expect(error.dreamfactory?.context).toEqual(extra?.context ?? null);
      expect(error.cause).toBeUndefined();
    }
  });

  it("handles HTML error pages and other non-JSON bodies without quoting them", async () => {
    fake.reset((_req, res) =>
      res.writeHead(502, { "content-type": "text/html" }).end(`<html><body><h1>502 Bad Gateway</h1>${token}</body></html>`),
    );
    const error = await failure(client.request(credential, { method: "GET", path: "/db/_table/orders" }));
    expect(error.code).toBe("server_error");
    expect(error.message).toBe(
      "DreamFactory request failed with status 502: GET /api/v2/db/_table/orders (the answer was not a DreamFactory JSON error)",
    );
    expect(error.dreamfactory).toBeUndefined();
    fake.reset((_req, res) => res.writeHead(418, { "content-type": "application/json" }).end('{"error": "nope"}'));
    expect((await failure(client.request(credential, { method: "GET", path: "/db" }))).code).toBe("bad_request");
  });

  it("scrubs the caller's token and API key that DreamFactory echoes back ({session.token} lookups)", async () => {
    const signature = token.split(".")[2]!;
    const echoes = [
      (req: { headers: Record<string, unknown> }) =>
        `Invalid or unparsable field in filter request: '${String(req.headers["x-dreamfactory-session-token"])}'`,
      () => `Signature ${signature} is odd`,
      () => `Unknown key ${API_KEY}`,
      // A JWT-shaped string of another user, built here so that no token-shaped literal sits in the repository.
      () => `Someone else's token: ${[{ alg: "HS256" }, { user_id: 2 }, "signature-of-someone-else"].map((part) => Buffer.from(typeof part === "string" ? part : JSON.stringify(part)).toString("base64url")).join(".")}`,
    ];
    for (const echo of echoes) {
      fake.reset((req, res) =>
        sendEnvelope(res, 400, echo(req), {
          context: { error: [{ message: echo(req) }], resource: [] },
        }),
      );
      const error = await failure(client.request(credential, { method: "GET", path: "/db/_table/orders" }));
      expect(error.message).toContain("[REDACTED]");
      expect(error.dreamfactory?.message).toContain("[REDACTED]");
      expect(JSON.stringify(error.dreamfactory?.context)).toContain("[REDACTED]");
      expect(JSON.stringify(error)).not.toContain("c2lnbmF0dXJlLW9mLXNvbWVvbmUtZWxzZQ");
    }
  });

  it("scrubs every form DreamFactory's lookup modifiers give the token, its parts and the API key ({base64_encode(session.token)} …)", async () => {
    const [, payload = "", signature = ""] = token.split(".");
    const roots: Array<[string, string]> = [["token", token], ["payload", payload], ["signature", signature], ["API key", API_KEY]];
    const forms = roots.flatMap(([label, value]) => [{ label, value }, ...modifierForms(label, value)]);
    // Sanity: the forms are really different texts (a base64 copy, an upper-case copy, a padded one, …).
    expect(forms.length).toBeGreaterThanOrEqual(20);
    for (const form of forms) {
      fake.reset((_req, res) =>
        sendEnvelope(res, 400, `Invalid or unparsable field in filter request: '${form.value}'`, {
          context: { error: [{ message: `bad value ${form.value}.` }], [form.value]: form.value },
        }),
      );
      const error = await failure(client.request(credential, { method: "GET", path: "/db/_table/orders" }));
      const views = [error.message, JSON.stringify(error), String(error.stack), JSON.stringify(error.dreamfactory)];
      for (const view of views) expect(view.includes(form.value), `${form.label} in an error view`).toBe(false);
      expect(error.dreamfactory?.message, form.label).toBe("Invalid or unparsable field in filter request: '[REDACTED]'");
      expect(JSON.stringify(error.dreamfactory?.context), form.label).toBe('{"error":[{"message":"bad value [REDACTED]."}],"[REDACTED]":"[REDACTED]"}');
    }
    // base64_decode(...) of a secret is binary junk (for a token: its claims, then the signature's bytes);
    // DreamFactory's parser may cut it anywhere: whatever is left of the binary part goes.
    for (const value of [token, API_KEY]) {
      const junk = Buffer.from(value, "base64").toString("utf8");
      for (const cut of [junk, junk.slice(0, -7), junk.slice(junk.length >> 1), junk.slice(5)]) {
        fake.reset((_req, res) => sendEnvelope(res, 400, `Invalid or unparsable field in filter request: '${cut}'`));
        const error = await failure(client.request(credential, { method: "GET", path: "/db/_table/orders" }));
        expect(error.dreamfactory?.message).toContain("[REDACTED]");
        expect(error.dreamfactory?.message).not.toMatch(/[\uFFFD\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/);
      }
    }
    // Someone else's token, base64-encoded and cut off, and upper-cased: scrubbed by shape.
    const other = await mintToken({ userId: 2 });
    for (const echoed of [Buffer.from(other).toString("base64").slice(0, 90), other.toUpperCase(), other.toLowerCase()]) {
      fake.reset((_req, res) => sendEnvelope(res, 400, `Unknown field ${echoed} here`));
      const error = await failure(client.request(credential, { method: "GET", path: "/db/_table/orders" }));
      expect(error.dreamfactory?.message).toBe("Unknown field [REDACTED] here");
    }
    // Ordinary text is left alone.
    fake.reset((_req, res) => sendEnvelope(res, 400, "Field 'total' must be a valid decimal (got \"abc\"), see eyJ-docs."));
    const plain = await failure(client.request(credential, { method: "GET", path: "/db/_table/orders" }));
    expect(plain.dreamfactory?.message).toBe("Field 'total' must be a valid decimal (got \"abc\"), see eyJ-docs.");
  });

  it("scrubbing stays linear on hostile error text (~1 MB of JWT-looking and junk characters)", async () => {
    const hostile = ["eyJ".repeat(150_000), `ZXlK${"A".repeat(10)}`.repeat(20_000), "\uFFFDa".repeat(50_000)].join(" ");
    expect(hostile.length).toBeGreaterThan(800_000);
    fake.reset((_req, res) => sendEnvelope(res, 400, hostile));
    const started = performance.now();
    const error = await failure(client.request(credential, { method: "GET", path: "/db/_table/orders" }));
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(error.code).toBe("bad_request");
    expect(error.dreamfactory?.message).toContain("[REDACTED]");
  });

  it("does not follow redirects (the credential headers would go elsewhere)", async () => {
    let elsewhere = 0;
    const other = createServer((_req, res) => {
      elsewhere += 1;
      res.end("{}");
    });
    await new Promise<void>((resolve) => other.listen(0, "127.0.0.1", resolve));
    try {
      const target = `http://127.0.0.1:${(other.address() as AddressInfo).port}/api/v2/db/_table/orders`;
      fake.reset((_req, res) => res.writeHead(302, { location: target }).end());
      const error = await failure(client.request(credential, { method: "GET", path: "/db/_table/orders" }));
      expect(error.status).toBe(302);
      expect(error.message).toContain("unexpected redirect");
      expect(elsewhere).toBe(0);
    } finally {
      other.closeAllConnections();
      await new Promise((resolve) => other.close(resolve));
    }
  });

  it("uses the credential's token only in the session header", async () => {
    fake.reset((_req, res) => sendJson(res, 200, {}));
    await client.request(credential, { method: "GET", path: "/db/_table/orders" });
    expect(fake.requests[0]?.headers["x-dreamfactory-session-token"]).toBe(revealToken(credential));
    expect(JSON.stringify(fake.requests[0]?.url)).not.toContain(token);
  });
});

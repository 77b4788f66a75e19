import { randomBytes } from "node:crypto";
import type { ServerResponse } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DreamFactoryClient } from "../src/client/index.js";
import { DreamFactoryError } from "../src/errors/index.js";
import { DreamFactoryCredential } from "../src/identity/index.js";
import { expectNoSecretsIn, FakeDreamFactory, sendEnvelope, sendJson } from "./client-fake-dreamfactory.js";
import { mintToken, secretParts } from "./identity-token-factory.js";

const API_KEY = randomBytes(32).toString("hex");
let fake: FakeDreamFactory;
let credential: DreamFactoryCredential;
let secrets: string[];

beforeAll(async () => {
  fake = await FakeDreamFactory.start();
  const token = await mintToken({ userId: 1 });
  credential = DreamFactoryCredential.fromSessionToken(token);
  secrets = [...secretParts(token), API_KEY];
});

afterAll(async () => {
  await fake.close();
});

function clientWith(options: { maxRetries?: number; timeoutMs?: number } = {}): DreamFactoryClient {
  return new DreamFactoryClient({ baseUrl: fake.baseUrl, apiKey: API_KEY, maxRetries: 2, timeoutMs: 5_000, ...options });
}

async function failure(promise: Promise<unknown>): Promise<DreamFactoryError> {
  const outcome = await promise.then(
    () => new Error("expected a rejection"),
    (e: unknown) => e,
  );
  if (!(outcome instanceof DreamFactoryError)) throw outcome;
  await expectNoSecretsIn(outcome, secrets);
  return outcome;
}

const GET = { method: "GET" as const, path: "/db/_table/orders" };
const POST = { method: "POST" as const, path: "/db/_table/orders", body: { resource: [{ total: 1 }] } };

describe("429 Retry-After", () => {
  it("waits Retry-After and retries reads and writes alike", async () => {
    for (const req of [GET, POST]) {
      let n = 0;
      fake.reset((_req, res) => {
        n += 1;
        if (n === 1) sendEnvelope(res, 429, "API limit(s) exceeded. ", { headers: { "retry-after": "1" } });
        else sendJson(res, 200, { resource: [] });
      });
      const t0 = Date.now();
      const res = await clientWith().request(credential, req);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(950);
      expect(res.attempts).toBe(2);
      expect(fake.count(req.method)).toBe(2);
    }
  });

  it("gives up at once when Retry-After exceeds the 10 s wait budget, and after maxRetries", async () => {
    fake.reset((_req, res) => sendEnvelope(res, 429, "API limit(s) exceeded. ", { headers: { "retry-after": "60" } }));
    const t0 = Date.now();
    const error = await failure(clientWith().request(credential, GET));
    expect(Date.now() - t0).toBeLessThan(1_000);
    expect(error.code).toBe("rate_limited");
    expect(error.retryable).toBe(true);
    expect(fake.count()).toBe(1);
    fake.reset((_req, res) => sendEnvelope(res, 429, "API limit(s) exceeded. ", { headers: { "retry-after": "0" } }));
    expect((await failure(clientWith({ maxRetries: 2 }).request(credential, POST))).code).toBe("rate_limited");
    expect(fake.count()).toBe(3);
  });

  it("stops waiting when the caller aborts", async () => {
    fake.reset((_req, res) => sendEnvelope(res, 429, "API limit(s) exceeded. ", { headers: { "retry-after": "5" } }));
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    const t0 = Date.now();
    const error = await failure(clientWith().request(credential, { ...GET, signal: controller.signal }));
    expect(error.code).toBe("aborted");
    expect(Date.now() - t0).toBeLessThan(2_000);
    expect(fake.count()).toBe(1);
  });
});

describe("5xx and network failures", () => {
  it("retries reads after 5xx with bounded attempts", async () => {
    let n = 0;
    fake.reset((_req, res) => {
      n += 1;
      if (n === 1) sendEnvelope(res, 503, "Service Unavailable");
      else sendJson(res, 200, { resource: [{ id: 1 }] });
    });
    const ok = await clientWith().request(credential, GET);
    expect(ok.attempts).toBe(2);
    fake.reset((_req, res) => sendEnvelope(res, 500, "Internal Server Error"));
    const error = await failure(clientWith({ maxRetries: 2 }).request(credential, GET));
    expect(error.code).toBe("server_error");
    expect(error.retryable).toBe(true);
    expect(fake.count()).toBe(3);
    fake.reset((_req, res) => sendEnvelope(res, 500, "Internal Server Error"));
    await failure(clientWith({ maxRetries: 0 }).request(credential, GET));
    expect(fake.count()).toBe(1);
  });

  it("never retries writes after 5xx", async () => {
    fake.reset((_req, res) => sendEnvelope(res, 500, "Internal Server Error"));
    for (const method of ["POST", "PUT", "PATCH", "DELETE"] as const) {
      const error = await failure(clientWith().request(credential, { method, path: "/db/_table/orders" }));
      expect(error.code).toBe("server_error");
      expect(error.retryable).toBe(false);
    }
    expect(fake.count()).toBe(4);
    // A POST the caller marks as a read (e.g. a POST-tunnelled query) is retried.
    fake.reset((_req, res) => sendEnvelope(res, 502, "Bad Gateway"));
    await failure(clientWith({ maxRetries: 1 }).request(credential, { ...POST, retry: "read" }));
    expect(fake.count()).toBe(2);
  });

  it("dropped connections: reads are retried, writes become write_outcome_unknown without a retry", async () => {
    fake.reset((_req, _res, raw) => raw.socket.destroy());
    const read = await failure(clientWith({ maxRetries: 2 }).request(credential, GET));
    expect(read.code).toBe("network_error");
    expect(read.retryable).toBe(true);
    expect(fake.count()).toBe(3);
    fake.reset((_req, _res, raw) => raw.socket.destroy());
    const write = await failure(clientWith({ maxRetries: 2 }).request(credential, POST));
    expect(write.code).toBe("write_outcome_unknown");
    expect(write.message).toContain("may or may not have been applied");
    expect(fake.count()).toBe(1);
    // The same client works again once the server answers (no poisoned keep-alive socket).
    const client = clientWith();
    fake.reset((_req, _res, raw) => raw.socket.destroy());
    await failure(client.request(credential, POST));
    fake.reset((_req, res) => sendJson(res, 200, { ok: true }));
    expect((await client.request(credential, GET)).data).toEqual({ ok: true });
  });

  it("an answer cut off mid-body: reads are retried (then network_error), writes become write_outcome_unknown", async () => {
    /** Announces the whole JSON body, sends half of it, then cuts the connection. */
    const cut = (res: ServerResponse) => {
      const body = Buffer.from(JSON.stringify({ resource: Array.from({ length: 40 }, (_, id) => ({ id, notes: "x".repeat(40) })) }));
      res.writeHead(200, { "content-type": "application/json", "content-length": String(body.length) });
      res.write(body.subarray(0, body.length >> 1), () => res.destroy());
    };
    let n = 0;
    fake.reset((_req, res) => {
      n += 1;
      if (n === 1) cut(res);
      else sendJson(res, 200, { resource: [{ id: 1 }] });
    });
    const once = await clientWith().request(credential, GET);
    expect(once.data).toEqual({ resource: [{ id: 1 }] });
    expect(once.attempts).toBe(2);
    expect(fake.count()).toBe(2);

    fake.reset((_req, res) => cut(res));
    const read = await failure(clientWith({ maxRetries: 2 }).request(credential, GET));
    expect(read.code).toBe("network_error");
    expect(read.retryable).toBe(true);
    expect(read.message).toContain("cut off");
    expect(fake.count()).toBe(3);

    fake.reset((_req, res) => cut(res));
    for (const method of ["POST", "PUT", "PATCH", "DELETE"] as const) {
      const write = await failure(clientWith({ maxRetries: 2 }).request(credential, { ...POST, method }));
      expect(write.code).toBe("write_outcome_unknown");
      expect(write.message).toContain("may or may not have been applied");
    }
    expect(fake.count()).toBe(4);
  });

  it("a whole but unreadable answer (corrupt compression): a read is not repeated, a write's outcome is unknown", async () => {
    const corrupt = (res: ServerResponse) => {
      const junk = Buffer.from("this is not gzip at all, but says it is");
      res.writeHead(200, { "content-type": "application/json", "content-encoding": "gzip", "content-length": String(junk.length) }).end(junk);
    };
    fake.reset((_req, res) => corrupt(res));
    const read = await failure(clientWith({ maxRetries: 2 }).request(credential, GET));
    expect(read.code).toBe("server_error");
    expect(read.message).toContain("unreadable response");
    expect(fake.count()).toBe(1);
    fake.reset((_req, res) => corrupt(res));
    const write = await failure(clientWith({ maxRetries: 2 }).request(credential, POST));
    expect(write.code).toBe("write_outcome_unknown");
    expect(fake.count()).toBe(1);
  });

  it("a refused connection is a network_error (nothing was sent)", async () => {
    const closed = await FakeDreamFactory.start();
    const baseUrl = closed.baseUrl;
    await closed.close();
    const client = new DreamFactoryClient({ baseUrl, apiKey: API_KEY, maxRetries: 0 });
    const error = await failure(client.request(credential, POST));
    expect(error.code).toBe("network_error");
    expect(error.message).toContain("nothing was sent");
    expect(error.cause).toEqual({ code: "ECONNREFUSED" });
  });
});

describe("timeouts and aborts", () => {
  it("a slow answer times out per attempt; reads retry, writes become write_outcome_unknown", async () => {
    fake.reset((_req, res) => {
      setTimeout(() => sendJson(res, 200, {}), 1_500).unref();
    });
    const t0 = Date.now();
    const read = await failure(clientWith({ timeoutMs: 150, maxRetries: 1 }).request(credential, GET));
    expect(read.code).toBe("timeout");
    expect(read.message).toBe("DreamFactory request timed out after 150 ms: GET /api/v2/db/_table/orders");
    expect(fake.count()).toBe(2);
    expect(Date.now() - t0).toBeLessThan(1_400);
    const write = await failure(clientWith({ timeoutMs: 150, maxRetries: 2 }).request(credential, POST));
    expect(write.code).toBe("write_outcome_unknown");
    expect(fake.count("POST")).toBe(1);
  });

  it("a body that trickles in slower than the timeout also times out", async () => {
    fake.reset((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.write('{"resource":[');
      setTimeout(() => res.end("]}"), 1_500).unref();
    });
    const error = await failure(clientWith({ timeoutMs: 200, maxRetries: 0 }).request(credential, GET));
    expect(error.code).toBe("timeout");
  });

  it("the caller's abort is 'aborted', distinct from the client timeout; a caller timeout signal is 'timeout'", async () => {
    fake.reset((_req, res) => {
      setTimeout(() => sendJson(res, 200, {}), 1_500).unref();
    });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const aborted = await failure(clientWith({ maxRetries: 2 }).request(credential, { ...GET, signal: controller.signal }));
    expect(aborted.code).toBe("aborted");
    expect(fake.count()).toBe(1);
    const abortedWrite = await failure(
      clientWith().request(credential, { ...POST, signal: AbortSignal.timeout(100) }),
    );
    expect(abortedWrite.code).toBe("timeout");
    expect(abortedWrite.message).toContain("caller's timeout signal");
    expect(abortedWrite.message).toContain("may or may not have been applied");
  });
});

describe("a token that expires during retries", () => {
  it("is never re-sent: without refresh the retry stops with credential_expired after the one request", async () => {
    const shortLived = DreamFactoryCredential.fromSessionToken(await mintToken({ userId: 1, exp: Math.floor(Date.now() / 1000) + 2 }));
    fake.reset(async (_req, res) => {
      await new Promise((resolve) => setTimeout(resolve, 2_100)); // the token expires while this answer is on its way
      sendEnvelope(res, 503, "Service Unavailable");
    });
    const error = await failure(clientWith().request(shortLived, GET));
    expect(error.code).toBe("credential_expired");
    expect(fake.count("GET")).toBe(1);
  });
});

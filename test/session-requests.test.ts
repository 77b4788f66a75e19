import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DreamFactoryClient } from "../src/client/index.js";
import { DreamFactoryCredential } from "../src/identity/index.js";
import { DreamFactorySession } from "../src/session/index.js";
import { expectNoSecretsIn, FakeDreamFactory, sendEnvelope, sendJson } from "./client-fake-dreamfactory.js";
import { mintToken, secretParts } from "./identity-token-factory.js";
import { failure } from "./support/dreamfactory-errors.js";

const API_KEY = "k".repeat(64);
let fake: FakeDreamFactory;

beforeAll(async () => {
  fake = await FakeDreamFactory.start();
});

afterAll(async () => {
  await fake?.close();
});

function sessionBody(token: string, id: number, email: string): Record<string, unknown> {
  return { session_token: token, session_id: token, id, name: "J Doe", first_name: "J", last_name: "Doe", email, is_sys_admin: false, role: "staff", role_id: 9 };
}

describe("DreamFactorySession requests (DreamFactory look-alike)", () => {
  it("LDAP/AD login: POST /user/session?service=<name> with username and password, API key, no session token", async () => {
    const token = await mintToken({ userId: 41 });
    fake.reset((_req, res) => sendJson(res, 200, sessionBody(token, 41, "jdoe@corp.example")));
    const session = new DreamFactorySession(new DreamFactoryClient({ baseUrl: fake.baseUrl, apiKey: API_KEY }));
    const credential = await session.login("jdoe", "ldap-secret-1", { service: "corp_ldap" });
    expect(credential.userId).toBe(41);
    expect(credential.email).toBe("jdoe@corp.example");
    expect(fake.requests).toHaveLength(1);
    const seen = fake.requests[0]!;
    expect(seen.method).toBe("POST");
    expect(seen.url).toBe("/api/v2/user/session?service=corp_ldap");
    expect(JSON.parse(seen.body)).toEqual({ username: "jdoe", password: "ldap-secret-1" });
    expect(seen.headers["x-dreamfactory-api-key"]).toBe(API_KEY);
    expect(seen.headers["x-dreamfactory-session-token"]).toBeUndefined();
    expect(seen.headers["content-type"]).toBe("application/json");
  });

  it("body fields: email by default, username on request, remember_me, and the admin endpoint", async () => {
    const token = await mintToken({ userId: 5 });
    fake.reset((_req, res) => sendJson(res, 200, sessionBody(token, 5, "a@x.example")));
    const session = new DreamFactorySession(new DreamFactoryClient({ baseUrl: fake.baseUrl, apiKey: API_KEY }));
    await session.login("a@x.example", "pw-one-1");
    await session.login("a_user", "pw-two-2", { loginAttribute: "username", rememberMe: true });
    await session.login("a@x.example", "pw-three-3", { admin: true });
    expect(fake.requests.map((r) => [r.url, JSON.parse(r.body)])).toEqual([
      ["/api/v2/user/session", { email: "a@x.example", password: "pw-one-1" }],
      ["/api/v2/user/session", { username: "a_user", password: "pw-two-2", remember_me: true }],
      ["/api/v2/system/admin/session", { email: "a@x.example", password: "pw-three-3" }],
    ]);
    await expect(session.login("a", "b", { service: "ldap?x=1" })).rejects.toThrow(/service must be a DreamFactory service name/);
    expect(fake.requests).toHaveLength(3);
  });

  it("a login is never repeated (503 → server_error after one request), and DreamFactory text echoing the password is scrubbed", async () => {
    const password = "echo-me-9931";
    fake.reset((_req, res) => sendEnvelope(res, 503, `Directory unavailable while checking ${password}`));
    const session = new DreamFactorySession(new DreamFactoryClient({ baseUrl: fake.baseUrl, apiKey: API_KEY }));
    const error = await failure(session.login("jdoe", password, { service: "ldap" }));
    expect(error.code).toBe("server_error");
    expect(fake.requests).toHaveLength(1);
    expect(error.dreamfactory?.message).toBe("Directory unavailable while checking [REDACTED]");
    await expectNoSecretsIn(error, [password, API_KEY]);
  });

  it("a login answer without a session_token (an OAuth service) is a typed error pointing to fromSessionResponse", async () => {
    fake.reset((_req, res) => sendJson(res, 200, { response: { redirect: true, url: "https://idp.example/authorize" } }));
    const session = new DreamFactorySession(new DreamFactoryClient({ baseUrl: fake.baseUrl, apiKey: API_KEY }));
    const error = await failure(session.login("jdoe", "pw-abc-1", { service: "github_oauth" }));
    expect(error.code).toBe("server_error");
    expect(error.message).toContain("fromSessionResponse");
  });

  it("logout sends DELETE /user/session with the token; an expired credential is refused locally", async () => {
    const token = await mintToken({ userId: 7 });
    fake.reset((_req, res) => sendJson(res, 200, { success: true }));
    const session = new DreamFactorySession(new DreamFactoryClient({ baseUrl: fake.baseUrl, apiKey: API_KEY }));
    expect(await session.logout(DreamFactoryCredential.fromSessionToken(token))).toEqual({ alreadyEnded: false });
    expect(fake.requests.map((r) => [r.method, r.url, r.headers["x-dreamfactory-session-token"] === token])).toEqual([
      ["DELETE", "/api/v2/user/session", true],
    ]);

    const now = Math.floor(Date.now() / 1000);
    const old = DreamFactoryCredential.fromSessionToken(await mintToken({ iat: now - 120, nbf: now - 120, exp: now - 60 }), {
      now: () => (now - 90) * 1000,
    });
    const error = await failure(session.logout(old));
    expect(error.code).toBe("credential_expired");
    expect(error.message).toContain("refresh it and log out the new token");
    expect(fake.requests).toHaveLength(1);
  });

  it("a login that times out or is aborted is typed; nothing secret in the errors", async () => {
    fake.reset(() => undefined); // never answers
    const session = new DreamFactorySession(new DreamFactoryClient({ baseUrl: fake.baseUrl, apiKey: API_KEY, timeoutMs: 150 }));
    const timeout = await failure(session.login("jdoe", "slow-pass-1"));
    expect(timeout.code).toBe("timeout");
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 30);
    const aborted = await failure(session.login("jdoe", "slow-pass-2", { signal: controller.signal }));
    expect(aborted.code).toBe("aborted");
    for (const e of [timeout, aborted]) await expectNoSecretsIn(e, ["slow-pass-1", "slow-pass-2", API_KEY]);
  });

  it("refresh through the session shares the client's single-flight refresh and tells onTokenRefresh", async () => {
    const oldToken = await mintToken({ userId: 12 });
    const newToken = await mintToken({ userId: 12 });
    fake.reset(async (req, res) => {
      if (req.method !== "PUT") return sendEnvelope(res, 404, "unexpected");
      await new Promise((resolve) => setTimeout(resolve, 50));
      sendJson(res, 200, sessionBody(newToken, 12, "r@x.example"));
    });
    const told: string[] = [];
    const client = new DreamFactoryClient({
      baseUrl: fake.baseUrl,
      apiKey: API_KEY,
      onTokenRefresh: (next, previous) => {
        told.push(`${previous.fingerprint}->${next.fingerprint}`);
      },
    });
    const session = new DreamFactorySession(client);
    const old = DreamFactoryCredential.fromSessionToken(oldToken);
    const [a, b] = await Promise.all([session.refresh(old), session.refresh(old)]);
    expect(a.credential).toBe(b.credential);
    expect(fake.count("PUT")).toBe(1);
    expect(told).toHaveLength(1);
    // The refresh answer told the client who the new token belongs to: whoami needs no request.
    expect((await a.credential.whoami(client)).email).toBe("r@x.example");
    expect(fake.requests).toHaveLength(1);
    await expectNoSecretsIn(JSON.stringify(a), [...secretParts(oldToken), ...secretParts(newToken)]);
  });

  it("refuses a non-client", () => {
    expect(() => new DreamFactorySession({} as never)).toThrow(TypeError);
  });
});

import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { DreamFactoryClient } from "../src/client/index.js";
import { DreamFactoryCredential, withDreamFactoryUser } from "../src/identity/index.js";
import { DreamFactorySession } from "../src/session/index.js";
import { type AuditEntry, startSandbox } from "../src/testing/index.js";
import { expectNoSecretsIn } from "./client-fake-dreamfactory.js";
import { secretParts } from "./identity-token-factory.js";
import { useResource } from "./support/sandbox-fixture.js";
import { failure } from "./support/dreamfactory-errors.js";

let client: DreamFactoryClient;
let session: DreamFactorySession;

const sb = useResource(
  () => startSandbox({ ...(process.env.TEST_DATABASE_URL ? { database: process.env.TEST_DATABASE_URL } : {}) }),
  async () => {
    client = new DreamFactoryClient({ baseUrl: sb.url, apiKey: sb.apiKey });
    session = new DreamFactorySession(client);
  },
);

beforeEach(() => {
  sb.clearAudit();
  sb.resetRequestCount();
});

afterEach(() => {
  vi.restoreAllMocks();
});

const ORDERS = { method: "GET" as const, path: "/db/_table/orders", query: { limit: 3 } };
const sessionCalls = (audit: AuditEntry[], verb: string) => audit.filter((e) => e.service === "user" && e.component === "session" && e.verb === verb);

describe("DreamFactorySession against the sandbox", () => {
  it("logs in: a working credential, DreamFactory's e-mail on it, and whoami without another request", async () => {
    const alice = await session.login(sb.users.alice.email, sb.users.alice.password);
    expect(alice).toBeInstanceOf(DreamFactoryCredential);
    expect(alice.userId).toBe(1);
    expect(alice.email).toBe(sb.users.alice.email);
    expect(sessionCalls(await sb.audit(), "POST")).toHaveLength(1);
    const me = await alice.whoami(client);
    expect(me).toMatchObject({ id: 1, email: sb.users.alice.email, role: "sales_rep", isSysAdmin: false });
    expect(sb.requestCount()).toBe(1); // the login answer was the session info
    const res = await client.request<{ resource: Array<{ sales_rep_id: number }> }>(alice, {
      ...ORDERS,
      expect: { email: sb.users.alice.email },
    });
    expect(res.data.resource.every((row) => row.sales_rep_id === 1)).toBe(true);
    expect(res.actedAs).toEqual({ userId: 1, email: sb.users.alice.email, verified: true });
    expect(sessionCalls(await sb.audit(), "GET")).toHaveLength(0); // identity known from the login
  });

  it("refreshes: a new credential, previousBlacklisted, and DreamFactory then refuses the old token (token_blacklisted)", async () => {
    const old = await session.login(sb.users.bob.email, sb.users.bob.password);
    const result = await session.refresh(old);
    expect(result.previousBlacklisted).toBe(true);
    expect(result.credential.userId).toBe(2);
    expect(result.credential.fingerprint).not.toBe(old.fingerprint);
    expect(result.credential.email).toBe(sb.users.bob.email);
    expect(sessionCalls(await sb.audit(), "PUT")).toHaveLength(1);

    const refused = await failure(client.request(old, ORDERS));
    expect(refused.code).toBe("token_blacklisted");
    expect(refused.status).toBe(403);
    expect(refused.dreamfactory?.message).toMatch(/^The token has been blacklisted/);

    sb.clearAudit();
    const fresh = await client.request(result.credential, { ...ORDERS, expect: { userId: 2 } });
    expect(fresh.actedAs).toEqual({ userId: 2, email: sb.users.bob.email, verified: true });
    expect(sessionCalls(await sb.audit(), "GET")).toHaveLength(0); // identity known from the refresh answer

    // A second refresh of the same old credential reuses the first result (no second PUT of a blacklisted token).
    const again = await session.refresh(old);
    expect(again.credential).toBe(result.credential);
    expect(sessionCalls(await sb.audit(), "PUT")).toHaveLength(0);
  });

  it("concurrent refreshes of one credential make one PUT", async () => {
    const carol = await session.login(sb.users.carol.email, sb.users.carol.password);
    sb.clearAudit();
    const results = await Promise.all(Array.from({ length: 10 }, () => session.refresh(carol)));
    expect(new Set(results.map((r) => r.credential)).size).toBe(1);
    expect(sessionCalls(await sb.audit(), "PUT")).toHaveLength(1);
  });

  it("logs out: DreamFactory then refuses the token; a second logout reports alreadyEnded", async () => {
    const dave = await session.login(sb.users.dave.email, sb.users.dave.password);
    expect((await client.request(dave, { method: "GET", path: "/db/_table/products", query: { limit: 1 } })).status).toBe(200);
    expect(await session.logout(dave)).toEqual({ alreadyEnded: false });
    expect(sessionCalls(await sb.audit(), "DELETE")).toHaveLength(1);
    const refused = await failure(client.request(dave, { method: "GET", path: "/db/_table/products" }));
    expect(refused.code).toBe("token_blacklisted");
    const who = await failure(dave.whoami(client)); // the remembered identity was dropped at logout
    expect(who.code).toBe("token_blacklisted");
    expect(await session.logout(dave)).toEqual({ alreadyEnded: true });
  });

  it("a wrong password is unauthorized with DreamFactory's message, and the password shows up in no error or log", async () => {
    const password = "Wr0ng-Pa55-7731";
    const logged: string[] = [];
    for (const method of ["log", "info", "warn", "error", "debug"] as const) {
      vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
        logged.push(args.map(String).join(" "));
      });
    }
    const error = await failure(session.login(sb.users.alice.email, password));
    expect(error.code).toBe("unauthorized");
    expect(error.status).toBe(401);
    expect(error.message).toBe("DreamFactory request failed with status 401: POST /api/v2/user/session — Invalid credentials supplied.");
    await expectNoSecretsIn(error, [password, sb.apiKey]);
    expect(logged.join("\n")).not.toContain(password);
    expect(JSON.stringify(await sb.audit())).not.toContain(password);

    // Missing fields are refused before anything is sent, without echoing what was given.
    sb.resetRequestCount();
    await expect(session.login(sb.users.alice.email, "")).rejects.toThrow(TypeError);
    await expect(session.login("", password)).rejects.toThrow(/login must be a non-empty string/);
    expect(sb.requestCount()).toBe(0);
  });

  it("logs in a sys-admin only at the admin endpoint", async () => {
    const denied = await failure(session.login(sb.users.admin.email, sb.users.admin.password));
    expect(denied.code).toBe("unauthorized");
    const admin = await session.login(sb.users.admin.email, sb.users.admin.password, { admin: true });
    expect((await admin.whoami(client)).isSysAdmin).toBe(true);
    expect(sb.requestCount()).toBe(2);
  });

  it("fromSessionResponse reads the token from redirect URLs and session JSON; the credential works", async () => {
    const res = await fetch(`${sb.url}/api/v2/user/session`, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-DreamFactory-API-Key": sb.apiKey },
      body: JSON.stringify({ email: sb.users.carol.email, password: sb.users.carol.password }),
    });
    const json = (await res.json()) as Record<string, unknown>;
    const token = json["session_token"] as string;
    const forms: Array<string | URL | Record<string, unknown>> = [
      `https://app.example.com/auth/done?session_token=${token}`, // OAuth/OIDC callback redirect
      new URL(`https://app.example.com/sso?state=x&jwt=${token}`), // /api/v2/<service>/sso redirect
      `/saml/acs-done?relay=1#session_token=${token}`, // SAML relay state, token in the fragment
      JSON.stringify(json),
      json,
    ];
    for (const form of forms) {
      const credential = DreamFactorySession.fromSessionResponse(form);
      expect(credential.userId).toBe(3);
    }
    expect(DreamFactorySession.fromSessionResponse(json).email).toBe(sb.users.carol.email);
    const credential = DreamFactorySession.fromSessionResponse(`https://app.example.com/cb?session_token=${token}`);
    const out = await client.request(credential, { ...ORDERS, expect: { email: sb.users.carol.email } });
    expect(out.actedAs.verified).toBe(true);

    for (const bad of ["https://app.example.com/cb?code=abc", "{\"id\":3}", "not a url at all %%%", `{"session_token":"${token}"`]) {
      const error = (() => {
        try {
          DreamFactorySession.fromSessionResponse(bad);
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      expect(error).toMatchObject({ code: "credential_invalid" });
      await expectNoSecretsIn(error, secretParts(token));
    }
    const envelope = { error: { code: 401, context: null, message: "Invalid credentials supplied.", status_code: 401 } };
    expect(() => DreamFactorySession.fromSessionResponse(envelope)).toThrowError(expect.objectContaining({ code: "unauthorized" }));
  });

  it("an app-level flow: login, run with the expectation, refresh, run again, logout", async () => {
    const first = await session.login(sb.users.alice.email, sb.users.alice.password);
    const expectAlice = { expect: { email: sb.users.alice.email } };
    const run1 = await client.request(client.credentialFrom(withDreamFactoryUser(first, undefined, expectAlice)), ORDERS);
    expect(run1.actedAs.verified).toBe(true);
    const { credential: second } = await session.refresh(first);
    const run2 = await client.request(client.credentialFrom(withDreamFactoryUser(second, undefined, expectAlice)), ORDERS);
    expect(run2.actedAs.verified).toBe(true);
    await session.logout(second);
    const audit = await sb.audit();
    expect(sessionCalls(audit, "GET")).toHaveLength(0);
    expect(audit.map((e) => `${e.verb} ${e.service}/${e.component}`)).toEqual([
      "POST user/session",
      "GET db/_table/orders",
      "PUT user/session",
      "GET db/_table/orders",
      "DELETE user/session",
    ]);
  });
});

import type { RunnableConfig } from "@langchain/core/runnables";
import { beforeEach, describe, expect, it } from "vitest";
import { DreamFactoryClient } from "../src/client/index.js";
import { DreamFactoryCredential, withDreamFactoryUser } from "../src/identity/index.js";
import { DreamFactoryRetriever } from "../src/retrievers/index.js";
import { type AuditEntry, startSandbox } from "../src/testing/index.js";
import { DreamFactoryToolkit } from "../src/tools/index.js";
import { useResource } from "./support/sandbox-fixture.js";
import { failure } from "./support/dreamfactory-errors.js";

/** Shifts the sandbox's clock (DreamFactory's) relative to ours, to mint tokens that are already expired. */
let serverClockOffsetMs = 0;

const sb = useResource(() =>
  startSandbox({
    now: () => Date.now() + serverClockOffsetMs,
    ...(process.env.TEST_DATABASE_URL ? { database: process.env.TEST_DATABASE_URL } : {}),
  }),
);

beforeEach(() => {
  sb.setFaults(null);
  sb.clearAudit();
  sb.resetRequestCount();
});

const ORDERS = { method: "GET" as const, path: "/db/_table/orders", query: { limit: 5 } };

/** A fresh login (a token no client has seen yet). */
async function freshToken(user: "alice" | "bob" | "carol"): Promise<DreamFactoryCredential> {
  const { email, password } = sb.users[user];
  const token = await sb.login(email, password);
  sb.clearAudit();
  sb.resetRequestCount();
  return DreamFactoryCredential.fromSessionToken(token);
}

function newClient(extra: Partial<ConstructorParameters<typeof DreamFactoryClient>[0]> = {}): DreamFactoryClient {
  return new DreamFactoryClient({ baseUrl: sb.url, apiKey: sb.apiKey, ...extra });
}

const sessionLookups = (audit: AuditEntry[]) =>
  audit.filter((e) => e.service === "user" && e.component === "session" && e.verb === "GET");
const dataRequests = (audit: AuditEntry[]) => audit.filter((e) => e.component.startsWith("_table"));

describe("identity consistency check against the sandbox", () => {
  it("alice's token in a run that expects bob: identity_mismatch after one session lookup and no data request", async () => {
    const alice = await freshToken("alice");
    const client = newClient();
    const config = withDreamFactoryUser(alice, undefined, { expect: { email: sb.users.bob.email } });
    const error = await failure(client.request(client.credentialFrom(config), ORDERS));
    expect(error.code).toBe("identity_mismatch");
    expect(error.message).toMatch(/^DreamFactory identity check failed: the session token of this run \(fingerprint [0-9a-f]{12}\)/);
    expect(error.message).toContain("no data request was sent");
    // Neither person's e-mail is quoted.
    expect(error.message).not.toContain(sb.users.bob.email);
    expect(error.message).not.toContain(sb.users.alice.email);
    const audit = await sb.audit();
    expect(sessionLookups(audit)).toHaveLength(1);
    expect(sessionLookups(audit)[0]).toMatchObject({ userId: 1, status: 200 });
    expect(dataRequests(audit)).toHaveLength(0);
    expect(sb.requestCount()).toBe(1);

    // The answer is remembered for this token: a second mismatching call sends nothing at all.
    const again = await failure(client.request(client.credentialFrom(config), ORDERS));
    expect(again.code).toBe("identity_mismatch");
    expect(sb.requestCount()).toBe(1);
  });

  it("matching expectations pass: e-mail in another case, userId; actedAs carries DreamFactory's e-mail, verified", async () => {
    const alice = await freshToken("alice");
    const client = newClient();
    const byEmail = withDreamFactoryUser(alice, undefined, { expect: { email: "  ALICE@Example.COM " } });
    const res = await client.request<{ resource: Array<{ sales_rep_id: number }> }>(client.credentialFrom(byEmail), ORDERS);
    expect(res.data.resource.length).toBeGreaterThan(0);
    expect(res.data.resource.every((row) => row.sales_rep_id === 1)).toBe(true);
    expect(res.actedAs).toEqual({ userId: 1, email: sb.users.alice.email, verified: true });

    const byId = withDreamFactoryUser(alice, undefined, { expect: { userId: 1 } });
    const res2 = await client.request(client.credentialFrom(byId), ORDERS);
    expect(res2.actedAs).toEqual({ userId: 1, email: sb.users.alice.email, verified: true });

    const audit = await sb.audit();
    expect(sessionLookups(audit)).toHaveLength(1); // one lookup per token, not per run
    expect(dataRequests(audit)).toHaveLength(2);

    // Without an expectation: no lookup, and actedAs is not marked verified.
    const plain = await client.request(client.credentialFrom(withDreamFactoryUser(alice)), ORDERS);
    expect(plain.actedAs).toEqual({ userId: 1 });
    expect(sessionLookups(await sb.audit())).toHaveLength(1);
  });

  it("no expectation, no extra request: a plain run sends exactly its data request", async () => {
    const bob = await freshToken("bob");
    const client = newClient();
    await client.request(client.credentialFrom(withDreamFactoryUser(bob)), ORDERS);
    const audit = await sb.audit();
    expect(sessionLookups(audit)).toHaveLength(0);
    expect(dataRequests(audit)).toHaveLength(1);
  });

  it("a userId expectation that contradicts the token's user_id claim fails before any request", async () => {
    const alice = await freshToken("alice");
    const client = newClient();
    const config = withDreamFactoryUser(alice, undefined, { expect: { userId: 2 } });
    const error = await failure(client.request(client.credentialFrom(config), ORDERS));
    expect(error.code).toBe("identity_mismatch");
    expect(sb.requestCount()).toBe(0);
  });

  it("100 concurrent first calls with one new token make exactly one session lookup", async () => {
    const carol = await freshToken("carol");
    const client = newClient();
    const config = withDreamFactoryUser(carol, undefined, { expect: { email: sb.users.carol.email } });
    const results = await Promise.all(
      Array.from({ length: 100 }, () => client.request(client.credentialFrom(config), ORDERS)),
    );
    expect(results.every((r) => r.status === 200 && r.actedAs.verified === true)).toBe(true);
    const audit = await sb.audit();
    expect(sessionLookups(audit)).toHaveLength(1);
    expect(dataRequests(audit)).toHaveLength(100);
  });

  it("an expired token fails before the lookup: zero requests", async () => {
    serverClockOffsetMs = -2 * 86_400_000; // DreamFactory's clock two days behind: its 24 h token is already expired
    let token: string;
    try {
      token = await sb.login(sb.users.alice.email, sb.users.alice.password);
    } finally {
      serverClockOffsetMs = 0;
    }
    sb.resetRequestCount();
    const expired = DreamFactoryCredential.fromSessionToken(token, { now: () => Date.now() - 2 * 86_400_000 });
    expect(expired.isExpired()).toBe(true);
    const client = newClient();
    const config = withDreamFactoryUser(expired, undefined, { expect: { email: sb.users.alice.email } });
    expect(() => client.credentialFrom(config)).toThrowError(expect.objectContaining({ code: "credential_expired" }));
    const direct = await failure(client.request(expired, { ...ORDERS, expect: { email: sb.users.alice.email } }));
    expect(direct.code).toBe("credential_expired");
    const who = await failure(expired.whoami(client));
    expect(who.code).toBe("credential_expired");
    expect(sb.requestCount()).toBe(0);
  });

  it("with refresh on, an expired token of someone else is refused BEFORE it is refreshed (its owner is not logged out)", async () => {
    serverClockOffsetMs = -2 * 86_400_000; // mint tokens that are already expired on our clock, still refreshable
    let bobToken: string;
    let aliceToken: string;
    try {
      bobToken = await sb.login(sb.users.bob.email, sb.users.bob.password);
      aliceToken = await sb.login(sb.users.alice.email, sb.users.alice.password);
    } finally {
      serverClockOffsetMs = 0;
    }
    sb.clearAudit();
    sb.resetRequestCount();
    const refreshed: number[] = [];
    const client = newClient({ onTokenRefresh: (next) => void refreshed.push(next.userId) });
    // Credentials made while the tokens were valid (an app's session store), now expired.
    const twoDaysAgo = () => Date.now() - 2 * 86_400_000;
    const bob = DreamFactoryCredential.fromSessionToken(bobToken, { now: twoDaysAgo });
    expect(bob.isExpired()).toBe(true);
    const wrong = withDreamFactoryUser(bob, undefined, { expect: { email: sb.users.alice.email } });
    const error = await failure(client.request(client.credentialFrom(wrong), ORDERS));
    expect(error.code).toBe("identity_mismatch");
    expect(sb.requestCount()).toBe(0); // no PUT /user/session: bob's token was not blacklisted
    expect(refreshed).toEqual([]);

    // The right user's expired token (e-mail in another letter case) is refreshed and used as before.
    const alice = DreamFactoryCredential.fromSessionToken(aliceToken, { now: twoDaysAgo });
    const right = withDreamFactoryUser(alice, undefined, { expect: { email: sb.users.alice.email.toUpperCase() } });
    const res = await client.request(client.credentialFrom(right), ORDERS);
    expect(res.status).toBe(200);
    expect(refreshed).toEqual([1]);
  });

  it("a failed lookup (500) is a typed error with no data request, is not remembered, and a later call retries it", async () => {
    const bob = await freshToken("bob");
    const client = newClient({ maxRetries: 0 });
    const config = withDreamFactoryUser(bob, undefined, { expect: { email: sb.users.bob.email } });
    sb.setFaults({ fail: { next: 1, status: 500 }, includeSessionEndpoints: true });
    const error = await failure(client.request(client.credentialFrom(config), ORDERS));
    expect(error.code).toBe("server_error");
    expect(error.status).toBe(500);
    expect(error.path).toBe("/api/v2/user/session");
    let audit = await sb.audit();
    expect(sessionLookups(audit).map((e) => e.status)).toEqual([500]);
    expect(dataRequests(audit)).toHaveLength(0);

    const res = await client.request(client.credentialFrom(config), ORDERS);
    expect(res.actedAs).toEqual({ userId: 2, email: sb.users.bob.email, verified: true });
    audit = await sb.audit();
    expect(sessionLookups(audit).map((e) => e.status)).toEqual([500, 200]);
    expect(dataRequests(audit)).toHaveLength(1);
  });

  it("a read lookup is retried within the client's retry budget (503, default maxRetries)", async () => {
    const alice = await freshToken("alice");
    const client = newClient();
    sb.setFaults({ fail: { next: 1, status: 503 }, includeSessionEndpoints: true });
    const res = await client.request(alice, { ...ORDERS, expect: { email: sb.users.alice.email } });
    expect(res.actedAs.verified).toBe(true);
    expect(sessionLookups(await sb.audit()).map((e) => e.status)).toEqual([503, 200]);
  });

  it("reads the expectation from context.dreamfactoryExpect and from the resolveExpectedUser option", async () => {
    const alice = await freshToken("alice");
    const plain = newClient();
    // LangGraph runtime context (createAgent contextSchema): the credential and the expectation side by side.
    const contextConfig = { context: { dreamfactory: alice, dreamfactoryExpect: { email: sb.users.bob.email } } } as RunnableConfig;
    expect((await failure(plain.request(plain.credentialFrom(contextConfig), ORDERS))).code).toBe("identity_mismatch");
    const snake = { context: { dreamfactory: alice, dreamfactory_expect: { userId: 2 } } } as RunnableConfig;
    expect((await failure(plain.request(plain.credentialFrom(snake), ORDERS))).code).toBe("identity_mismatch");
    expect(() => plain.credentialFrom({ context: { dreamfactory: alice, dreamfactoryExpect: { mail: "x" } } } as RunnableConfig)).toThrow(
      TypeError,
    );

    // LangGraph Platform: the authenticated user sits at configurable.langgraph_auth_user.
    const platform = newClient({
      resolveExpectedUser: (config) => {
        const user = config.configurable?.["langgraph_auth_user"] as { email?: string } | undefined;
        return user?.email === undefined ? undefined : { email: user.email };
      },
    });
    const asBob = { configurable: { dreamfactory: alice, langgraph_auth_user: { identity: "2", email: sb.users.bob.email } } };
    expect((await failure(platform.request(platform.credentialFrom(asBob), ORDERS))).code).toBe("identity_mismatch");
    const asAlice = { configurable: { dreamfactory: alice, langgraph_auth_user: { identity: "1", email: sb.users.alice.email } } };
    expect((await platform.request(platform.credentialFrom(asAlice), ORDERS)).actedAs.verified).toBe(true);
    // The resolver states nothing: no check, no lookup.
    sb.clearAudit();
    await platform.request(platform.credentialFrom({ configurable: { dreamfactory: alice } }), ORDERS);
    expect(sessionLookups(await sb.audit())).toHaveLength(0);
  });

  it("two runs sharing one credential object keep their own expectations (no cross-run overwrite)", async () => {
    const alice = await freshToken("alice");
    const client = newClient();
    const runA = client.credentialFrom(withDreamFactoryUser(alice, undefined, { expect: { email: sb.users.alice.email } }));
    const runB = client.credentialFrom(withDreamFactoryUser(alice, undefined, { expect: { email: sb.users.bob.email } }));
    // Run A's credential was bound first; binding run B must not change it, and vice versa.
    const [a, b] = await Promise.allSettled([client.request(runA, ORDERS), client.request(runB, ORDERS)]);
    expect(a.status).toBe("fulfilled");
    expect(b.status).toBe("rejected");
    expect((b as PromiseRejectedResult).reason).toMatchObject({ code: "identity_mismatch" });
    // The app's own object is untouched: used directly it carries no expectation.
    expect((await client.request(alice, ORDERS)).actedAs).toEqual({ userId: 1 });
    expect(runA.toJSON()).toEqual(alice.toJSON());
  });

  it("every tool and retriever gets the check: a toolkit tool and DreamFactoryRetriever refuse alice's token for bob", async () => {
    const alice = await freshToken("alice");
    const client = newClient();
    const config = withDreamFactoryUser(alice, undefined, { expect: { email: sb.users.bob.email } });
    const query = new DreamFactoryToolkit({ client, service: sb.service }).getTools().find((t) => t.name === "dreamfactory_query_records");
    expect(query).toBeDefined();
    const toolError = await failure(query!.invoke({ table: "orders" }, config));
    expect(toolError.code).toBe("identity_mismatch");
    const retriever = new DreamFactoryRetriever({ client, service: sb.service, table: "kb_articles", searchFields: ["title", "body"] });
    const retrieverError = await failure(retriever.invoke("refund policy", config));
    expect(retrieverError.code).toBe("identity_mismatch");
    const audit = await sb.audit();
    expect(sessionLookups(audit)).toHaveLength(1);
    expect(dataRequests(audit)).toHaveLength(0);

    // And the same tool works for the matching user, with a verified receipt.
    const ok = await query!.invoke(
      { id: "call-1", name: "dreamfactory_query_records", type: "tool_call", args: { table: "orders" } },
      withDreamFactoryUser(alice, undefined, { expect: { userId: 1 } }),
    );
    expect((ok as { artifact: { actedAs: unknown } }).artifact.actedAs).toEqual({ userId: 1, email: sb.users.alice.email, verified: true });

    // A toolkit that builds its own client forwards resolveExpectedUser to it.
    const own = new DreamFactoryToolkit({
      baseUrl: sb.url,
      apiKey: sb.apiKey,
      service: sb.service,
      resolveExpectedUser: (c) => c.configurable?.["app_user"] as { email: string } | undefined,
    })
      .getTools()
      .find((t) => t.name === "dreamfactory_query_records")!;
    const viaOption = await failure(own.invoke({ table: "orders" }, { configurable: { dreamfactory: alice, app_user: { email: sb.users.bob.email } } }));
    expect(viaOption.code).toBe("identity_mismatch");
  });

  it("whoami returns DreamFactory's non-secret session info, from the same per-token cache", async () => {
    const token = await sb.login(sb.users.alice.email, sb.users.alice.password);
    const alice = DreamFactoryCredential.fromSessionToken(token);
    sb.clearAudit();
    const client = newClient();
    const me = await alice.whoami(client);
    expect(me).toEqual({
      id: 1,
      email: sb.users.alice.email,
      name: "Alice Archer",
      firstName: "Alice",
      lastName: "Archer",
      role: "sales_rep",
      roleId: 1,
      isSysAdmin: false,
    });
    expect(JSON.stringify(me)).not.toContain(token.split(".")[2]);
    expect(Object.isFrozen(me)).toBe(true);
    await client.request(alice, { ...ORDERS, expect: { email: sb.users.alice.email } });
    await client.sessionInfo(alice);
    expect(sessionLookups(await sb.audit())).toHaveLength(1);
  });
});

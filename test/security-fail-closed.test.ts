/**
 * Security suite, attack 2 — fail closed. Every entry point (the five read tools, both retrievers, a whole agent)
 * is called without a usable credential: none, a raw token string, a look-alike object, another package copy's
 * credential, an expired one, a not-yet-valid / malformed / unsigned token, a token whose signature fails
 * verification, and a token from another DreamFactory instance. Each gets a typed error, and the sandbox's request
 * counter proves that nothing was sent — except the foreign-instance token, which only DreamFactory can recognise:
 * it gets exactly one request, DreamFactory's 401, a typed `unauthorized` error and no data.
 */
import { ToolMessage } from "@langchain/core/messages";
import type { RunnableConfig } from "@langchain/core/runnables";
import type { StructuredToolInterface } from "@langchain/core/tools";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { DreamFactoryClient } from "../src/client/index.js";
import { isDreamFactoryError } from "../src/errors/index.js";
import { DreamFactoryCredential, withDreamFactoryUser } from "../src/identity/index.js";
import { startSandbox, type Sandbox } from "../src/testing/index.js";
import { DreamFactoryToolkit } from "../src/tools/index.js";
import { mintToken, TEST_SECRET, unsignedToken } from "./identity-token-factory.js";
import { buildAgent, planMessage, type PlannedCall } from "./security-support/agents.js";
import { atSandbox, codeOf, kbRetrievers, retrieverTool, sandboxOptions, signIn, type SignedIn } from "./security-support/fixtures.js";
import { Tripwire } from "./security-support/tripwire.js";

let sb: Sandbox;
let other: Sandbox;
let client: DreamFactoryClient;
let tools: StructuredToolInterface[];
let alice: SignedIn;

beforeAll(async () => {
  [sb, other] = await Promise.all([startSandbox(sandboxOptions()), startSandbox(sandboxOptions({ seed: false }))]);
  client = new DreamFactoryClient({ baseUrl: sb.url, apiKey: sb.apiKey });
  const { search, checked } = await kbRetrievers(sb, client);
  tools = [
    ...new DreamFactoryToolkit({ client, service: sb.service }).getTools(),
    retrieverTool("search_kb", search),
    retrieverTool("search_kb_checked", checked),
  ];
  alice = await signIn(sb, "alice");
});

afterAll(async () => {
  await Promise.all([sb?.close(), other?.close()]);
});

/** Arguments that make every tool send a request when it has a credential. */
const ARGS: Record<string, Record<string, unknown>> = {
  dreamfactory_list_tables: {},
  dreamfactory_describe_table: { table: "orders" },
  dreamfactory_query_records: { table: "orders", limit: 2 },
  dreamfactory_get_records: { table: "customers", ids: [1] },
  dreamfactory_aggregate: { table: "orders", aggregates: [{ function: "count" }] },
  search_kb: { query: "refund policy" },
  search_kb_checked: { query: "refund policy" },
};

/**
 * Calls every entry point with `config`: each tool directly (it must throw `code`), and one agent run making all
 * seven calls (the agent's tool error handling reports them to the model). Returns how many requests reached the
 * sandbox; every error is searched for the token.
 */
async function everyEntryPoint(config: RunnableConfig, code: string, secrets: Tripwire): Promise<number> {
  const before = sb.requestCount();
  for (const t of tools) {
    const error = await t.invoke({ type: "tool_call", id: `fc_${t.name}`, name: t.name, args: ARGS[t.name] ?? {} }, config).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(codeOf(error), `${t.name}`).toBe(code);
    expect(isDreamFactoryError(error), `${t.name} throws a DreamFactoryError`).toBe(true);
    secrets.observeError("error", error);
  }
  const plan: PlannedCall[] = tools.map((t) => ({ name: t.name, args: ARGS[t.name] ?? {} }));
  const { messages } = await buildAgent("createAgent+configurable", tools).invoke({ messages: [planMessage(plan)] }, config);
  const results = messages.filter((m): m is ToolMessage => ToolMessage.isInstance(m));
  expect(results).toHaveLength(tools.length);
  expect(results.every((m) => m.status === "error")).toBe(true);
  secrets.observe("output", messages);
  return sb.requestCount() - before;
}

function watch(...tokens: string[]): Tripwire {
  const wire = new Tripwire([{ label: "API key", value: sb.apiKey }]);
  tokens.forEach((t, i) => wire.addToken(`token ${i}`, t));
  return wire;
}

describe("no usable credential in the run: typed error, zero requests", () => {
  const cases: Array<[string, () => RunnableConfig, string]> = [
    ["no config at all", () => ({}), "credential_missing"],
    ["empty configurable and context", () => ({ configurable: {}, context: {} }) as RunnableConfig, "credential_missing"],
    ["a raw token string in configurable", () => ({ configurable: { dreamfactory: alice.token } }), "credential_raw_string"],
    ["a raw token string in the runtime context", () => ({ context: { dreamfactory: alice.token } }) as RunnableConfig, "credential_raw_string"],
    ["a plain object holding the token", () => ({ configurable: { dreamfactory: { token: alice.token, userId: 1 } } }), "credential_invalid"],
    [
      "a look-alike claiming to be a credential (another package copy's brand)",
      () => {
        const fake = Object.create({ [Symbol.for("langchain-dreamfactory.credential")]: true }) as object;
        return { configurable: { dreamfactory: Object.assign(fake, { userId: 1, token: alice.token }) } };
      },
      "credential_invalid",
    ],
    ["a spread copy of a real credential", () => ({ configurable: { dreamfactory: { ...alice.credential } } }), "credential_invalid"],
  ];
  it.each(cases)("%s", async (_name, config, code) => {
    const wire = watch(alice.token);
    expect(await everyEntryPoint(config(), code, wire)).toBe(0);
    wire.expectClean(["error", "output"]);
  });

  it("an expired credential (our clock past exp): credential_expired, zero requests", async () => {
    const u = await signIn(sb, "bob");
    const wire = watch(u.token);
    vi.useFakeTimers({ toFake: ["Date"], now: u.credential.expiresAt.getTime() + 1_000 });
    try {
      expect(await everyEntryPoint(withDreamFactoryUser(u.credential), "credential_expired", wire)).toBe(0);
      expect(await everyEntryPoint({ context: { dreamfactory: u.credential } } as RunnableConfig, "credential_expired", wire)).toBe(0);
    } finally {
      vi.useRealTimers();
    }
    wire.expectClean(["error", "output"]);
  });
});

describe("tokens that cannot become a credential: refused before any run starts", () => {
  it("malformed, unsigned, not yet valid, expired or missing claims: typed errors from fromSessionToken and withDreamFactoryUser", async () => {
    const now = Math.floor(Date.now() / 1000);
    const cases: Array<[string, string, string]> = [
      ["not a JWT", "not-a-token", "credential_invalid"],
      ["three dots of nothing", "a.b.c", "credential_invalid"],
      ["unsigned (alg none)", unsignedToken(), "credential_invalid"],
      ["not yet valid (nbf in an hour)", await mintToken({ nbf: now + 3600, iat: now + 3600, exp: now + 7200 }), "credential_not_yet_valid"],
      ["expired", await mintToken({ iat: now - 7200, nbf: now - 7200, exp: now - 60 }), "credential_expired"],
      ["no user_id claim", await mintToken({ userId: undefined }), "credential_invalid"],
      ["no exp claim", await mintToken({ exp: undefined }), "credential_invalid"],
    ];
    const before = sb.requestCount();
    for (const [name, token, code] of cases) {
      const wire = watch(...(token.split(".").length === 3 && token.length > 40 ? [token] : []));
      for (const attempt of [() => DreamFactoryCredential.fromSessionToken(token), () => withDreamFactoryUser(token)]) {
        let error: unknown;
        try {
          attempt();
        } catch (e) {
          error = e;
        }
        expect(codeOf(error), name).toBe(code);
        wire.observeError("error", error);
      }
      wire.expectClean(["error"]);
    }
    expect(sb.requestCount()).toBe(before);
  });

  it("wrong signature when verification is configured: verify(token, { secret: wrong }) refuses, the right secret accepts", async () => {
    const token = await mintToken({ email: "alice@example.com" });
    const wire = watch(token);
    const error = await DreamFactoryCredential.verify(token, { secret: "a-different-secret-of-another-instance" }).catch((e: unknown) => e);
    expect(codeOf(error)).toBe("credential_invalid");
    wire.observeError("error", error);
    const verified = await DreamFactoryCredential.verify(token, { secret: TEST_SECRET });
    expect(verified.userId).toBe(1);
    wire.expectClean(["error"]);
  });
});

describe("a token from another DreamFactory instance", () => {
  it("is refused by DreamFactory with 401 Invalid token: typed unauthorized, one request per call, never retried, no data", async () => {
    const foreignToken = await other.login(other.users.alice.email, other.users.alice.password);
    const foreign = DreamFactoryCredential.fromSessionToken(foreignToken);
    expect(foreign.userId).toBe(alice.id); // same user id, same e-mail, different instance
    const wire = watch(foreignToken, alice.token);
    sb.clearAudit();
    const { requests, audit } = await atSandbox(sb, async () => {
      for (const t of tools) {
        const error = await t
          .invoke({ type: "tool_call", id: `foreign_${t.name}`, name: t.name, args: ARGS[t.name] ?? {} }, withDreamFactoryUser(foreign))
          .then(
            () => undefined,
            (e: unknown) => e,
          );
        expect(codeOf(error), t.name).toBe("unauthorized");
        expect((error as { status?: number }).status).toBe(401);
        wire.observeError("error", error);
      }
    });
    // one request per tool; the authorised retriever asks once per round and stops at the first failure
    expect(requests).toBe(tools.length);
    expect(audit.every((a) => a.status === 401 && a.userId === null && a.rows === 0)).toBe(true);
    wire.observe("audit", audit);
    // A token signed with any other key (here: a forged one) gets the same single 401.
    const minted = await mintToken();
    const before = sb.requestCount();
    const viaSandbox = await client
      .request(DreamFactoryCredential.fromSessionToken(minted), { method: "GET", path: "/db/_table/orders" })
      .catch((e: unknown) => e);
    expect(codeOf(viaSandbox)).toBe("unauthorized");
    expect(sb.requestCount() - before).toBe(1);
    wire.expectClean(["error", "audit"]);
  });
});

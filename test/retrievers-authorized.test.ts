import { beforeEach, describe, expect, it } from "vitest";
import { BaseRetriever } from "@langchain/core/retrievers";
import { Document, type DocumentInterface } from "@langchain/core/documents";
import { startSandbox } from "../src/testing/index.js";
import { DreamFactoryAuthorizedRetriever } from "../src/retrievers/dreamfactory-authorized-retriever.js";
import { isDreamFactoryError } from "../src/errors/index.js";
import { withDreamFactoryUser } from "../src/identity/index.js";
import { KB_TEAM_ONLY_WORDS } from "../src/testing/db/demo-kb-articles.js";
import { useResource } from "./support/sandbox-fixture.js";
import {
  allArticles,
  containsToken,
  EventRecorder,
  HashedBagOfWords,
  loginUsers,
  MemoryVectorStore,
  RecordingClient,
  visibleTo,
  type KbRow,
  type TestUser,
} from "./retrievers-support.js";

let client: RecordingClient;
let users: Map<string, TestUser>;
let articles: KbRow[];
let store: MemoryVectorStore;

function user(handle: string): TestUser {
  const u = users.get(handle);
  if (u === undefined) throw new Error(`no user ${handle}`);
  return u;
}

function row(id: unknown): KbRow {
  const r = articles.find((a) => a.id === id);
  if (r === undefined) throw new Error(`no article ${String(id)}`);
  return r;
}

/** The first `k` ids of the store's own ranking that `team` may see (what a correct wrapper must return). */
async function expectedIds(query: string, team: string, k: number): Promise<number[]> {
  const all = await store.similaritySearch(query, articles.length);
  return all.map((d) => d.metadata.id as number).filter((id) => visibleTo(row(id), team)).slice(0, k);
}

function wrapper(extra: Partial<ConstructorParameters<typeof DreamFactoryAuthorizedRetriever>[0]> = {}): DreamFactoryAuthorizedRetriever {
  return new DreamFactoryAuthorizedRetriever({ retriever: store.asRetriever(4), client, service: sb.service, table: "kb_articles", k: 4, ...extra });
}

/** A retriever that cannot be resized: always the same documents, counting calls. */
class FixedRetriever extends BaseRetriever {
  override lc_namespace = ["test"];
  calls = 0;
  constructor(private readonly docs: DocumentInterface[]) {
    super();
  }
  override async _getRelevantDocuments(): Promise<DocumentInterface[]> {
    this.calls++;
    return this.docs.map((d) => new Document({ pageContent: d.pageContent, metadata: { ...d.metadata } }));
  }
}

const sb = useResource(
  () => startSandbox(),
  async () => {
    client = new RecordingClient({ baseUrl: sb.url, apiKey: sb.apiKey, maxRetries: 0 });
    users = await loginUsers(sb, 6);
    articles = await allArticles(sb);
    // Offline ingestion by the app (owner view): the index holds every article, internal ones included.
    store = new MemoryVectorStore(new HashedBagOfWords());
    await store.addDocuments(articles.map((a) => new Document({ pageContent: `${a.title}\n${a.body}`, metadata: { id: a.id, title: a.title } })));
  },
);

beforeEach(() => {
  sb.setFaults(null);
  client.sent.length = 0;
});

describe("DreamFactoryAuthorizedRetriever over an in-memory vector store", () => {
  it("drops what the user may not read and refills to k from the store's own ranking", async () => {
    const query = `${KB_TEAM_ONLY_WORDS.support} escalation bridge incident refund override`;
    const rawTop = (await store.asRetriever(4).invoke(query)).map((d) => d.metadata.id as number);
    const hiddenFromAlice = rawTop.filter((id) => !visibleTo(row(id), "sales"));
    expect(hiddenFromAlice.length).toBeGreaterThan(0); // precondition: the plain vector search would leak

    const r = wrapper();
    const alice = await r.invoke(query, withDreamFactoryUser(user("alice").credential));
    expect(alice.map((d) => d.metadata.id)).toEqual(await expectedIds(query, "sales", 4));
    expect(alice).toHaveLength(4);
    for (const d of alice) expect(visibleTo(row(d.metadata.id), "sales")).toBe(true);
    expect(client.sent.length).toBeGreaterThan(1); // refilled

    const dave = await r.invoke(query, withDreamFactoryUser(user("dave").credential));
    expect(dave.map((d) => d.metadata.id)).toEqual(await expectedIds(query, "support", 4));
    expect(dave.map((d) => d.metadata.id)).toEqual(expect.arrayContaining(hiddenFromAlice));
  });

  it("asks DreamFactory once per round with an id filter (not ids=), only the id field, limit = number of ids", async () => {
    const r = wrapper({ k: 2 });
    await r.invoke("Bluefin discount ladder deal desk", withDreamFactoryUser(user("dave").credential));
    expect(client.sent.length).toBeGreaterThanOrEqual(1);
    for (const req of client.sent) {
      expect(req.method).toBe("GET");
      expect(req.path).toBe(`/${sb.service}/_table/kb_articles`);
      expect(req.query).not.toHaveProperty("ids");
      expect(String(req.query?.filter)).toMatch(/^\(id IN \((\d+,)*\d+\)\)$/);
      const n = String(req.query?.filter).split(",").length;
      expect(req.query).toMatchObject({ fields: "id", limit: n });
    }
    // round r re-asks the store for 2^r × k documents, and only checks ids it has not checked yet
    const checked = client.sent.flatMap((req) => String(req.query?.filter).match(/\d+/g) ?? []);
    expect(new Set(checked).size).toBe(checked.length);
  });

  it("never lets a team-internal article reach a user outside the team", async () => {
    const internal = articles.filter((a) => a.is_internal);
    const r = wrapper({ k: 6 });
    for (const handle of ["alice", "dave"]) {
      const u = user(handle);
      for (const a of internal.slice(0, 12)) {
        const docs = await r.invoke(a.title, withDreamFactoryUser(u.credential));
        for (const d of docs) expect(visibleTo(row(d.metadata.id), u.team)).toBe(true);
        if (visibleTo(a, u.team)) expect(docs.map((d) => d.metadata.id)).toContain(a.id);
      }
    }
  });

  it("stops when the inner source is exhausted", async () => {
    const supportOnly = articles.filter((a) => a.is_internal && a.team === "support").slice(0, 3);
    const small = new MemoryVectorStore(new HashedBagOfWords());
    await small.addDocuments(supportOnly.map((a) => new Document({ pageContent: a.title, metadata: { id: a.id } })));
    const r = new DreamFactoryAuthorizedRetriever({ retriever: small.asRetriever(4), client, service: sb.service, table: "kb_articles", k: 4 });
    expect(await r.invoke("internal", withDreamFactoryUser(user("alice").credential))).toEqual([]);
    expect(client.sent).toHaveLength(1);
    expect(small.searches).toBe(1);
    const dave = await r.invoke("internal", withDreamFactoryUser(user("dave").credential));
    expect(dave.map((d) => d.metadata.id).sort()).toEqual(supportOnly.map((a) => a.id).sort());
  });

  it("bounds the rounds", async () => {
    const r = wrapper({ k: 4, maxRounds: 2 });
    const before = store.searches;
    await r.invoke(`${KB_TEAM_ONLY_WORDS.support} Kestrel incident`, withDreamFactoryUser(user("alice").credential));
    expect(store.searches - before).toBeLessThanOrEqual(2);
    expect(client.sent.length).toBeLessThanOrEqual(2);
  });

  it("filters a retriever that cannot be resized in one round, and uses resize when given", async () => {
    const sales = articles.filter((a) => a.is_internal && a.team === "sales").slice(0, 2);
    const pub = articles.filter((a) => !a.is_internal).slice(0, 2);
    const fixed = new FixedRetriever([...sales, ...pub].map((a) => new Document({ pageContent: a.title, metadata: { id: a.id } })));
    const r = new DreamFactoryAuthorizedRetriever({ retriever: fixed, client, service: sb.service, table: "kb_articles", k: 4 });
    const docs = await r.invoke("anything", withDreamFactoryUser(user("dave").credential));
    expect(docs.map((d) => d.metadata.id)).toEqual(pub.map((a) => a.id));
    expect(fixed.calls).toBe(1);

    const sizes: number[] = [];
    const resized = new DreamFactoryAuthorizedRetriever({
      retriever: fixed,
      client,
      service: sb.service,
      table: "kb_articles",
      k: 3,
      resize: (k) => {
        sizes.push(k);
        return store.asRetriever(k);
      },
    });
    const out = await resized.invoke("Bluefin ladder", withDreamFactoryUser(user("dave").credential));
    expect(out).toHaveLength(3);
    expect(sizes[0]).toBe(3);
    expect(sizes.slice(1)).toEqual(sizes.slice(1).map((_, i) => 3 * 2 ** (i + 1)));
  });

  it("drops documents without a usable id and never modifies the inner documents", async () => {
    const pub = articles.filter((a) => !a.is_internal).slice(0, 3);
    const inner = [
      new Document({ pageContent: "no id", metadata: {} }),
      new Document({ pageContent: "lookup id", metadata: { id: "{user.id}" } }),
      new Document({ pageContent: "list id", metadata: { id: "1,2" } }),
      ...pub.map((a) => new Document({ pageContent: a.title, metadata: { id: String(a.id), keep: "me" } })),
    ];
    const fixed = new FixedRetriever(inner);
    const r = new DreamFactoryAuthorizedRetriever({ retriever: fixed, client, service: sb.service, table: "kb_articles", k: 10 });
    const docs = await r.invoke("x", withDreamFactoryUser(user("alice").credential));
    expect(docs.map((d) => d.metadata.id)).toEqual(pub.map((a) => String(a.id)));
    expect(docs[0]?.metadata).toMatchObject({ keep: "me", dreamfactory: { service: sb.service, table: "kb_articles", id: pub[0]?.id } });
    expect(client.sent[0]?.query?.filter).toBe(`(id IN (${pub.map((a) => a.id).join(",")}))`);
    for (const d of inner) expect(d.metadata).not.toHaveProperty("dreamfactory");
  });

  it("refreshContent replaces the text with the row the user sees (database column masking applies)", async () => {
    const customers = await sb.query<{ id: number; name: string; email: string; sales_rep_id: number }>(
      "SELECT id, name, email, sales_rep_id FROM customers ORDER BY id LIMIT 40",
    );
    const cstore = new MemoryVectorStore(new HashedBagOfWords());
    await cstore.addDocuments(customers.map((c) => new Document({ pageContent: `${c.name} <${c.email}>`, metadata: { id: c.id } })));
    const r = new DreamFactoryAuthorizedRetriever({
      retriever: cstore.asRetriever(5),
      client,
      service: sb.service,
      table: "customers",
      k: 5,
      refreshContent: (row) => `${String(row.name)} <${String(row.email)}>`,
      refreshFields: ["name", "email"],
    });
    const query = customers[0]!.name;
    const dave = await r.invoke(query, withDreamFactoryUser(user("dave").credential));
    expect(dave).toHaveLength(5);
    for (const d of dave) {
      const c = customers.find((x) => x.id === d.metadata.id)!;
      expect(d.pageContent).not.toContain(c.email);
      expect(d.pageContent).toMatch(/<.\*\*\*@/);
    }
    expect(client.sent.at(-1)?.query?.fields).toBe("id,name,email");

    // a sales rep only sees own customers (DreamFactory role row filter sales_rep_id = {user.id})
    const alice = await r.invoke(query, withDreamFactoryUser(user("alice").credential));
    expect(alice.map((d) => d.metadata.id).sort()).toEqual(customers.filter((c) => c.sales_rep_id === user("alice").id).map((c) => c.id).sort());
    expect(alice.length).toBeGreaterThan(0);
    for (const d of alice) {
      const c = customers.find((x) => x.id === d.metadata.id)!;
      expect(c.sales_rep_id).toBe(user("alice").id);
      expect(d.pageContent).toBe(`${c.name} <${c.email}>`);
    }
  });

  it("fails closed without a credential: typed error, zero requests, inner retriever not called", async () => {
    const before = sb.requestCount();
    const searches = store.searches;
    const r = wrapper();
    for (const config of [undefined, { configurable: {} }, { configurable: { dreamfactory: user("alice").token } }]) {
      const err = await r.invoke("Bluefin", config).catch((e: unknown) => e);
      expect(isDreamFactoryError(err)).toBe(true);
      expect(["credential_missing", "credential_raw_string"]).toContain((err as { code: string }).code);
    }
    expect(sb.requestCount()).toBe(before);
    expect(store.searches).toBe(searches);
  });

  it("returns no documents and a typed error when DreamFactory fails, also in a later round", async () => {
    const r = wrapper();
    sb.setFaults({ fail: { next: 1, status: 500 } });
    await expect(r.invoke("Bluefin", withDreamFactoryUser(user("dave").credential))).rejects.toMatchObject({ code: "server_error" });

    sb.setFaults({ fail: { every: 2, status: 503 } }); // first check answers, the refill check fails
    const err = await r.invoke(`${KB_TEAM_ONLY_WORDS.support} escalation bridge incident refund override`, withDreamFactoryUser(user("alice").credential)).catch((e: unknown) => e);
    expect(isDreamFactoryError(err)).toBe(true);
    expect((err as { code: string }).code).toBe("server_error");
  });

  it("traces: one trace id (= the run id) on every check, the inner search as a child run, no token anywhere", async () => {
    const alice = user("alice");
    const recorder = new EventRecorder();
    sb.clearAudit();
    const docs = await wrapper().invoke(`${KB_TEAM_ONLY_WORDS.support} escalation incident`, {
      ...withDreamFactoryUser(alice.credential),
      callbacks: [recorder],
    });
    const starts = recorder.events.filter((e) => e.event === "retrieverStart");
    const outer = starts.find((e) => e.parentRunId === undefined);
    expect(outer).toBeDefined();
    expect(starts.filter((e) => e.parentRunId === outer?.runId).length).toBeGreaterThanOrEqual(1);
    const audit = (await sb.audit()).filter((a) => a.component === "_table/kb_articles");
    expect(audit.length).toBeGreaterThan(0);
    for (const a of audit) expect(a).toMatchObject({ traceId: outer?.runId, userId: alice.id });
    for (const d of docs) expect(d.metadata.dreamfactory).toMatchObject({ traceId: outer?.runId, actedAs: { userId: alice.id } });
    expect(containsToken(docs, alice.token)).toBe(false);
    expect(containsToken(recorder.events, alice.token)).toBe(false);
  });

  it("100 concurrent invocations by 10 users never mix documents", async () => {
    const handles = ["alice", "bob", "carol", "dave", "admin", ...[...users.keys()].filter((h) => h.startsWith("rep")).slice(0, 5)];
    const queries = [`${KB_TEAM_ONLY_WORDS.support} incident refund`, `${KB_TEAM_ONLY_WORDS.sales} discount ladder`, "invoice billing", "deal desk quarter"];
    const r = wrapper({ k: 5 });
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, i) => {
        const h = handles[i % handles.length]!;
        const q = queries[Math.floor(i / handles.length) % queries.length]!;
        return r.invoke(q, withDreamFactoryUser(user(h).credential)).then((docs) => ({ h, q, docs }));
      }),
    );
    for (const { h, q, docs } of results) {
      const u = user(h);
      expect(docs.map((d) => d.metadata.id)).toEqual(await expectedIds(q, u.team, 5));
      for (const d of docs) expect(d.metadata.dreamfactory).toMatchObject({ actedAs: { userId: u.id } });
    }
  });

  it("refuses bad options with a TypeError naming the option", () => {
    const base = { retriever: store.asRetriever(), client, service: "db", table: "kb_articles" };
    expect(() => new DreamFactoryAuthorizedRetriever({ ...base, retriever: {} as never })).toThrow(/retriever/);
    expect(() => new DreamFactoryAuthorizedRetriever({ ...base, idField: "id)" })).toThrow(/idField/);
    expect(() => new DreamFactoryAuthorizedRetriever({ ...base, maxRounds: 0 })).toThrow(/maxRounds/);
    expect(() => new DreamFactoryAuthorizedRetriever({ ...base, refreshContent: [] })).toThrow(/refreshContent/);
    expect(() => new DreamFactoryAuthorizedRetriever({ ...base, service: "a/b" })).toThrow(/service/);
    expect(DreamFactoryAuthorizedRetriever.lc_name()).toBe("DreamFactoryAuthorizedRetriever");
  });
});

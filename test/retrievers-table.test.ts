import { beforeEach, describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import type { DocumentInterface } from "@langchain/core/documents";
import { startSandbox } from "../src/testing/index.js";
import { DreamFactoryRetriever } from "../src/retrievers/dreamfactory-retriever.js";
import { buildSearchFilter } from "../src/retrievers/search-filter.js";
import { extractSearchTerms } from "../src/retrievers/search-terms.js";
import { isDreamFactoryError } from "../src/errors/index.js";
import { withDreamFactoryUser } from "../src/identity/index.js";
import { KB_TEAM_ONLY_WORDS } from "../src/testing/db/demo-kb-articles.js";
import { allArticles, containsToken, EventRecorder, loginUsers, RecordingClient, visibleTo, type KbRow, type TestUser } from "./retrievers-support.js";
import { useResource } from "./support/sandbox-fixture.js";

let client: RecordingClient;
let users: Map<string, TestUser>;
let articles: KbRow[];
let retriever: DreamFactoryRetriever;

function user(handle: string): TestUser {
  const u = users.get(handle);
  if (u === undefined) throw new Error(`no user ${handle}`);
  return u;
}

function ids(docs: DocumentInterface[]): number[] {
  return docs.map((d) => d.metadata.id as number).sort((a, b) => a - b);
}

/** Ids of articles that contain a variant of `word` in title or body and that `team` may see. */
function truth(word: string, team: string): number[] {
  const variants = [word.toLowerCase(), word[0]!.toUpperCase() + word.slice(1).toLowerCase(), word.toUpperCase()];
  return articles
    .filter((a) => variants.some((v) => a.title.includes(v) || a.body.includes(v)) && visibleTo(a, team))
    .map((a) => a.id)
    .sort((a, b) => a - b);
}

const sb = useResource(
  () => startSandbox(),
  async () => {
    client = new RecordingClient({ baseUrl: sb.url, apiKey: sb.apiKey, maxRetries: 0 });
    users = await loginUsers(sb, 6);
    articles = await allArticles(sb);
    retriever = new DreamFactoryRetriever({
      client,
      service: sb.service,
      table: "kb_articles",
      searchFields: ["title", "body"],
      metadataFields: ["team", "is_internal", "slug"],
      k: 10,
    });
  },
);

beforeEach(() => {
  sb.setFaults(null);
  client.sent.length = 0;
});

describe("DreamFactoryRetriever against the sandbox", () => {
  it("finds a team's internal article only for members of that team (Postgres RLS)", async () => {
    const sales = KB_TEAM_ONLY_WORDS.sales;
    const support = KB_TEAM_ONLY_WORDS.support;
    expect(truth(sales, "sales").length).toBeGreaterThan(0);
    expect(truth(support, "support").length).toBeGreaterThan(0);

    for (const handle of ["alice", "bob", "carol"]) {
      const u = user(handle);
      expect(ids(await retriever.invoke(sales, withDreamFactoryUser(u.credential)))).toEqual(truth(sales, "sales"));
      expect(await retriever.invoke(support, withDreamFactoryUser(u.credential))).toEqual([]);
    }
    const dave = user("dave");
    expect(ids(await retriever.invoke(support, withDreamFactoryUser(dave.credential)))).toEqual(truth(support, "support"));
    expect(await retriever.invoke(sales, withDreamFactoryUser(dave.credential))).toEqual([]);
    const admin = user("admin");
    expect(ids(await retriever.invoke(`${sales} ${support}`, withDreamFactoryUser(admin.credential)))).toEqual(
      [...new Set([...truth(sales, "it"), ...truth(support, "it")])].sort((a, b) => a - b),
    );
  });

  it("gives two users different documents for the same query, each exactly what they may see", async () => {
    const query = "refund";
    const alice = ids(await retriever.invoke(query, withDreamFactoryUser(user("alice").credential)));
    const dave = ids(await retriever.invoke(query, withDreamFactoryUser(user("dave").credential)));
    expect(alice).toEqual(truth(query, "sales"));
    expect(dave).toEqual(truth(query, "support"));
    expect(alice).not.toEqual(dave);
    const overrideId = articles.find((a) => a.title.startsWith("Refund override procedure"))?.id;
    expect(dave).toContain(overrideId);
    expect(alice).not.toContain(overrideId);
  });

  it("never returns another team's internal article, whatever the query", async () => {
    const internal = articles.filter((a) => a.is_internal);
    const queries = [...new Set(internal.flatMap((a) => extractSearchTerms(`${a.title} ${a.body}`, { maxTerms: 3 }).map((t) => t.term)))].slice(0, 25);
    for (const handle of ["alice", "dave"]) {
      const u = user(handle);
      for (const q of queries) {
        const docs = await retriever.invoke(q, withDreamFactoryUser(u.credential));
        for (const d of docs) {
          const row = articles.find((a) => a.id === d.metadata.id);
          expect(row !== undefined && visibleTo(row, u.team)).toBe(true);
        }
      }
    }
  });

  it("sends one GET with the search filter (parenthesised, unquoted CONTAINS), bounded limit and only the needed fields", async () => {
    const docs = await retriever.invoke("Bluefin ladder", withDreamFactoryUser(user("alice").credential));
    expect(docs.length).toBeGreaterThan(0);
    expect(client.sent).toHaveLength(1);
    const req = client.sent[0]!;
    const expected = buildSearchFilter(["title", "body"], extractSearchTerms("Bluefin ladder"));
    expect(req).toMatchObject({ method: "GET", path: `/${sb.service}/_table/kb_articles` });
    expect(req.query).toMatchObject({ filter: expected, fields: "id,title,body,team,is_internal,slug", limit: 50 });
    expect(req.query?.filter).toContain("(title CONTAINS Bluefin)");
    expect(String(req.query?.filter)).not.toMatch(/['"]/);
    for (const d of docs) expect(d.metadata.filter).toBe(expected);
  });

  it("ANDs the app's pinned filter with the search", async () => {
    const pinned = new DreamFactoryRetriever({
      client,
      service: sb.service,
      table: "kb_articles",
      searchFields: ["title", "body"],
      metadataFields: ["is_internal"],
      filter: "is_internal = false",
      k: 10,
    });
    const docs = await pinned.invoke("Bluefin discount", withDreamFactoryUser(user("alice").credential));
    expect(docs.length).toBeGreaterThan(0);
    for (const d of docs) expect(d.metadata.is_internal).toBe(false);
    const search = buildSearchFilter(["title", "body"], extractSearchTerms("Bluefin discount"));
    expect(client.sent[0]?.query?.filter).toBe(`(${search}) AND (is_internal = false)`);
    expect(docs[0]?.metadata.filter).toBe(`(${search}) AND (is_internal = false)`);
  });

  it("finds words whatever the query's case on a case-sensitive (COLLATE \"C\") column, through case variants", async () => {
    const alice = withDreamFactoryUser(user("alice").credential);
    const expected = truth(KB_TEAM_ONLY_WORDS.sales, "sales");
    expect(ids(await retriever.invoke(KB_TEAM_ONLY_WORDS.sales.toLowerCase(), alice))).toEqual(expected);
    expect(ids(await retriever.invoke(KB_TEAM_ONLY_WORDS.sales.toUpperCase(), alice))).toEqual(expected);
    const exact = new DreamFactoryRetriever({ client, service: sb.service, table: "kb_articles", searchFields: ["title", "body"], caseVariants: false, k: 10 });
    expect(await exact.invoke(KB_TEAM_ONLY_WORDS.sales.toLowerCase(), alice)).toEqual([]);
  });

  it("sends the app's order and honours the run's abort signal (aborted → typed error, no request)", async () => {
    const ordered = new DreamFactoryRetriever({ client, service: sb.service, table: "kb_articles", searchFields: ["title"], order: "updated_at desc", k: 2 });
    await ordered.invoke("invoice", withDreamFactoryUser(user("alice").credential));
    expect(client.sent.at(-1)?.query).toMatchObject({ order: "updated_at desc" });
    const before = sb.requestCount();
    const controller = new AbortController();
    controller.abort();
    const err = await retriever.invoke("invoice", { ...withDreamFactoryUser(user("alice").credential), signal: controller.signal }).catch((e: unknown) => e);
    expect(isDreamFactoryError(err) && err.code).toBe("aborted");
    expect(sb.requestCount()).toBe(before);
  });

  it("ranks with BM25: best match first, scores descending, k documents", async () => {
    const small = new DreamFactoryRetriever({ client, service: sb.service, table: "kb_articles", searchFields: ["title", "body"], k: 3 });
    const docs = await small.invoke("returns refunds policy shipping", withDreamFactoryUser(user("alice").credential));
    expect(docs).toHaveLength(3);
    expect(docs[0]?.pageContent).toContain("Returns and refunds policy");
    const scores = docs.map((d) => d.metadata.score as number);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
    expect(client.sent[0]?.query?.limit).toBe(15);
  });

  it("builds page content from a field list or a function; fetches every column only for a function without fields", async () => {
    const listed = new DreamFactoryRetriever({ client, service: sb.service, table: "kb_articles", searchFields: ["body"], pageContent: ["title"], k: 1 });
    const [doc] = await listed.invoke("Bluefin", withDreamFactoryUser(user("alice").credential));
    expect(articles.find((a) => a.id === doc?.metadata.id)?.title).toBe(doc?.pageContent);
    expect(client.sent.at(-1)?.query?.fields).toBe("id,body,title");

    const seenKeys: string[][] = [];
    const fn = new DreamFactoryRetriever({
      client,
      service: sb.service,
      table: "kb_articles",
      searchFields: ["title"],
      pageContent: (row) => {
        seenKeys.push(Object.keys(row).sort());
        return `# ${String(row.title)} [${String(row.slug)}]`;
      },
      k: 1,
    });
    const [fdoc] = await fn.invoke("Bluefin", withDreamFactoryUser(user("alice").credential));
    expect(fdoc?.pageContent).toMatch(/^# Bluefin discount ladder \(internal\) \[internal-bluefin-discount-ladder\]$/);
    expect(client.sent.at(-1)?.query?.fields).toBe("*");
    expect(seenKeys[0]).toContain("updated_at");

    const narrowed = new DreamFactoryRetriever({
      client,
      service: sb.service,
      table: "kb_articles",
      searchFields: ["title"],
      pageContent: (row) => String(row.slug),
      fields: ["slug"],
      k: 1,
    });
    await narrowed.invoke("Bluefin", withDreamFactoryUser(user("alice").credential));
    expect(client.sent.at(-1)?.query?.fields).toBe("id,title,slug");
  });

  it("puts who asked, where from and the trace id (= the retriever run id) in metadata, and no token anywhere", async () => {
    const alice = user("alice");
    const recorder = new EventRecorder();
    sb.clearAudit();
    const docs = await retriever.invoke("Bluefin", { ...withDreamFactoryUser(alice.credential), callbacks: [recorder] });
    const start = recorder.events.find((e) => e.event === "retrieverStart");
    expect(start?.runId).toBeDefined();
    const audit = await sb.audit();
    const entry = audit.find((a) => a.component === "_table/kb_articles");
    expect(entry).toMatchObject({ traceId: start?.runId, userId: alice.id, verb: "GET", status: 200 });
    for (const d of docs) {
      expect(d.metadata).toMatchObject({
        service: sb.service,
        table: "kb_articles",
        source: `dreamfactory://${sb.service}/kb_articles/${d.metadata.id}`,
        actedAs: { userId: alice.id, email: "alice@example.com" },
        traceId: start?.runId,
      });
      expect(typeof d.metadata.id).toBe("number");
    }
    expect(containsToken(docs, alice.token)).toBe(false);
    expect(containsToken(recorder.events, alice.token)).toBe(false);
    expect(containsToken(retriever.toJSON(), alice.token)).toBe(false);

    const runId = randomUUID();
    const [doc] = await retriever.invoke("Bluefin", { ...withDreamFactoryUser(alice.credential), runId });
    expect(doc?.metadata.traceId).toBe(runId);
  });

  it("fails closed without a credential: typed error, zero requests", async () => {
    const before = sb.requestCount();
    for (const config of [undefined, {}, { configurable: { dreamfactory: user("alice").token } }, { context: {} }]) {
      const err = await retriever.invoke("Bluefin", config).catch((e: unknown) => e);
      expect(isDreamFactoryError(err)).toBe(true);
      expect(["credential_missing", "credential_raw_string"]).toContain((err as { code: string }).code);
      expect(containsToken(String((err as Error).message), user("alice").token)).toBe(false);
    }
    expect(sb.requestCount()).toBe(before);
    expect(client.sent).toHaveLength(0);
  });

  it("reads the credential from context.dreamfactory (LangGraph runtime context)", async () => {
    const dave = user("dave");
    const docs = await retriever.invoke(KB_TEAM_ONLY_WORDS.support, { context: { dreamfactory: dave.credential } } as never);
    expect(ids(docs)).toEqual(truth(KB_TEAM_ONLY_WORDS.support, "support"));
    expect(docs[0]?.metadata.actedAs).toMatchObject({ userId: dave.id });
  });

  it("returns [] without a request for a query with no usable terms (credential still required)", async () => {
    const before = sb.requestCount();
    expect(await retriever.invoke("what is the {}?", withDreamFactoryUser(user("alice").credential))).toEqual([]);
    expect(sb.requestCount()).toBe(before);
    await expect(retriever.invoke("what is the {}?")).rejects.toMatchObject({ code: "credential_missing" });
  });

  it("returns no documents and a typed error when DreamFactory fails", async () => {
    sb.setFaults({ fail: { next: 1, status: 500 } });
    const recorder = new EventRecorder();
    const err = await retriever
      .invoke("Bluefin", { ...withDreamFactoryUser(user("alice").credential), callbacks: [recorder] })
      .catch((e: unknown) => e);
    expect(isDreamFactoryError(err)).toBe(true);
    expect((err as { code: string }).code).toBe("server_error");
    expect(recorder.events.map((e) => e.event)).toContain("retrieverError");
    expect(recorder.events.map((e) => e.event)).not.toContain("retrieverEnd");
  });

  it("100 concurrent invocations by 10 users never mix documents", async () => {
    const handles = ["alice", "bob", "carol", "dave", "admin", ...[...users.keys()].filter((h) => h.startsWith("rep")).slice(0, 5)];
    expect(handles).toHaveLength(10);
    const queries = [KB_TEAM_ONLY_WORDS.sales, KB_TEAM_ONLY_WORDS.support, "refund", "invoice", "Kestrel Bluefin"];
    const baseline = new Map<string, number[]>();
    for (const h of handles) {
      for (const q of queries) baseline.set(`${h}|${q}`, ids(await retriever.invoke(q, withDreamFactoryUser(user(h).credential))));
    }
    const runs = Array.from({ length: 100 }, (_, i) => {
      const h = handles[i % handles.length]!;
      const q = queries[Math.floor(i / handles.length) % queries.length]!;
      return retriever.invoke(q, withDreamFactoryUser(user(h).credential)).then((docs) => ({ h, q, docs }));
    });
    const results = await Promise.all(runs);
    let nonEmpty = 0;
    for (const { h, q, docs } of results) {
      const u = user(h);
      expect(ids(docs)).toEqual(baseline.get(`${h}|${q}`));
      for (const d of docs) {
        expect(d.metadata.actedAs).toMatchObject({ userId: u.id });
        const row = articles.find((a) => a.id === d.metadata.id);
        expect(row !== undefined && visibleTo(row, u.team)).toBe(true);
      }
      if (docs.length > 0) nonEmpty++;
    }
    expect(nonEmpty).toBeGreaterThan(50);
    const distinct = new Set(results.map((r) => JSON.stringify(ids(r.docs))));
    expect(distinct.size).toBeGreaterThan(4);
  });

  it("refuses bad options with a TypeError naming the option", () => {
    const base = { client, service: "db", table: "kb_articles", searchFields: ["title"] };
    expect(() => new DreamFactoryRetriever({ ...base, searchFields: [] })).toThrow(/searchFields/);
    expect(() => new DreamFactoryRetriever({ ...base, searchFields: ["title,body"] })).toThrow(/searchFields\[0\]/);
    expect(() => new DreamFactoryRetriever({ ...base, table: "../system" })).toThrow(/table/);
    expect(() => new DreamFactoryRetriever({ ...base, metadataFields: ["source"] })).toThrow(/metadataFields\[0\]/);
    expect(() => new DreamFactoryRetriever({ ...base, k: 0 })).toThrow(/k must/);
    expect(() => new DreamFactoryRetriever({ ...base, k: 5, candidatePool: 2 })).toThrow(/candidatePool/);
    expect(() => new DreamFactoryRetriever({ ...base, order: "title; drop" })).toThrow(/order/);
    expect(() => new DreamFactoryRetriever({ ...base, filter: " " })).toThrow(/filter/);
    expect(() => new DreamFactoryRetriever({ ...base, client: {} as never })).toThrow(/client/);
    expect(DreamFactoryRetriever.lc_name()).toBe("DreamFactoryRetriever");
  });
});

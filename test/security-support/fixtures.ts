/**
 * Shared fixtures of the security suite (test/security-*.test.ts): sandbox options, signed-in demo users,
 * request/audit accounting, time bounds, and the two retrievers wired to the demo knowledge base.
 */
import { Document } from "@langchain/core/documents";
import { tool, type StructuredToolInterface } from "@langchain/core/tools";
import type { RunnableConfig } from "@langchain/core/runnables";
import { z } from "zod";
import type { DreamFactoryClient } from "../../src/client/index.js";
import { isDreamFactoryError } from "../../src/errors/index.js";
import { DreamFactoryCredential } from "../../src/identity/index.js";
import { DreamFactoryAuthorizedRetriever, DreamFactoryRetriever } from "../../src/retrievers/index.js";
import type { AuditEntry, Sandbox, SandboxOptions } from "../../src/testing/index.js";
import { formatDocs, HashedBagOfWords, MemoryVectorStore } from "../retrievers-support.js";

/** Sandbox options of every security test file: a real Postgres server when CI provides one, else PGlite. */
export function sandboxOptions(extra: SandboxOptions = {}): SandboxOptions {
  return { ...(process.env.TEST_DATABASE_URL ? { database: process.env.TEST_DATABASE_URL } : {}), ...extra };
}

/** A demo user signed in for a test: id, e-mail, the raw token (only to search for it) and the credential. */
export interface SignedIn {
  id: number;
  email: string;
  token: string;
  credential: DreamFactoryCredential;
}

/** Ids of the named demo users. */
export const USER_IDS = { alice: 1, bob: 2, carol: 3, dave: 4, admin: 5 } as const;

/** Logs a named demo user in (a new session token each time). */
export async function signIn(sb: Sandbox, who: keyof typeof USER_IDS): Promise<SignedIn> {
  const { email, password } = sb.users[who];
  const token = await sb.login(email, password);
  return { id: USER_IDS[who], email, token, credential: DreamFactoryCredential.fromSessionToken(token, { email }) };
}

/** Logs in the extra sales reps rep006… (ids 6…), `count` of them. */
export async function signInReps(sb: Sandbox, count: number): Promise<SignedIn[]> {
  const reps = sb.extraUsers.slice(0, count);
  if (reps.length < count) throw new Error(`the sandbox has only ${reps.length} extra reps`);
  return Promise.all(
    reps.map(async (rep) => {
      const token = await sb.login(rep.email, rep.password);
      return { id: rep.id, email: rep.email, token, credential: DreamFactoryCredential.fromSessionToken(token, { email: rep.email }) };
    }),
  );
}

/** What reached the sandbox while `fn` ran: the request count and the new audit entries. */
export async function atSandbox<T>(sb: Sandbox, fn: () => Promise<T>): Promise<{ value: T | undefined; error: unknown; requests: number; audit: AuditEntry[] }> {
  const before = sb.requestCount();
  const auditBefore = (await sb.audit()).length;
  let value: T | undefined;
  let error: unknown;
  try {
    value = await fn();
  } catch (e) {
    error = e;
  }
  const requests = sb.requestCount() - before;
  const audit = (await sb.audit()).slice(auditBefore);
  return { value, error, requests, audit };
}

/** Resolves to what `promise` settles with (a rejection becomes the resolved value). */
export function settled(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    (v) => v,
    (e: unknown) => e,
  );
}

/** The DreamFactoryError code of `e` (following `cause` chains LangGraph may add), else undefined. */
export function codeOf(e: unknown): string | undefined {
  let current: unknown = e;
  for (let i = 0; i < 6 && current !== undefined && current !== null; i++) {
    if (isDreamFactoryError(current)) return current.code;
    current = typeof current === "object" ? (current as { cause?: unknown }).cause : undefined;
  }
  return undefined;
}

/** Rejects when `promise` takes longer than `ms` (every security test is bounded in time). */
export async function within<T>(ms: number, promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, limit]);
  } finally {
    clearTimeout(timer);
  }
}

/** The two retrievers of the suite over `kb_articles`, sharing one client. */
export interface KbRetrievers {
  search: DreamFactoryRetriever;
  checked: DreamFactoryAuthorizedRetriever;
}

/**
 * Builds a DreamFactoryRetriever (server-side search) and a DreamFactoryAuthorizedRetriever over an in-memory
 * vector store of every kb article (the owner's view, so the authorisation check has something to drop).
 *
 * @param sb - sandbox (to read the articles as the database owner)
 * @param client - client of both retrievers
 * @param extra - options such as an app-pinned `filter` or another `table`
 */
export async function kbRetrievers(
  sb: Sandbox,
  client: DreamFactoryClient,
  extra: { filter?: string; table?: string } = {},
): Promise<KbRetrievers> {
  const rows = await sb.query<{ id: number; title: string; body: string }>("SELECT id, title, body FROM kb_articles ORDER BY id");
  const store = new MemoryVectorStore(new HashedBagOfWords());
  await store.addDocuments(rows.map((r) => new Document({ pageContent: `${r.title}\n${r.body}`, metadata: { id: Number(r.id) } })));
  const table = extra.table ?? "kb_articles";
  return {
    search: new DreamFactoryRetriever({
      client,
      service: sb.service,
      table,
      searchFields: ["title", "body"],
      k: 3,
      ...(extra.filter === undefined ? {} : { filter: extra.filter }),
    }),
    checked: new DreamFactoryAuthorizedRetriever({
      retriever: store.asRetriever({ k: 4 }),
      client,
      service: sb.service,
      table,
      k: 3,
      refreshContent: table === "kb_articles" ? ["title", "body"] : undefined,
      ...(extra.filter === undefined ? {} : { filter: extra.filter }),
    }),
  };
}

/** A retriever exposed as a tool (`search_kb`, `search_kb_checked`); the tool passes its config on. */
export function retrieverTool(name: string, retriever: { invoke(q: string, c?: RunnableConfig): Promise<Document[]> }): StructuredToolInterface {
  return tool(async ({ query }: { query: string }, config: RunnableConfig) => formatDocs(await retriever.invoke(query, config)), {
    name,
    description: `Searches the knowledge base (${name}) as the signed-in user.`,
    schema: z.object({ query: z.string() }),
  });
}

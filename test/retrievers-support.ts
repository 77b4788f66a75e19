/**
 * Shared fixtures of the retriever tests (test/retrievers-*.test.ts): a request-recording client, demo users'
 * credentials, ground truth read from the sandbox database, a deterministic embedding and a callback recorder.
 */
import { BaseCallbackHandler } from "@langchain/core/callbacks/base";
import { Embeddings } from "@langchain/core/embeddings";
import { Document, type DocumentInterface } from "@langchain/core/documents";
import { VectorStore } from "@langchain/core/vectorstores";
import { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { AIMessage, type BaseMessage } from "@langchain/core/messages";
import type { ChatResult } from "@langchain/core/outputs";
import { DreamFactoryClient } from "../src/client/index.js";
import type { DreamFactoryRequest, DreamFactoryResponse } from "../src/client/index.js";
import { DreamFactoryCredential } from "../src/identity/index.js";
import type { Sandbox } from "../src/testing/index.js";
import { tokenize } from "../src/retrievers/search-terms.js";

/** A client that records every request it is asked to send (never the credential). */
export class RecordingClient extends DreamFactoryClient {
  readonly sent: DreamFactoryRequest[] = [];
  override async request<T = unknown>(credential: DreamFactoryCredential, req: DreamFactoryRequest): Promise<DreamFactoryResponse<T>> {
    this.sent.push(req);
    return super.request<T>(credential, req);
  }
}

/** A demo user with a logged-in credential and the raw token (only to prove it never leaks). */
export interface TestUser {
  handle: string;
  id: number;
  team: string;
  credential: DreamFactoryCredential;
  token: string;
}

/** Logs in the named users plus `extraReps` extra sales reps. */
export async function loginUsers(sb: Sandbox, extraReps = 0): Promise<Map<string, TestUser>> {
  const named = [
    { handle: "alice", id: 1, team: "sales" },
    { handle: "bob", id: 2, team: "sales" },
    { handle: "carol", id: 3, team: "sales" },
    { handle: "dave", id: 4, team: "support" },
    { handle: "admin", id: 5, team: "it" },
  ] as const;
  const out = new Map<string, TestUser>();
  for (const u of named) {
    const login = sb.users[u.handle];
    const token = await sb.login(login.email, login.password);
    out.set(u.handle, { ...u, credential: DreamFactoryCredential.fromSessionToken(token, { email: login.email }), token });
  }
  for (const rep of sb.extraUsers.slice(0, extraReps)) {
    const token = await sb.login(rep.email, rep.password);
    out.set(rep.handle, {
      handle: rep.handle,
      id: rep.id,
      team: "sales",
      credential: DreamFactoryCredential.fromSessionToken(token),
      token,
    });
  }
  return out;
}

/** One kb_articles row as the database owner sees it. */
export interface KbRow {
  id: number;
  title: string;
  body: string;
  team: string | null;
  is_internal: boolean;
}

/** Every kb article (owner view, bypassing RLS). */
export async function allArticles(sb: Sandbox): Promise<KbRow[]> {
  return sb.query<KbRow>("SELECT id, title, body, team, is_internal FROM kb_articles ORDER BY id");
}

/** Whether the seed's RLS lets a reader of `team` see the row (the admin sees all). */
export function visibleTo(row: KbRow, team: string): boolean {
  return team === "it" || !row.is_internal || row.team === team;
}

/** A deterministic embedding: hashed bag of words (lower-cased tokens) in `dims` buckets, L2-normalised. */
export class HashedBagOfWords extends Embeddings {
  constructor(private readonly dims = 256) {
    super({});
  }
  embed(text: string): number[] {
    const v = new Array<number>(this.dims).fill(0);
    for (const token of tokenize(text)) {
      let h = 2166136261;
      for (let i = 0; i < token.length; i++) h = Math.imul(h ^ token.charCodeAt(i), 16777619) >>> 0;
      v[h % this.dims] = (v[h % this.dims] ?? 0) + 1;
    }
    const norm = Math.sqrt(v.reduce((s, x) => s + x * x, 0)) || 1;
    return v.map((x) => x / norm);
  }
  async embedDocuments(texts: string[]): Promise<number[][]> {
    return texts.map((t) => this.embed(t));
  }
  async embedQuery(text: string): Promise<number[]> {
    return this.embed(text);
  }
}

/** Records every callback event with its arguments (to search them for secrets and read run ids). */
export class EventRecorder extends BaseCallbackHandler {
  name = "EventRecorder";
  readonly events: Array<{ event: string; runId?: string; parentRunId?: string; payload: unknown[] }> = [];
  override async handleRetrieverStart(...args: unknown[]): Promise<void> {
    this.events.push({ event: "retrieverStart", runId: args[2] as string, parentRunId: args[3] as string, payload: args });
  }
  override async handleRetrieverEnd(...args: unknown[]): Promise<void> {
    this.events.push({ event: "retrieverEnd", runId: args[1] as string, payload: args });
  }
  override async handleRetrieverError(...args: unknown[]): Promise<void> {
    this.events.push({ event: "retrieverError", runId: args[1] as string, payload: args });
  }
  override async handleToolStart(...args: unknown[]): Promise<void> {
    this.events.push({ event: "toolStart", runId: args[2] as string, payload: args });
  }
  override async handleToolEnd(...args: unknown[]): Promise<void> {
    this.events.push({ event: "toolEnd", runId: args[1] as string, payload: args });
  }
  override async handleChainStart(...args: unknown[]): Promise<void> {
    this.events.push({ event: "chainStart", runId: args[2] as string, payload: args });
  }
  override async handleChainEnd(...args: unknown[]): Promise<void> {
    this.events.push({ event: "chainEnd", runId: args[1] as string, payload: args });
  }
  override async handleChatModelStart(...args: unknown[]): Promise<void> {
    this.events.push({ event: "chatModelStart", runId: args[2] as string, payload: args });
  }
  override async handleLLMEnd(...args: unknown[]): Promise<void> {
    this.events.push({ event: "llmEnd", runId: args[1] as string, payload: args });
  }
}

/** Whether `haystack` (any value, serialised) contains the token or its signature part. */
export function containsToken(haystack: unknown, token: string): boolean {
  const text = typeof haystack === "string" ? haystack : JSON.stringify(haystack, (_k, v: unknown) => (typeof v === "bigint" ? String(v) : v));
  const signature = token.split(".")[2] ?? token;
  return text.includes(token) || text.includes(signature);
}

/**
 * A tiny in-memory vector store (langchain 1.x no longer ships `MemoryVectorStore`; core's `FakeVectorStore`
 * sorts with an inconsistent comparator). Cosine similarity, stable order on ties, metadata copied per result.
 */
export class MemoryVectorStore extends VectorStore {
  declare FilterType: (doc: Document) => boolean;
  readonly vectors: Array<{ embedding: number[]; doc: Document }> = [];
  /** How many similarity searches ran (to prove a retriever did not search). */
  searches = 0;
  constructor(embeddings: Embeddings) {
    super(embeddings, {});
  }
  _vectorstoreType(): string {
    return "test-memory";
  }
  async addVectors(vectors: number[][], documents: DocumentInterface[]): Promise<void> {
    vectors.forEach((embedding, i) => {
      const d = documents[i]!;
      this.vectors.push({ embedding, doc: new Document({ pageContent: d.pageContent, metadata: { ...d.metadata } }) });
    });
  }
  async addDocuments(documents: DocumentInterface[]): Promise<void> {
    await this.addVectors(await this.embeddings.embedDocuments(documents.map((d) => d.pageContent)), documents);
  }
  async similaritySearchVectorWithScore(query: number[], k: number, filter?: this["FilterType"]): Promise<[Document, number][]> {
    this.searches++;
    const dot = (a: number[]) => a.reduce((s, x, i) => s + x * (query[i] ?? 0), 0);
    return this.vectors
      .filter((v) => filter === undefined || filter(v.doc))
      .map((v, index) => ({ v, index, score: dot(v.embedding) }))
      .sort((a, b) => b.score - a.score || a.index - b.index)
      .slice(0, k)
      .map(({ v, score }) => [new Document({ pageContent: v.doc.pageContent, metadata: { ...v.doc.metadata } }), score]);
  }
}

/** A chat model that answers with the text of the last message it received (shows what reached the model). */
export class EchoChatModel extends BaseChatModel {
  readonly prompts: string[] = [];
  _llmType(): string {
    return "echo";
  }
  async _generate(messages: BaseMessage[]): Promise<ChatResult> {
    const last = messages.at(-1);
    const text = typeof last?.content === "string" ? last.content : JSON.stringify(last?.content);
    this.prompts.push(text);
    return { generations: [{ text, message: new AIMessage(text) }] };
  }
}

/** Formats retrieved documents for a prompt or a tool result: `[source] text`, one per paragraph. */
export function formatDocs(docs: DocumentInterface[]): string {
  return docs.map((d) => `[${String(d.metadata.source ?? d.metadata.id)}] ${d.pageContent}`).join("\n\n");
}

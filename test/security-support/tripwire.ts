/**
 * The leak tripwire of the security suite: it watches every channel a LangChain / LangGraph app can observe
 * (callback arguments, tracer runs, LangSmith payloads, event and graph streams, checkpointer calls, thrown
 * errors, outputs, documents, serialised objects, the sandbox's audit log) and reports every place where a
 * registered secret — a session token, its payload or signature part, a base64 copy of it, the API key — or
 * anything shaped like a JWT shows up.
 *
 * Each observed value is searched in three views: `JSON.stringify` (what a logger or a JSON-persisting saver
 * stores), `util.inspect` (what `console.log` prints, custom inspect functions included) and a deep walk over every
 * own property (non-enumerable ones too), symbol key, Map/Set entry and byte buffer (what a handler that walks
 * objects can read). A finding names the channel, the secret's label and the path where it was found — never the
 * secret itself, so a failing test never prints a token.
 */
import { inspect } from "node:util";
import { BaseCallbackHandler } from "@langchain/core/callbacks/base";
import { awaitAllCallbacks } from "@langchain/core/callbacks/promises";
import { BaseTracer, type Run } from "@langchain/core/tracers/base";
import { LangChainTracer } from "@langchain/core/tracers/tracer_langchain";
import type { RunnableConfig } from "@langchain/core/runnables";
import { MemorySaver, type Checkpoint, type CheckpointMetadata } from "@langchain/langgraph";

type PendingWrite = Parameters<MemorySaver["putWrites"]>[1][number];

/** One secret to look for. */
export interface SecretForm {
  /** Human label used in findings, e.g. "alice token signature". */
  label: string;
  value: string;
}

/** Where a secret was seen. */
export interface Finding {
  channel: string;
  secret: string;
  /** `json`, `inspect`, or the deep-walk path, e.g. `args[3].options.context`. */
  where: string;
}

/** Every `handle*` method of a callback handler (@langchain/core 1.4). */
export const HANDLE_METHODS = [
  "handleLLMStart", "handleLLMNewToken", "handleLLMError", "handleLLMEnd", "handleChatModelStart", "handleChainStart",
  "handleChainError", "handleChainEnd", "handleToolStart", "handleToolEnd", "handleToolError", "handleToolEvent", "handleText",
  "handleAgentAction", "handleAgentEnd", "handleRetrieverStart", "handleRetrieverEnd", "handleRetrieverError", "handleCustomEvent",
] as const;

const JWT_SHAPE = /eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/;
const WALK_BUDGET = 400_000;

/**
 * The forms of a session token that must never appear: the whole token, its upper- and lower-case copies (what
 * DreamFactory's `strtoupper`/`strtolower` lookup modifiers give), its payload part, its signature part, and the
 * start of its base64 / base64url encodings (long enough to be unique, short enough to be found in a message that
 * was cut). See lookup-modifiers.ts for every modifier's form.
 *
 * @param label - who the token belongs to, e.g. "alice token"
 * @param token - the raw JWT
 */
export function tokenForms(label: string, token: string): SecretForm[] {
  const [, payload = "", signature = ""] = token.split(".");
  const b64 = Buffer.from(token, "utf8").toString("base64");
  const b64url = Buffer.from(token, "utf8").toString("base64url");
  return [
    { label, value: token },
    { label: `${label} upper-case`, value: token.toUpperCase() },
    { label: `${label} lower-case`, value: token.toLowerCase() },
    { label: `${label} payload`, value: payload },
    { label: `${label} signature`, value: signature },
    { label: `${label} base64`, value: b64.slice(0, 120) },
    { label: `${label} base64url`, value: b64url.slice(0, 120) },
  ].filter((form) => form.value.length >= 16);
}

/**
 * Collects observations from every channel and reports where secrets were seen.
 *
 * @example
 * ```ts
 * const wire = new Tripwire([...tokenForms("alice token", token), { label: "API key", value: sb.apiKey }]);
 * await agent.invoke(input, { ...config, callbacks: wire.callbacks() });
 * await wire.settle();
 * wire.expectClean(["callback:handleToolEnd"]);
 * ```
 */
export class Tripwire {
  readonly #secrets: SecretForm[] = [];
  readonly #findings: Finding[] = [];
  readonly #counts = new Map<string, number>();
  readonly #langsmithPayloads: unknown[] = [];
  #truncatedWalks = 0;

  /** @param secrets - initial secrets */
  constructor(secrets: SecretForm[] = []) {
    for (const s of secrets) this.addSecret(s);
  }

  /** Adds a secret (e.g. a token minted by a refresh during the test). */
  addSecret(secret: SecretForm): void {
    if (secret.value.length < 8) throw new Error(`secret ${secret.label} is too short to search for`);
    if (!this.#secrets.some((s) => s.value === secret.value)) this.#secrets.push(secret);
  }

  /** Adds every form of a token (see {@link tokenForms}). */
  addToken(label: string, token: string): void {
    for (const form of tokenForms(label, token)) this.addSecret(form);
  }

  /** Labels of the registered secrets (never their values). */
  get secretLabels(): string[] {
    return this.#secrets.map((s) => s.label);
  }

  /**
   * Searches `value` in its JSON, inspect and deep-walk views and records what was found under `channel`.
   * @param channel - e.g. `callback:handleToolEnd`, `stream:debug`, `error`
   * @param value - anything
   */
  observe(channel: string, value: unknown): void {
    this.#counts.set(channel, (this.#counts.get(channel) ?? 0) + 1);
    const seen = new Set<string>();
    const report = (secret: string, where: string): void => {
      const key = `${secret}\u0000${where}`;
      if (seen.has(key)) return;
      seen.add(key);
      this.#findings.push({ channel, secret, where });
    };
    this.#scanText(jsonView(value), "json", report);
    this.#scanText(inspect(value, INSPECT_OPTIONS), "inspect", report);
    let budget = WALK_BUDGET;
    const visited = new WeakSet<object>();
    const walk = (node: unknown, path: string, depth: number): void => {
      if (budget-- <= 0) return;
      if (typeof node === "string") {
        this.#scanText(node, path, report);
        return;
      }
      if (typeof node !== "object" || node === null || depth > 40) return;
      if (visited.has(node) || node instanceof Tripwire || IGNORED.has(node)) return;
      visited.add(node);
      if (ArrayBuffer.isView(node)) {
        const bytes = Buffer.from(node.buffer, node.byteOffset, node.byteLength);
        this.#scanText(bytes.toString("utf8"), `${path}<bytes>`, report);
        return;
      }
      if (node instanceof ArrayBuffer) {
        this.#scanText(Buffer.from(node).toString("utf8"), `${path}<bytes>`, report);
        return;
      }
      if (node instanceof Map) {
        let i = 0;
        for (const [k, v] of node) {
          walk(k, `${path}<key ${i}>`, depth + 1);
          walk(v, `${path}<value ${i}>`, depth + 1);
          i += 1;
        }
      } else if (node instanceof Set) {
        let i = 0;
        for (const v of node) walk(v, `${path}<item ${i++}>`, depth + 1);
      }
      for (const key of Reflect.ownKeys(node)) {
        const descriptor = Object.getOwnPropertyDescriptor(node, key);
        if (descriptor === undefined || !("value" in descriptor)) continue; // never run getters
        const name = typeof key === "symbol" ? `[${key.description ?? "symbol"}]` : key;
        if (typeof key === "string") this.#scanText(key, `${path}<key>`, report);
        walk(descriptor.value, path === "" ? String(name) : `${path}.${String(name)}`, depth + 1);
      }
    };
    walk(value, "", 0);
    if (budget <= 0) this.#truncatedWalks += 1;
  }

  /** Observes a thrown value: itself (message, stack, cause chain, any request/config field) and its string form. */
  observeError(channel: string, error: unknown): void {
    this.observe(channel, error);
    this.observe(`${channel}:string`, String(error));
    let cause: unknown = error;
    for (let i = 0; i < 8 && typeof cause === "object" && cause !== null && "cause" in cause; i++) {
      cause = (cause as { cause?: unknown }).cause;
      this.observe(`${channel}:cause`, cause);
    }
  }

  /** A callback handler recording every argument of every `handle*` method as `callback:<method>`. */
  handler(): BaseCallbackHandler {
    const methods = Object.fromEntries(
      HANDLE_METHODS.map((m) => [m, (...args: unknown[]) => void this.observe(`callback:${m}`, args)]),
    );
    const handler = BaseCallbackHandler.fromMethods(methods);
    IGNORED.add(handler);
    return handler;
  }

  /** A BaseTracer subclass recording every Run it creates, updates and persists as `tracer:<hook>`. */
  tracer(): BaseTracer {
    const tracer = new RecordingTracer(this);
    IGNORED.add(tracer);
    return tracer;
  }

  /** A real LangChainTracer with a fake LangSmith client: every payload it would send is recorded as `langsmith`. */
  langsmith(): LangChainTracer {
    const record = (payload: unknown): void => {
      this.#langsmithPayloads.push(payload);
      this.observe("langsmith", payload);
    };
    const client = {
      createRun: async (run: unknown) => record(run),
      updateRun: async (id: string, run: unknown) => record({ id, run }),
      batchIngestRuns: async (batch: unknown) => record(batch),
      multipartIngestRuns: async (batch: unknown) => record(batch),
      awaitPendingTraceBatches: async () => undefined,
    };
    const tracer = new LangChainTracer({ client: client as never, projectName: "security-tripwire" });
    IGNORED.add(tracer);
    return tracer;
  }

  /** All three recorders, ready for `config.callbacks`. */
  callbacks(): BaseCallbackHandler[] {
    return [this.handler(), this.tracer(), this.langsmith()];
  }

  /** A MemorySaver whose `put` / `putWrites` arguments are recorded as `checkpointer:put` / `checkpointer:putWrites`. */
  saver(): MemorySaver {
    const saver = new SpySaver(this);
    IGNORED.add(saver);
    return saver;
  }

  /** Waits for background callbacks, so every event has been observed. */
  async settle(): Promise<void> {
    await awaitAllCallbacks();
  }

  /** Every finding so far. */
  get findings(): readonly Finding[] {
    return this.#findings;
  }

  /** Findings whose channel starts with `prefix`. */
  findingsIn(prefix: string): Finding[] {
    return this.#findings.filter((f) => f.channel.startsWith(prefix));
  }

  /** How many observations a channel (or channels with this prefix) received. */
  observed(prefix: string): number {
    let n = 0;
    for (const [channel, count] of this.#counts) if (channel.startsWith(prefix)) n += count;
    return n;
  }

  /** Channel names observed so far. */
  get channels(): string[] {
    return [...this.#counts.keys()].sort();
  }

  /** LangSmith payloads the fake client received. */
  get langsmithPayloads(): readonly unknown[] {
    return this.#langsmithPayloads;
  }

  /**
   * Throws (listing channel, secret label and path — never a value) when a secret was seen anywhere, when a deep
   * walk was cut short, or when one of `required` channel prefixes received nothing (so "clean" means "watched
   * and clean").
   */
  expectClean(required: readonly string[] = []): void {
    const silent = required.filter((prefix) => this.observed(prefix) === 0);
    const problems: string[] = [];
    if (silent.length > 0) problems.push(`channels never observed: ${silent.join(", ")}`);
    if (this.#truncatedWalks > 0) problems.push(`${this.#truncatedWalks} deep walks exceeded the budget`);
    const byKey = new Map<string, Finding>();
    for (const f of this.#findings) byKey.set(`${f.channel}|${f.secret}`, f);
    for (const f of byKey.values()) problems.push(`${f.secret} seen in ${f.channel} at ${f.where}`);
    if (problems.length > 0) throw new Error(`Tripwire: ${problems.length} problem(s):\n  ${problems.slice(0, 40).join("\n  ")}`);
  }

  #scanText(text: string, where: string, report: (secret: string, where: string) => void): void {
    for (const secret of this.#secrets) if (text.includes(secret.value)) report(secret.label, where);
    if (JWT_SHAPE.test(text)) report("a JWT-shaped string", where);
  }
}

/** What `console.log` would print, deeper than its default (hidden properties are covered by the deep walk). */
const INSPECT_OPTIONS = {
  depth: 6,
  showHidden: false,
  getters: false,
  maxArrayLength: 200,
  maxStringLength: Infinity,
  breakLength: Infinity,
} as const;

/** Objects of the tripwire itself (recorders, spy saver) that the walk skips. */
const IGNORED = new WeakSet<object>();

/** `JSON.stringify` that survives cycles, BigInt and throwing `toJSON`s. */
export function jsonView(value: unknown): string {
  const seen = new WeakSet<object>();
  try {
    return (
      JSON.stringify(value, (_key, v: unknown) => {
        if (typeof v === "bigint") return String(v);
        if (typeof v === "object" && v !== null) {
          if (seen.has(v)) return "[circular]";
          seen.add(v);
        }
        return v;
      }) ?? "undefined"
    );
  } catch (e) {
    return `[not serialisable: ${e instanceof Error ? e.name : typeof e}]`;
  }
}

class RecordingTracer extends BaseTracer {
  name = "security_tripwire_tracer";
  readonly #wire: Tripwire;

  constructor(wire: Tripwire) {
    super();
    this.#wire = wire;
  }

  protected override async persistRun(run: Run): Promise<void> {
    this.#wire.observe("tracer:persistRun", run);
  }

  override async onRunCreate(run: Run): Promise<void> {
    this.#wire.observe("tracer:onRunCreate", run);
  }

  override async onRunUpdate(run: Run): Promise<void> {
    this.#wire.observe("tracer:onRunUpdate", run);
  }
}

class SpySaver extends MemorySaver {
  readonly #wire: Tripwire;

  constructor(wire: Tripwire) {
    super();
    this.#wire = wire;
  }

  override async put(config: RunnableConfig, checkpoint: Checkpoint, metadata: CheckpointMetadata): Promise<RunnableConfig> {
    this.#wire.observe("checkpointer:put", { config, checkpoint, metadata });
    return super.put(config, checkpoint, metadata);
  }

  override async putWrites(config: RunnableConfig, writes: PendingWrite[], taskId: string, taskPath?: string): Promise<void> {
    this.#wire.observe("checkpointer:putWrites", { config, writes, taskId, taskPath });
    return super.putWrites(config, writes, taskId, taskPath);
  }
}

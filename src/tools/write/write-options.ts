import type { WriteApprovalRequest } from "./write-approval-request.js";

/** Default time an approval request stays valid: 10 minutes. */
export const DEFAULT_APPROVAL_TTL_MS = 10 * 60 * 1000;
/** Default and largest number of records (create) or ids (update/delete) in one write call. */
export const MAX_WRITE_RECORDS = 100;
const DEFAULT_WRITE_RECORDS = 50;
const MIN_KEY_BYTES = 32;

/**
 * How a write is approved.
 *
 * - `"interrupt"` (default): the tool pauses the LangGraph graph with `interrupt(request)`; the app shows the
 *   request (with its preview) to the user and resumes with `new Command({ resume: { approved: true, digest } })`.
 *   Needs a graph with a checkpointer (`createAgent({ checkpointer })`, `StateGraph.compile({ checkpointer })`).
 * - `"middleware"`: the tool does not ask; approval is left to langchain's `humanInTheLoopMiddleware`, configured
 *   with {@link writeApprovalInterruptOn} for these tools. Use it only together with that middleware: in this mode
 *   the tool cannot tell whether anyone approved.
 */
export type WriteApprovalMode = "interrupt" | "middleware";

/**
 * An app's own approval step (replaces the interrupt; needs no checkpointer). Return `true` to write.
 * Throwing aborts the tool call (nothing is written).
 */
export type WriteApprover = (request: WriteApprovalRequest) => boolean | Promise<boolean>;

/** Options of the write tools (`DreamFactoryToolkit({ allowWrites: true, writes: { … } })`). */
export interface DreamFactoryWriteOptions {
  /** How writes are approved; ignored when `approve` is given. @default "interrupt" */
  approval?: WriteApprovalMode;
  /** Approval callback for apps without a checkpointer; replaces the interrupt. */
  approve?: WriteApprover;
  /** How long an approval request stays valid, in ms (1 s – 24 h). @default 600000 (10 min) */
  approvalTtlMs?: number;
  /**
   * HMAC key of approval digests (at least 32 bytes). Give the same key to every process that may resume a thread
   * (several workers, restarts); keep it secret. @default 32 random bytes per toolkit
   */
  approvalKey?: string | Uint8Array;
  /** Most records (create) or ids (update/delete) per call, 1–100; also bounded by `maxRecords`. @default 50 */
  maxRecords?: number;
  /** Clock in ms (tests). @default Date.now */
  now?: () => number;
}

/** Validated write options (no secret is exposed by this object's JSON: the key is kept out of it). */
export interface WriteSettings {
  readonly mode: "interrupt" | "middleware" | "callback";
  readonly approve: WriteApprover | undefined;
  readonly ttlMs: number;
  readonly key: Uint8Array | undefined;
  readonly maxRecords: number;
  readonly now: () => number;
}

/**
 * Validates {@link DreamFactoryWriteOptions}.
 * @param options - the app's options (or undefined)
 * @param owner - class name for TypeError messages
 * @throws TypeError naming the bad option
 */
export function writeSettings(options: DreamFactoryWriteOptions | undefined, owner: string): WriteSettings {
  if (options !== undefined && (typeof options !== "object" || options === null)) {
    throw new TypeError(`${owner}: option writes must be an object`);
  }
  const o = options ?? {};
  if (o.approval !== undefined && o.approval !== "interrupt" && o.approval !== "middleware") {
    throw new TypeError(`${owner}: option writes.approval must be "interrupt" or "middleware"`);
  }
  if (o.approve !== undefined && typeof o.approve !== "function") {
    throw new TypeError(`${owner}: option writes.approve must be a function (request) => boolean | Promise<boolean>`);
  }
  if (o.approve !== undefined && o.approval === "middleware") {
    throw new TypeError(`${owner}: give writes.approve or writes.approval "middleware", not both`);
  }
  const ttlMs = o.approvalTtlMs ?? DEFAULT_APPROVAL_TTL_MS;
  if (typeof ttlMs !== "number" || !Number.isInteger(ttlMs) || ttlMs < 1000 || ttlMs > 86_400_000) {
    throw new TypeError(`${owner}: option writes.approvalTtlMs must be an integer from 1000 to 86400000`);
  }
  const maxRecords = o.maxRecords ?? DEFAULT_WRITE_RECORDS;
  if (typeof maxRecords !== "number" || !Number.isInteger(maxRecords) || maxRecords < 1 || maxRecords > MAX_WRITE_RECORDS) {
    throw new TypeError(`${owner}: option writes.maxRecords must be an integer from 1 to ${MAX_WRITE_RECORDS}`);
  }
  if (o.now !== undefined && typeof o.now !== "function") {
    throw new TypeError(`${owner}: option writes.now must be a function returning milliseconds`);
  }
  let key: Uint8Array | undefined;
  if (o.approvalKey !== undefined) {
    key = typeof o.approvalKey === "string" ? new TextEncoder().encode(o.approvalKey) : o.approvalKey;
    if (!(key instanceof Uint8Array) || key.byteLength < MIN_KEY_BYTES) {
      throw new TypeError(`${owner}: option writes.approvalKey must be a string or Uint8Array of at least ${MIN_KEY_BYTES} bytes`);
    }
    key = Uint8Array.from(key);
  }
  return Object.freeze({
    mode: o.approve !== undefined ? "callback" : (o.approval ?? "interrupt"),
    approve: o.approve,
    ttlMs,
    key,
    maxRecords,
    now: o.now ?? Date.now,
  });
}

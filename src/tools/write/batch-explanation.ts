import { decodeHtmlEntities } from "../../client/html-entities.js";
import type { DreamFactoryError } from "../../errors/dreamfactory-error.js";
import { modelSafeText } from "../model-text.js";
import type { WriteId } from "./write-approval-request.js";

/** DreamFactory's message for a record outside the user's row filters (reference §5.5, §7.4). */
export const DENIED_FIELDS_MESSAGE = "Denied access to some of the requested fields.";

/** One record DreamFactory refused. */
export interface RecordProblem {
  /** Position in the call's `records` / `ids`. */
  index: number;
  /** The id, for update/delete. */
  id?: WriteId;
  /** HTTP status of this record's failure, when given. */
  status?: number;
  /** DreamFactory's message for this record (decoded, made safe for the model). */
  problem: string;
}

/** A DreamFactory batch error (code 1000), explained per record. */
export interface BatchExplanation {
  problems: RecordProblem[];
  /** Records processed successfully before the failure (undone when rolled back). */
  succeeded: number[];
  /** Records DreamFactory never got to (it stops at the first failure with rollback). */
  notAttempted: number[];
  /** Whether DreamFactory said all changes were rolled back. */
  rolledBack: boolean;
  /** A record was refused by the user's row filters / role (403). */
  denied: boolean;
  /** A record was not found or not visible (404). */
  notFound: boolean;
}

/**
 * Reads DreamFactory's batch error: `error.context = { error: [failed indexes], resource: [one entry per processed
 * record: the record's output, or an error object {code, message, status_code}] }` (reference §2.2.5).
 *
 * @param error - a `batch_error` (or a 400/403/404 for the whole request)
 * @param count - number of records / ids sent
 * @param ids - the ids sent (update/delete), to name records by id
 */
export function explainBatchError(error: DreamFactoryError, count: number, ids?: readonly WriteId[]): BatchExplanation {
  const context = error.dreamfactory?.context;
  const failed = new Set<number>();
  let resource: unknown[] = [];
  if (typeof context === "object" && context !== null) {
    const list = (context as { error?: unknown }).error;
    const entries = (context as { resource?: unknown }).resource;
    if (Array.isArray(list)) for (const i of list) if (typeof i === "number" && Number.isInteger(i)) failed.add(i);
    if (Array.isArray(entries)) resource = entries;
  }
  const problems: RecordProblem[] = [];
  const succeeded: number[] = [];
  resource.forEach((entry, index) => {
    const item = errorItem(entry);
    if (failed.has(index) || item !== undefined) {
      const id = ids?.[index];
      problems.push({
        index,
        ...(id === undefined ? {} : { id }),
        ...(item?.status === undefined ? {} : { status: item.status }),
        problem: item?.message ?? "refused",
      });
    } else {
      succeeded.push(index);
    }
  });
  for (const index of failed) {
    if (index >= resource.length) {
      const id = ids?.[index];
      problems.push({ index, ...(id === undefined ? {} : { id }), problem: "refused" });
    }
  }
  if (problems.length === 0) {
    // Not a per-record answer: the whole request was refused.
    problems.push({ index: 0, ...(error.status === undefined ? {} : { status: error.status }), problem: topMessage(error) });
  }
  const processed = Math.max(resource.length, ...[...failed].map((i) => i + 1));
  const notAttempted: number[] = [];
  for (let i = processed; i < count; i++) notAttempted.push(i);
  const message = error.dreamfactory?.message ?? "";
  return {
    problems: problems.sort((a, b) => a.index - b.index),
    succeeded,
    notAttempted,
    rolledBack: /All changes rolled back/i.test(message),
    denied: problems.some((p) => p.status === 403 || p.problem.startsWith(DENIED_FIELDS_MESSAGE)) || error.code === "forbidden",
    notFound: problems.some((p) => p.status === 404) || error.code === "not_found",
  };
}

function errorItem(entry: unknown): { status?: number; message: string } | undefined {
  if (typeof entry !== "object" || entry === null) return undefined;
  const e = entry as Record<string, unknown>;
  const looksLikeError = "status_code" in e || ("message" in e && "code" in e && Object.keys(e).length <= 4);
  if (!looksLikeError) return undefined;
  const status = typeof e.status_code === "number" ? e.status_code : typeof e.code === "number" && e.code >= 400 && e.code < 600 ? e.code : undefined;
  const message = typeof e.message === "string" ? modelSafeText(decodeHtmlEntities(e.message)) : "refused";
  return { ...(status === undefined ? {} : { status }), message: message === "" ? "refused" : message };
}

function topMessage(error: DreamFactoryError): string {
  const text = modelSafeText(error.dreamfactory?.message);
  return text === "" ? "refused" : text;
}

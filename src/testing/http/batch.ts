import type { Queryable } from "../db/types.js";
import { SandboxHttpError } from "../errors.js";
import { batchItemError } from "./error-envelope.js";

/** DreamFactory's batch error code (ErrorCodes::BATCH_ERROR). */
export const BATCH_ERROR_CODE = 1000;

/** How a batch handles failures (reference §2.2.5). */
export interface BatchMode {
  /** Process every record, then fail if any failed (successes stay committed). */
  continue: boolean;
  /** Stop at the first failure and roll everything back. */
  rollback: boolean;
}

/** The word of the batch message: "Not all requested records could be {created|updated|deleted|retrieved}." */
export type BatchAction = "created" | "updated" | "deleted" | "retrieved";

/** Result of a batch: every record's output, or an error to answer after the successes are committed. */
export interface BatchResult {
  resource: unknown[];
  /** Answered after COMMIT (default and `continue` modes keep the successful writes). */
  deferredError: SandboxHttpError | null;
}

/** 400 "Batch Error: …" with code 1000 and `context: { error: [indexes], resource: [...] }`. */
export function batchError(action: BatchAction, failed: number[], resource: unknown[], rolledBack: boolean): SandboxHttpError {
  const message = `Batch Error: Not all requested records could be ${action}.${rolledBack ? " All changes rolled back." : ""}`;
  return new SandboxHttpError(400, message, BATCH_ERROR_CODE, { error: failed, resource });
}

/** Checks DreamFactory's rule that `continue` and `rollback` exclude each other. */
export function assertBatchMode(mode: BatchMode): void {
  if (mode.continue && mode.rollback) {
    throw new SandboxHttpError(400, "Rollback and continue operations can not be requested at the same time.");
  }
}

/**
 * Runs `op` per item with DreamFactory's batch semantics inside the request's transaction. Each item runs in a
 * savepoint, so a failed item leaves earlier ones intact. Default: stop at the first failure; `continue`:
 * process all; either way the error is returned (deferred) so that the successes commit. `rollback`: the first
 * failure throws, and the whole transaction rolls back.
 * @throws SandboxHttpError (rollback mode) or anything that is not a SandboxHttpError (a bug or lost connection).
 */
export async function runBatch<T>(
  q: Queryable,
  items: readonly T[],
  mode: BatchMode,
  action: BatchAction,
  op: (item: T, index: number) => Promise<unknown>,
): Promise<BatchResult> {
  const resource: unknown[] = [];
  const failed: number[] = [];
  for (let i = 0; i < items.length; i++) {
    await q.query(`SAVEPOINT dfsb_batch_item`);
    try {
      resource.push(await op(items[i] as T, i));
      await q.query(`RELEASE SAVEPOINT dfsb_batch_item`);
    } catch (err) {
      if (!(err instanceof SandboxHttpError)) throw err;
      await q.query(`ROLLBACK TO SAVEPOINT dfsb_batch_item`);
      failed.push(i);
      resource.push(batchItemError(err));
      if (mode.rollback) throw batchError(action, failed, resource, true);
      if (!mode.continue) break;
    }
  }
  return { resource, deferredError: failed.length === 0 ? null : batchError(action, failed, resource, false) };
}

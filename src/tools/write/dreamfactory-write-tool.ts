import { randomUUID } from "node:crypto";
import type { RunnableConfig } from "@langchain/core/runnables";
import type { z } from "zod";
import type { DreamFactoryMethod } from "../../client/dreamfactory-request.js";
import { isDreamFactoryError } from "../../errors/dreamfactory-error.js";
import { DreamFactoryTool, type DreamFactoryToolResult, type ToolRun } from "../dreamfactory-tool.js";
import { modelJson } from "../model-text.js";
import type { DreamFactoryToolOptions } from "../tool-options.js";
import type { DreamFactoryReceipt } from "../tool-receipt.js";
import { ApprovalSigner, type ApprovalSubject } from "./approval-digest.js";
import { approvalText } from "./approval-text.js";
import { explainBatchError } from "./batch-explanation.js";
import { checkColumns, loadTableColumns, type TableColumns } from "./table-columns.js";
import { obtainApproval, type ApprovalOutcome } from "./write-approval.js";
import type { WriteAction, WriteApprovalRequest, WriteId, WritePreview, WriteRecord } from "./write-approval-request.js";
import { writeSettings, type DreamFactoryWriteOptions, type WriteSettings } from "./write-options.js";
import { previewCreate, previewRows, type ComputedPreview } from "./write-preview.js";
import type { DreamFactoryWriteReceipt, WriteEffect, WriteOutcome } from "./write-receipt.js";
import { batchRefusedContent, cancelledContent, unknownOutcomeContent } from "./write-results.js";

/** Options of a write tool: the read tools' options plus the write options. */
export interface DreamFactoryWriteToolOptions extends DreamFactoryToolOptions {
  /** Approval mode or callback, approval TTL and key, record bound, clock. */
  writes?: DreamFactoryWriteOptions;
}

/** What one write call will do, after validation. */
export interface WritePlan {
  action: WriteAction;
  table: string;
  ids?: WriteId[];
  records?: WriteRecord[];
  changes?: WriteRecord;
}

/** Settings and digest key shared by the write tools of one toolkit. @internal */
export interface WriteToolShared {
  settings: WriteSettings;
  signer: ApprovalSigner;
}

/** The HTTP request that performs a write. */
export interface WriteHttpRequest {
  method: DreamFactoryMethod;
  query: Record<string, string | number | boolean>;
  body?: unknown;
}

/** Refusals a description reports; anything else (credential, network, server) is thrown. */
const DESCRIBED_REFUSALS = new Set<string>(["invalid_input", "scope_denied", "forbidden", "not_found", "bad_request"]);

interface Prepared {
  columns: TableColumns;
  request: WriteApprovalRequest | undefined;
  subject: ApprovalSubject;
}

/**
 * Base of the create / update / delete tools. One call: validate (allowlist, names, values, bounds) → read the
 * table's columns → preview with the user's own token → approval (interrupt, callback or upstream middleware) →
 * one write with `rollback=true` (all or nothing), never repeated → a result for the model and a
 * {@link DreamFactoryWriteReceipt}.
 *
 * Holds no per-user state; one instance serves every user.
 */
export abstract class DreamFactoryWriteTool<S extends z.ZodObject> extends DreamFactoryTool<S> {
  readonly #shared: WriteToolShared;

  /** The kind of write this tool does. */
  abstract readonly action: WriteAction;

  /**
   * @param options - the read tools' options plus `writes` (approval, TTL, key, bounds, clock)
   * @param shared - internal: settings and signer shared by a toolkit's write tools
   * @throws TypeError naming a bad option
   */
  constructor(options: DreamFactoryWriteToolOptions, shared?: WriteToolShared) {
    super(options);
    if (shared !== undefined) {
      this.#shared = shared;
    } else {
      const settings = writeSettings(options.writes, new.target.name);
      this.#shared = { settings, signer: new ApprovalSigner(settings.key) };
    }
  }

  /** Most records or ids per call (the write bound and the toolkit's row cap). */
  protected get maxItems(): number {
    return Math.min(this.#shared.settings.maxRecords, this.context.maxRecords);
  }

  /** Validates the model's input into a plan. Throw DreamFactoryError `invalid_input` for bad input. */
  protected abstract plan(input: z.output<S>, table: string): WritePlan;

  /** The write request for a validated plan. */
  protected abstract writeRequest(plan: WritePlan): WriteHttpRequest;

  /**
   * The approval request this call would produce for the user of `config` (preview computed with that user's
   * token), as text for an approver. Used by {@link writeApprovalInterruptOn} to describe a call in langchain's
   * human-in-the-loop middleware. Invalid input, the allowlist and a refused or missing table are described, not
   * thrown (the tool refuses the call the same way when it runs).
   *
   * @param args - the tool call's arguments
   * @param config - a config carrying the user's credential (`configurable.dreamfactory` / `context.dreamfactory`)
   * @throws DreamFactoryError for credential problems (fail closed) and network/server errors
   */
  async describeForApproval(args: unknown, config: RunnableConfig): Promise<string> {
    const credential = this.context.client.credentialFrom(config);
    const run = this.startRun(credential, randomUUID(), config.signal, "write");
    try {
      const input = (await this.schema.parseAsync(args)) as z.output<S>;
      const table = this.checkTable((input as { table: string }).table, run);
      const plan = this.plan(input, table);
      const prepared = await this.#prepare(plan, run, true);
      if (prepared.request === undefined) throw new Error("no approval request");
      return approvalText(prepared.request);
    } catch (e) {
      if (isDreamFactoryError(e) && DESCRIBED_REFUSALS.has(e.code)) {
        return `${this.name}: this call will be refused (${e.code}): ${e.message}`;
      }
      if (!isDreamFactoryError(e) && e instanceof Error && e.name === "ZodError") {
        return `${this.name}: this call will be refused: its arguments do not match the tool's schema.`;
      }
      throw e;
    }
  }

  /** @ignore */
  protected async execute(input: z.output<S>, run: ToolRun): Promise<DreamFactoryToolResult> {
    const receipt = writeReceiptOf(run);
    Object.assign(receipt, { action: this.action, affectedIds: [], effect: "not_sent" satisfies WriteEffect });
    const table = this.checkTable((input as { table: string }).table, run);
    run.action = actionText(this.action, table);
    const plan = this.plan(input, table);
    if (plan.ids !== undefined) receipt.ids = plan.ids;
    if (plan.records !== undefined) receipt.records = plan.records.length;

    const prepared = await this.#prepare(plan, run, false);
    const preview = prepared.request?.preview;
    if (preview !== undefined && plan.action !== "create") {
      receipt.preview = { count: preview.count, ...(preview.notVisible === undefined ? {} : { notVisible: preview.notVisible }) };
    }
    const outcome = await this.#approve(prepared);
    receipt.approval = outcome.info;
    if (!outcome.approved) {
      setOutcome(receipt, "cancelled", "approval_rejected");
      return [modelJson(cancelledContent(plan, outcome, this.#shared.settings.ttlMs)), run.receipt];
    }

    let data: unknown;
    try {
      data = (await this.send(run, { ...this.writeRequest(plan), path: this.tablePath("_table", table), retry: "never" })).data;
    } catch (e) {
      return this.#writeFailed(e, run, plan, prepared.columns);
    }
    const affected = affectedIds(data, prepared.columns.primaryKey);
    Object.assign(receipt, { affectedIds: affected, count: affected.length, effect: "applied" satisfies WriteEffect });
    setOutcome(receipt, "ok");
    return [modelJson(successContent(plan, affected)), run.receipt];
  }

  async #prepare(plan: WritePlan, run: ToolRun, forDescription: boolean): Promise<Prepared> {
    const { settings, signer } = this.#shared;
    const columns = await loadTableColumns(async () => (await this.send(run, { method: "GET", path: this.tablePath("_schema", plan.table) })).data);
    if (plan.records !== undefined) checkColumns(plan.records, columns, plan.table, false);
    if (plan.changes !== undefined) checkColumns([plan.changes], columns, plan.table, true);

    const subject: ApprovalSubject = {
      action: plan.action,
      service: this.context.service,
      table: plan.table,
      ...(plan.ids === undefined ? {} : { ids: plan.ids }),
      ...(plan.records === undefined ? {} : { records: plan.records }),
      ...(plan.changes === undefined ? {} : { changes: plan.changes }),
      userId: run.credential.userId,
      fingerprint: run.credential.fingerprint,
    };
    if (settings.mode === "middleware" && !forDescription) return { columns, request: undefined, subject };

    let computed: ComputedPreview;
    if (plan.action === "create") {
      computed = previewCreate(plan.table, plan.records ?? []);
    } else {
      const read = async (query: Record<string, string | number | boolean>) =>
        (await this.send(run, { method: "GET", path: this.tablePath("_table", plan.table), query })).data;
      computed = await previewRows(read, plan.action, plan.table, columns.primaryKey, plan.ids ?? [], plan.changes);
    }
    if (computed.hash !== undefined) subject.previewHash = computed.hash;
    const expiresAt = settings.now() + settings.ttlMs;
    const preview: WritePreview = computed.preview;
    const request: WriteApprovalRequest = {
      type: "dreamfactory_write_approval",
      tool: this.name,
      action: plan.action,
      service: this.context.service,
      table: plan.table,
      ...(plan.ids === undefined ? {} : { ids: plan.ids }),
      ...(plan.records === undefined ? {} : { records: plan.records }),
      ...(plan.changes === undefined ? {} : { changes: plan.changes }),
      preview,
      actedAs: { ...run.receipt.actedAs },
      digest: signer.sign(subject, expiresAt),
      expiresAt: new Date(expiresAt).toISOString(),
    };
    return { columns, request, subject };
  }

  async #approve(prepared: Prepared): Promise<ApprovalOutcome> {
    const { settings, signer } = this.#shared;
    if (prepared.request === undefined) {
      return { approved: true, info: { mode: "middleware", decision: "approved", approvedAt: new Date(settings.now()).toISOString() } };
    }
    return obtainApproval(settings, signer, prepared.request, prepared.subject, this.name);
  }

  /** Maps a failed write request: refused (batch / 403 / 404 / 400) or unknown outcome; anything else is thrown. */
  async #writeFailed(e: unknown, run: ToolRun, plan: WritePlan, columns: TableColumns): Promise<DreamFactoryToolResult> {
    if (!isDreamFactoryError(e)) throw e;
    const receipt = writeReceiptOf(run);
    switch (e.code) {
      case "write_outcome_unknown":
      case "timeout":
        receipt.effect = "unknown";
        setOutcome(receipt, "unknown", "write_outcome_unknown");
        return [modelJson(unknownOutcomeContent(plan, columns.primaryKey)), run.receipt];
      case "batch_error":
      case "bad_request":
      case "forbidden":
      case "not_found": {
        const count = plan.records?.length ?? plan.ids?.length ?? 1;
        const explanation = explainBatchError(e, count, plan.ids);
        receipt.effect = "refused";
        const hint = !explanation.denied && !explanation.notFound && columns.names !== undefined
          ? `Columns of ${plan.table}: ${columns.names.slice(0, 60).join(", ")}.`
          : undefined;
        setOutcome(
          receipt,
          explanation.denied ? "denied" : explanation.notFound ? "not_found" : "invalid_input",
          explanation.denied ? "forbidden" : explanation.notFound ? "not_found" : e.code,
        );
        return [modelJson(batchRefusedContent(plan, explanation, run.action, hint)), run.receipt];
      }
      default:
        throw e;
    }
  }
}

/** The run's receipt, seen as a write receipt (the same object). */
function writeReceiptOf(run: ToolRun): DreamFactoryWriteReceipt {
  return run.receipt as unknown as DreamFactoryWriteReceipt;
}

function setOutcome(receipt: DreamFactoryWriteReceipt, outcome: WriteOutcome, errorCode?: DreamFactoryReceipt["errorCode"]): void {
  receipt.outcome = outcome;
  if (errorCode === undefined) delete receipt.errorCode;
  else receipt.errorCode = errorCode;
  if (outcome !== "ok") receipt.count = 0;
}

function actionText(action: WriteAction, table: string): string {
  switch (action) {
    case "create":
      return `create rows in table "${table}"`;
    case "update":
      return `change rows of table "${table}"`;
    case "delete":
      return `delete rows of table "${table}"`;
  }
}

function affectedIds(data: unknown, primaryKey: string): WriteId[] {
  const resource = Array.isArray(data) ? data : (data as { resource?: unknown } | null)?.resource;
  if (!Array.isArray(resource)) return [];
  const ids: WriteId[] = [];
  for (const entry of resource) {
    const value = typeof entry === "object" && entry !== null ? (entry as Record<string, unknown>)[primaryKey] : undefined;
    if (typeof value === "number" || typeof value === "string") ids.push(value);
  }
  return ids;
}

function successContent(plan: WritePlan, affected: WriteId[]): Record<string, unknown> {
  const word = plan.action === "create" ? "created" : plan.action === "update" ? "updated" : "deleted";
  return {
    action: plan.action,
    table: plan.table,
    [word]: affected.length,
    ids: affected,
    message: `${word[0]?.toUpperCase()}${word.slice(1)} ${affected.length} row(s) of ${plan.table} as the signed-in user, after approval.`,
  };
}

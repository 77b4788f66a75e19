import { modelSafeText } from "../model-text.js";
import type { BatchExplanation } from "./batch-explanation.js";
import type { WritePlan } from "./dreamfactory-write-tool.js";
import type { ApprovalOutcome } from "./write-approval.js";

/**
 * Model-facing results of write calls that did not apply: not approved, refused by DreamFactory, outcome unknown.
 * Each says what happened to the data and the one thing to do next.
 */

function what(plan: WritePlan): string {
  switch (plan.action) {
    case "create":
      return `the creation of ${plan.records?.length ?? 0} row(s) in ${plan.table}`;
    case "update":
      return `the update of ${plan.ids?.length ?? 0} row(s) of ${plan.table}`;
    case "delete":
      return `the deletion of ${plan.ids?.length ?? 0} row(s) of ${plan.table}`;
  }
}

/**
 * The result when the approval did not go through.
 * @param plan - the write
 * @param outcome - the approval outcome
 * @param ttlMs - approval lifetime, for the expiry message
 */
export function cancelledContent(plan: WritePlan, outcome: ApprovalOutcome, ttlMs: number): Record<string, unknown> {
  const subject = what(plan);
  let message: string;
  switch (outcome.info.decision) {
    case "declined":
      message =
        `The user did not approve ${subject}; nothing was changed. ` +
        "Do not try again unless the user asks for it again; tell the user it was not done.";
      break;
    case "expired":
      message =
        `The approval of ${subject} expired (approvals are valid for ${Math.round(ttlMs / 60000) || 1} min); nothing was changed. ` +
        "If the user still wants it, call the tool again to ask for a fresh approval.";
      break;
    case "mismatch":
      message =
        `The approval given does not match ${subject} (the arguments, the signed-in user or the rows changed since approval ` +
        "was asked for); nothing was changed. If the user still wants it, call the tool again to ask for a fresh approval.";
      break;
    default:
      message = `No valid approval was given for ${subject}; nothing was changed. Tell the user it was not done.`;
  }
  const reason = modelSafeText(outcome.reason);
  return { error: "approval_rejected", message, ...(reason === "" ? {} : { reason }) };
}

/**
 * The result when DreamFactory refused the write (a batch error with per-record details, or a 403/404/400).
 * @param plan - the write
 * @param x - the explained error
 * @param action - what was tried, e.g. `change rows of table "orders"`
 * @param hint - real column names, for fixable problems
 */
export function batchRefusedContent(plan: WritePlan, x: BatchExplanation, action: string, hint: string | undefined): Record<string, unknown> {
  const unit = plan.action === "create" ? "record" : "id";
  const records = x.problems.map((p) => ({
    [unit === "record" ? "record" : "index"]: p.index,
    ...(p.id === undefined ? {} : { id: p.id }),
    problem: explainProblem(p.problem, p.status),
  }));
  const nothing = x.rolledBack || (x.succeeded.length === 0 && x.problems.length > 0)
    ? "Nothing was changed: the write is all-or-nothing and was rolled back" +
      (x.succeeded.length > 0 ? ` (including the ${x.succeeded.length} ${unit}(s) that had been accepted)` : "") + "."
    : "DreamFactory did not confirm a rollback; check the rows with dreamfactory_get_records before doing anything else.";
  const skipped = x.notAttempted.length > 0 ? ` DreamFactory stopped at the first failure; ${x.notAttempted.length} ${unit}(s) were not checked.` : "";
  if (x.denied) {
    return {
      error: "not_permitted",
      message:
        `You are not permitted to ${action} this way: DreamFactory refused it for the signed-in user ` +
        `(e.g. a value or row outside what this user may write). ${nothing} ` +
        "Access is decided for the signed-in user and will not change on retry: do not retry or look for another way; tell the user it is not permitted.",
      records,
    };
  }
  if (x.notFound) {
    return {
      error: "not_found",
      message:
        `Some rows do not exist or are not visible to the signed-in user. ${nothing}${skipped} ` +
        "Do not retry with the same ids; the user can only change rows they can see (find them with dreamfactory_query_records).",
      records,
    };
  }
  return {
    error: "write_rejected",
    message:
      `DreamFactory rejected ${what(plan)}. ${nothing}${skipped} ` +
      "Fix the listed problems and call again with the whole corrected request (or ask the user for the missing values).",
    records,
    ...(hint === undefined ? {} : { hint }),
  };
}

function explainProblem(problem: string, status: number | undefined): string {
  if (status === 404 || /^Record with identifier/i.test(problem)) return `${problem} (not found, or not visible to this user)`;
  if (status === 403) return `${problem} (not permitted for this user)`;
  return problem;
}

/**
 * The result when the write was sent but no answer came back (timeout, lost connection): it was not repeated.
 * @param plan - the write
 * @param primaryKey - id column, for the check hint of a create
 */
export function unknownOutcomeContent(plan: WritePlan, primaryKey: string): Record<string, unknown> {
  const check =
    plan.action === "create"
      ? { tool: "dreamfactory_query_records", args: { table: plan.table, where: createCheck(plan), limit: 10 } }
      : { tool: "dreamfactory_get_records", args: { table: plan.table, ids: plan.ids ?? [] } };
  return {
    error: "outcome_unknown",
    message:
      `${capital(what(plan))} was sent, but no answer came back (timed out or the connection was lost), so it may or may not ` +
      "have been applied. It was NOT repeated automatically. Before anything else, check the current rows with the call in " +
      "`check`, tell the user what you found, and only if the change is missing and the user still wants it, call the write again.",
    check,
    ...(plan.action === "create" ? { note: `New rows get new ${primaryKey} values; look for rows matching the record you sent.` } : {}),
  };
}

function createCheck(plan: WritePlan): Array<{ field: string; op: "="; value: string | number }> {
  const first = plan.records?.[0] ?? {};
  const out: Array<{ field: string; op: "="; value: string | number }> = [];
  for (const [field, value] of Object.entries(first)) {
    if (out.length >= 3) break;
    if (typeof value === "number" || (typeof value === "string" && value.length <= 200 && !/['\n\r]/.test(value))) {
      out.push({ field, op: "=", value });
    }
  }
  return out;
}

function capital(text: string): string {
  return `${text[0]?.toUpperCase() ?? ""}${text.slice(1)}`;
}

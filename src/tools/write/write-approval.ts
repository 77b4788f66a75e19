import { interrupt, isGraphInterrupt } from "@langchain/langgraph";
import type { ApprovalSigner, ApprovalSubject } from "./approval-digest.js";
import type { WriteApprovalDecision, WriteApprovalRequest } from "./write-approval-request.js";
import type { WriteSettings } from "./write-options.js";

/** How an approval ended, as recorded in the receipt. */
export type ApprovalDecisionKind = "approved" | "declined" | "mismatch" | "expired" | "malformed";

/** Approval details in a write receipt (non-secret: no token, no row data). */
export interface WriteApprovalInfo {
  /** Who decided: a LangGraph interrupt, the app's `approve` callback, or langchain's HITL middleware (not seen by the tool). */
  mode: "interrupt" | "callback" | "middleware";
  decision: ApprovalDecisionKind;
  /** Digest of the request (absent in middleware mode). */
  digest?: string;
  /** When the request expires(d), ISO-8601. */
  expiresAt?: string;
  /** When the tool accepted the approval, ISO-8601. */
  approvedAt?: string;
}

/** Outcome of {@link obtainApproval}. */
export interface ApprovalOutcome {
  approved: boolean;
  info: WriteApprovalInfo;
  /** The approver's note when declining (plain text from the app). */
  reason?: string;
}

/**
 * Gets the approval for one write request.
 *
 * - callback: `approve(request)`; `true` approves (if it answers before the request expires).
 * - interrupt: `interrupt(request)` pauses the graph; on resume (the tool runs again from the start and recomputes
 *   the request) the resume value must be `{ approved: true, digest }` with a digest that verifies against the
 *   recomputed subject — same arguments, user, token and preview — and has not expired. Anything else cancels.
 * - middleware: approved upstream by langchain's `humanInTheLoopMiddleware` (the tool does not ask).
 *
 * @param settings - validated write options
 * @param signer - the toolkit's digest signer
 * @param request - the request (with digest and expiry) shown to the approver
 * @param subject - what the digest binds, recomputed for this run
 * @param toolName - for the error message when no graph is running
 * @throws GraphInterrupt (pauses the graph); Error when interrupt mode runs outside a graph with a checkpointer
 */
export async function obtainApproval(
  settings: WriteSettings,
  signer: ApprovalSigner,
  request: WriteApprovalRequest,
  subject: ApprovalSubject,
  toolName: string,
): Promise<ApprovalOutcome> {
  if (settings.mode === "middleware") {
    return { approved: true, info: { mode: "middleware", decision: "approved", approvedAt: new Date(settings.now()).toISOString() } };
  }
  const base = { digest: request.digest, expiresAt: request.expiresAt };
  if (settings.mode === "callback") {
    const approve = settings.approve;
    if (approve === undefined) throw new Error(`${toolName}: no approve callback`);
    const answer = await approve(structuredClone(request));
    if (answer !== true) return { approved: false, info: { mode: "callback", decision: "declined", ...base } };
    const now = settings.now();
    if (now > Date.parse(request.expiresAt)) return { approved: false, info: { mode: "callback", decision: "expired", ...base } };
    return { approved: true, info: { mode: "callback", decision: "approved", ...base, approvedAt: new Date(now).toISOString() } };
  }

  const resume = askByInterrupt(request, toolName);
  const decision = parseDecision(resume);
  if (decision === undefined) return { approved: false, info: { mode: "interrupt", decision: "malformed", ...base } };
  if (!decision.approved) {
    return {
      approved: false,
      info: { mode: "interrupt", decision: "declined", ...base },
      ...(decision.reason === undefined ? {} : { reason: decision.reason }),
    };
  }
  const now = settings.now();
  const check = signer.verify(decision.digest, subject, now);
  if (!check.ok) {
    return {
      approved: false,
      info: {
        mode: "interrupt",
        decision: check.reason,
        ...(typeof decision.digest === "string" && check.reason !== "malformed" ? { digest: decision.digest } : {}),
        ...(check.expiresAt === undefined ? {} : { expiresAt: new Date(check.expiresAt).toISOString() }),
      },
    };
  }
  return {
    approved: true,
    info: { mode: "interrupt", decision: "approved", digest: decision.digest as string, expiresAt: new Date(check.expiresAt).toISOString(), approvedAt: new Date(now).toISOString() },
  };
}

function askByInterrupt(request: WriteApprovalRequest, toolName: string): unknown {
  try {
    return interrupt<WriteApprovalRequest, unknown>(request);
  } catch (e) {
    if (isGraphInterrupt(e)) throw e;
    throw new Error(
      `${toolName} needs an approval: run it inside a LangGraph graph compiled with a checkpointer ` +
        "(e.g. createAgent({ …, checkpointer: new MemorySaver() })), or give the toolkit writes.approve.",
      { cause: e },
    );
  }
}

function parseDecision(value: unknown): WriteApprovalDecision | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const { approved, digest, reason } = value as Record<string, unknown>;
  if (typeof approved !== "boolean") return undefined;
  return {
    approved,
    ...(typeof digest === "string" ? { digest } : {}),
    ...(typeof reason === "string" ? { reason: reason.slice(0, 500) } : {}),
  };
}

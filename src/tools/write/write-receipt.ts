import type { DreamFactoryReceipt, ToolOutcome } from "../tool-receipt.js";
import type { WriteApprovalInfo } from "./write-approval.js";
import type { WriteAction, WriteId } from "./write-approval-request.js";

/**
 * How a write call ended: the read tools' outcomes plus `"cancelled"` (not approved: declined, expired, or the
 * approval did not match) and `"unknown"` (sent, but no answer: it may or may not have been applied).
 */
export type WriteOutcome = ToolOutcome | "cancelled" | "unknown";

/** What happened to the data. */
export type WriteEffect =
  /** DreamFactory applied the write. */
  | "applied"
  /** Nothing was sent (invalid input, not approved, or refused before the write). */
  | "not_sent"
  /** DreamFactory refused the write; with rollback nothing changed. */
  | "refused"
  /** No answer came back: it may or may not have been applied. */
  | "unknown";

/**
 * The artifact of a write tool result (`ToolMessage.artifact`): who it ran as, what it tried, what the approver
 * decided and what DreamFactory did. Non-secret: no token, no API key, no row values.
 */
export interface DreamFactoryWriteReceipt extends Omit<DreamFactoryReceipt, "outcome"> {
  action: WriteAction;
  /** Ids addressed (update/delete). */
  ids?: WriteId[];
  /** Number of records sent (create). */
  records?: number;
  /** Ids DreamFactory reports as created / updated / deleted. */
  affectedIds: WriteId[];
  /** Approval details, once the request got that far. */
  approval?: WriteApprovalInfo;
  /** Rows the user could see in the preview (update/delete) and the ids that were not visible. */
  preview?: { count: number; notVisible?: WriteId[] };
  effect: WriteEffect;
  outcome: WriteOutcome;
}

import type { ActedAs } from "../../client/dreamfactory-request.js";

/** The three kinds of write. */
export type WriteAction = "create" | "update" | "delete";

/** A field value a write may carry: text, number, boolean or null (no objects: DreamFactory reads `{"expression":…}` as SQL). */
export type WriteValue = string | number | boolean | null;

/** One record or a set of changes: column name → value. */
export type WriteRecord = Record<string, WriteValue>;

/** Row id as the model gives it. */
export type WriteId = string | number;

/**
 * What the write would touch, computed with the user's own token just before asking for approval.
 *
 * - create: the records exactly as they will be sent (`records`).
 * - update / delete: the rows the user can see among the ids (`rows`, as DreamFactory returns them to this user),
 *   `count` of those rows, and `notVisible`: ids that do not exist or that this user cannot see — the write of
 *   those ids will fail, and because writes are all-or-nothing, nothing will change then.
 */
export interface WritePreview {
  /** Rows that would change (update/delete), as this user sees them; long text cells cut. */
  rows?: Record<string, unknown>[];
  /** Records to create, as they will be sent. */
  records?: WriteRecord[];
  /** Rows visible (update/delete) or records to create. */
  count: number;
  /** Requested ids that are not visible to this user (or do not exist). */
  notVisible?: WriteId[];
  /** Primary-key column used to find the rows. */
  primaryKey?: string;
  /** Plain-language summary for the approver. */
  summary: string;
}

/**
 * The approval request: what an `interrupt` carries, and what an `approve` callback receives. Holds no token
 * (only the non-secret `actedAs`) and may be stored in checkpoints.
 */
export interface WriteApprovalRequest {
  /** Marks the interrupt value. */
  type: "dreamfactory_write_approval";
  /** Tool name, e.g. `dreamfactory_update_records`. */
  tool: string;
  action: WriteAction;
  service: string;
  table: string;
  /** Ids to update or delete. */
  ids?: WriteId[];
  /** Records to create. */
  records?: WriteRecord[];
  /** Changes applied to every id (update). */
  changes?: WriteRecord;
  preview: WritePreview;
  /** Who the write runs as. */
  actedAs: ActedAs;
  /** HMAC binding the approval to this exact request, user, token and preview; resume with it. */
  digest: string;
  /** ISO-8601 time after which the approval is refused. */
  expiresAt: string;
}

/** What to resume an interrupted write with: `new Command({ resume: { approved: true, digest } })`. */
export interface WriteApprovalDecision {
  approved: boolean;
  /** The `digest` of the request being approved (required when approving). */
  digest?: string;
  /** Optional note shown to the model when declining. */
  reason?: string;
}

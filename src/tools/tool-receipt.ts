import type { ActedAs } from "../client/dreamfactory-request.js";
import type { DreamFactoryErrorCode } from "../errors/dreamfactory-error-code.js";

/** How a tool call ended. */
export type ToolOutcome = "ok" | "partial" | "denied" | "invalid_input" | "not_found";

/**
 * The artifact of every DreamFactory tool result (`ToolMessage.artifact`): what was asked, as whom, and what
 * came back. Non-secret by construction: no token, no API key, no row data.
 */
export interface DreamFactoryReceipt {
  /** Tool name. */
  tool: string;
  /** Who the call ran as. */
  actedAs: ActedAs;
  /** DreamFactory service. */
  service: string;
  /** Table, when the tool works on one. */
  table?: string;
  /** Exact `filter` sent (normal form), when any. */
  filter?: string;
  /** Exact `fields` sent, when any. */
  fields?: string[];
  /** Exact `order` sent, when any. */
  order?: string;
  /** `group` sent (aggregate). */
  group?: string[];
  /** Ids asked for (get_records). */
  ids?: Array<string | number>;
  /** `limit` sent. */
  limit?: number;
  /** `offset` sent. */
  offset?: number;
  /** Rows (or items) returned to the model. */
  count: number;
  /** Total matching rows, when DreamFactory reported it. */
  total?: number;
  /** Whether more rows exist than the model was shown. */
  truncated: boolean;
  /** `X-DreamFactory-Trace-Id` of the (last) request; the tool run id. */
  traceId?: string;
  /** Number of HTTP requests made. */
  requests: number;
  /** How the call ended. */
  outcome: ToolOutcome;
  /** The error code behind a non-ok outcome. */
  errorCode?: DreamFactoryErrorCode;
  /** For aggregate: computed by DreamFactory (`server`) or from fetched rows (`client`). */
  aggregation?: "server" | "client";
}

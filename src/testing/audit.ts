import { randomUUID } from "node:crypto";

/**
 * The sandbox's audit log: one entry per API request, oldest first, attributing it to the real user and role
 * (like df-agents' activity ledger, reference §8). It never holds a token, a password, an API key, a filter or a
 * request body: only the fields below.
 */

/** One audited request. */
export interface AuditEntry {
  /** ISO-8601 time the request arrived. */
  time: string;
  /** Caller's `X-DreamFactory-Trace-Id` when valid, else a fresh UUID; echoed in the response header. */
  traceId: string;
  /** Acting user's id; null for API-key-only or unauthenticated requests. */
  userId: number | null;
  email: string | null;
  /** DreamFactory role name; null for sys-admins and when no role applied. */
  role: string | null;
  /** App of the API key (its name, never the key). */
  app: string | null;
  /** Service name ("" for the service list or an unroutable request). */
  service: string;
  /** Lower-cased resource path, e.g. `_table/orders/5`. */
  component: string;
  /** Effective verb (after tunnelling); the raw method when unsupported. */
  verb: string;
  /** HTTP status answered; 0 when the connection was dropped by a fault. */
  status: number;
  /** Rows returned or affected. */
  rows: number;
  durationMs: number;
}

const TRACE_ID = /^[A-Za-z0-9._-]{8,64}$/;

/** The caller's trace id when it matches `^[A-Za-z0-9._-]{8,64}$`, else a fresh UUID. */
export function traceIdFor(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return value !== undefined && TRACE_ID.test(value) ? value : randomUUID();
}

/** In-memory audit log with a size cap (oldest entries dropped first). */
export class AuditLog {
  readonly #entries: AuditEntry[] = [];
  readonly #max: number;

  constructor(maxEntries = 100_000) {
    this.#max = maxEntries;
  }

  append(entry: AuditEntry): void {
    this.#entries.push(Object.freeze({ ...entry }));
    if (this.#entries.length > this.#max) this.#entries.splice(0, this.#entries.length - this.#max);
  }

  /** A copy of every entry, oldest first. */
  entries(): AuditEntry[] {
    return [...this.#entries];
  }

  clear(): void {
    this.#entries.length = 0;
  }
}

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

/**
 * The caller's trace id when it matches `^[A-Za-z0-9._-]{8,64}$` and does not look like a secret (a JWT or a
 * 40+ character hex run such as an API key), else a fresh UUID.
 */
export function traceIdFor(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return value !== undefined && TRACE_ID.test(value) && redactForAudit(value) === value ? value : randomUUID();
}

const JWT_SHAPED = /[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g;
const KEY_SHAPED = /\b[0-9a-f]{40,}\b/gi;

/**
 * A secret-free copy of a path or trace id for the audit: JWT-shaped runs and long hex runs (API-key shaped) are
 * replaced by `[redacted]`, so a token or key pasted into a URL path never reaches the log, in any letter case.
 */
export function redactForAudit(text: string): string {
  return text.replace(JWT_SHAPED, "[redacted]").replace(KEY_SHAPED, "[redacted]");
}

/** In-memory audit log with a size cap (oldest entries dropped first). */
export class AuditLog {
  readonly #entries: AuditEntry[] = [];
  readonly #max: number;

  constructor(maxEntries = 100_000) {
    this.#max = maxEntries;
  }

  /** Adds an entry; `component` and `traceId` are passed through {@link redactForAudit}. */
  append(entry: AuditEntry): void {
    this.#entries.push(Object.freeze({ ...entry, component: redactForAudit(entry.component), traceId: redactForAudit(entry.traceId) }));
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

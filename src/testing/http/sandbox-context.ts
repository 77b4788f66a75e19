import type { AuditLog } from "../audit.js";
import type { SandboxDirectory } from "../auth/directory.js";
import type { TokenService } from "../auth/token-service.js";
import type { SandboxDatabase } from "../db/open-database.js";
import type { FaultInjector } from "../faults.js";

/** Everything the request handlers of one sandbox share. */
export interface SandboxContext {
  directory: SandboxDirectory;
  tokens: TokenService;
  audit: AuditLog;
  faults: FaultInjector;
  db: SandboxDatabase;
  /** Current time in milliseconds (injectable for expiry tests). */
  now: () => number;
  ttlSeconds: number;
  /** Record cap of the database service (DreamFactory's `max_records`, default 1000). */
  maxRecords: number;
  /** Requests received, including refused, faulted and dropped ones. */
  stats: { received: number };
  /** Called with unexpected errors (answered as a generic 500); the sandbox never prints them itself. */
  onInternalError?: (err: unknown) => void;
}

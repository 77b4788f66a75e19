import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { AuditLog, type AuditEntry } from "./audit.js";
import { SandboxDirectory } from "./auth/directory.js";
import { TokenService } from "./auth/token-service.js";
import type { DemoRoleName } from "./demo-directory.js";
import type { DemoSeedScale } from "./db/demo-seed.js";
import { openDatabase } from "./db/open-database.js";
import { FaultInjector, type FaultOptions } from "./faults.js";
import { createRequestListener } from "./http/server.js";
import type { SandboxContext } from "./http/sandbox-context.js";
import { DB_SERVICE } from "./rbac/demo-role-access.js";
import type { RoleServiceAccess } from "./rbac/role-service-access.js";

/** Options of {@link startSandbox}. */
export interface SandboxOptions {
  /** TCP port on 127.0.0.1; 0 picks a free port. @default 0 */
  port?: number;
  /** PostgreSQL URL of a real server; the sandbox creates its own schema there. @default embedded PGlite */
  database?: string;
  /** Seed the demo data set, or start with empty tables. @default "demo" */
  seed?: "demo" | false;
  /** Session token lifetime in seconds. @default 86400 (DreamFactory's 24 h) */
  tokenTtlSeconds?: number;
  /** How long after its `iat` a token may still be refreshed, in seconds. @default 1209600 (14 days) */
  refreshTtlSeconds?: number;
  /** Faults to inject from the first request (see {@link FaultOptions}). */
  faults?: FaultOptions;
  /** Demo data volume (row counts of the seed). */
  scale?: DemoSeedScale;
  /** Record cap of the database service (`max_records`). @default 1000 */
  maxRecords?: number;
  /** Clock in milliseconds, for token expiry tests. @default Date.now */
  now?: () => number;
  /** Receives unexpected internal errors (answered as a generic 500). The sandbox never prints them. */
  onInternalError?: (err: unknown) => void;
}

/** E-mail and password of a demo user. */
export interface SandboxLogin {
  email: string;
  password: string;
}

/** The named demo users. */
export interface SandboxUsers {
  /** Sales rep (role sales_rep, user id 1): own customers and orders only. */
  alice: SandboxLogin;
  /** Sales rep (role sales_rep, user id 2). */
  bob: SandboxLogin;
  /** Sales manager (role sales_manager, id 3): reads everything, writes orders. */
  carol: SandboxLogin;
  /** Support (role support, id 4): customers (masked e-mails), products, knowledge base; no orders. */
  dave: SandboxLogin;
  /** Sys-admin (id 5): everything, including `GET /api/v2/system/audit`. Logs in at `system/admin/session`. */
  admin: SandboxLogin;
}

/** What a test may toggle to reproduce DreamFactory's "not active" answers. */
export type SandboxActivationTarget =
  | { app: "demo" | "bare" }
  | { role: DemoRoleName | "anonymous" }
  | { user: string };

/** A running sandbox. */
export interface Sandbox {
  /** `http://127.0.0.1:PORT` (clients add `/api/v2`). */
  readonly url: string;
  /** API key of the demo app (random 64-hex per sandbox). */
  readonly apiKey: string;
  /** Name of the database service (`db`). */
  readonly service: string;
  /** API keys of the sandbox's apps: `demo` (same as apiKey) and `bare` (no default role, no user mapping). */
  readonly apiKeys: { readonly demo: string; readonly bare: string };
  /** Logins of the named demo users. */
  readonly users: SandboxUsers;
  /** The extra sales reps rep006 … rep105 (ids 6 … 105), for load and isolation tests. */
  readonly extraUsers: readonly (SandboxLogin & { id: number; handle: string })[];
  /** Which database the sandbox runs on. */
  readonly databaseKind: "pglite" | "postgres";
  /**
   * Logs a demo user in (`POST /api/v2/user/session`, or `system/admin/session` for the admin) over HTTP and
   * returns the session token.
   */
  login(email: string, password: string): Promise<string>;
  /** The audit log, oldest first. */
  audit(): Promise<AuditEntry[]>;
  /** Empties the audit log. */
  clearAudit(): void;
  /** Replaces the fault settings (and resets their counters); `{}` or null turns faults off. */
  setFaults(faults: FaultOptions | null): void;
  /** Requests received so far, including refused, faulted and dropped ones. */
  requestCount(): number;
  /** Sets the request counter back to 0. */
  resetRequestCount(): void;
  /** Makes an app, a role or a user (by e-mail) active or inactive. */
  setActive(target: SandboxActivationTarget, active: boolean): void;
  /** Replaces a role's service access rows (tests of role resolution); `resetRoleAccess()` restores the demo rules. */
  setRoleAccess(role: DemoRoleName | "anonymous", rows: RoleServiceAccess[]): void;
  /** Restores every role's demo rules. */
  resetRoleAccess(): void;
  /** Runs SQL as the database owner (bypassing RLS and grants) inside the sandbox schema, for test assertions. */
  query<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<R[]>;
  /** Stops the HTTP server and closes the database. */
  close(): Promise<void>;
}

function login(email: string, password: string): SandboxLogin {
  return { email, password };
}

/**
 * Starts a DreamFactory-compatible sandbox: real HTTP on 127.0.0.1, real HS256 session tokens, real Postgres
 * (embedded PGlite by default) with row-level security, column privileges and masking driven by the acting user,
 * DreamFactory's role rules, row filters and error messages, and an audit log that never records a secret.
 * @example
 * const sb = await startSandbox();
 * const token = await sb.login(sb.users.alice.email, sb.users.alice.password);
 * // GET `${sb.url}/api/v2/db/_table/orders` with X-DreamFactory-API-Key: sb.apiKey, X-DreamFactory-Session-Token: token
 * await sb.close();
 */
export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const now = options.now ?? Date.now;
  const ttlSeconds = options.tokenTtlSeconds ?? 86_400;
  const db = await openDatabase({
    ...(options.database === undefined ? {} : { url: options.database }),
    seed: options.seed ?? "demo",
    ...(options.scale === undefined ? {} : { scale: options.scale }),
  });
  const directory = new SandboxDirectory();
  const ctx: SandboxContext = {
    directory,
    tokens: new TokenService({ ttlSeconds, refreshTtlSeconds: options.refreshTtlSeconds ?? 1_209_600, now }),
    audit: new AuditLog(),
    faults: new FaultInjector(options.faults),
    db,
    now,
    ttlSeconds,
    maxRecords: options.maxRecords ?? 1000,
    stats: { received: 0 },
    ...(options.onInternalError === undefined ? {} : { onInternalError: options.onInternalError }),
  };
  const server = createServer({ keepAliveTimeout: 5_000 }, createRequestListener(ctx));
  try {
    await listen(server, options.port ?? 0);
  } catch (err) {
    await db.close();
    throw err;
  }
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  const pristine = new Map(directory.roles.map((r) => [r.name, r.access.map((row) => ({ ...row, filters: [...row.filters] }))]));
  const byHandle = (handle: string) => {
    const u = directory.users.find((x) => x.handle === handle);
    if (u === undefined) throw new Error(`demo user ${handle} missing`);
    return login(u.email, u.password);
  };

  return {
    url,
    apiKey: directory.demoApp.apiKey,
    service: DB_SERVICE,
    apiKeys: { demo: directory.demoApp.apiKey, bare: directory.bareApp.apiKey },
    users: { alice: byHandle("alice"), bob: byHandle("bob"), carol: byHandle("carol"), dave: byHandle("dave"), admin: byHandle("admin") },
    extraUsers: directory.users.filter((u) => u.id > 5).map((u) => ({ id: u.id, handle: u.handle, email: u.email, password: u.password })),
    databaseKind: db.driver.kind,
    async login(email, password) {
      const admin = directory.userByEmail(email)?.isSysAdmin === true;
      const path = admin ? "/api/v2/system/admin/session" : "/api/v2/user/session";
      const res = await fetch(`${url}${path}`, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-DreamFactory-API-Key": directory.demoApp.apiKey },
        body: JSON.stringify({ email, password }),
      });
      const body = (await res.json()) as { session_token?: string; error?: { message?: string } };
      if (!res.ok || typeof body.session_token !== "string") {
        throw new Error(`Sandbox login failed with status ${res.status}: ${body.error?.message ?? "no message"}`);
      }
      return body.session_token;
    },
    async audit() {
      return ctx.audit.entries();
    },
    clearAudit() {
      ctx.audit.clear();
    },
    setFaults(faults) {
      ctx.faults.set(faults ?? {});
    },
    requestCount() {
      return ctx.stats.received;
    },
    resetRequestCount() {
      ctx.stats.received = 0;
    },
    setActive(target, active) {
      if ("app" in target) {
        (target.app === "demo" ? directory.demoApp : directory.bareApp).active = active;
      } else if ("role" in target) {
        const role = directory.roleByName(target.role);
        if (role === undefined) throw new TypeError(`Unknown role: ${target.role}`);
        role.active = active;
      } else {
        const user = directory.userByEmail(target.user);
        if (user === undefined) throw new TypeError(`Unknown user: ${target.user}`);
        user.active = active;
      }
    },
    setRoleAccess(role, rows) {
      const r = directory.roleByName(role);
      if (r === undefined) throw new TypeError(`Unknown role: ${role}`);
      r.access = rows.map((row) => ({ ...row, filters: [...row.filters] }));
    },
    resetRoleAccess() {
      for (const r of directory.roles) r.access = (pristine.get(r.name) ?? []).map((row) => ({ ...row, filters: [...row.filters] }));
    },
    async query<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<R[]> {
      return db.driver.transaction(async (q) => {
        await q.query("SELECT set_config('search_path', $1, true)", [`"${db.schema}", pg_catalog`]);
        return (await q.query<R>(sql, params)).rows;
      });
    },
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await db.close();
    },
  };
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
}


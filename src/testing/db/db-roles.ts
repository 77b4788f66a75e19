import { ADMIN_DB_ROLE, DEMO_ROLES } from "../demo-directory.js";

/** Database role for API-key-only (anonymous) requests: schema usage, no table privileges. */
export const ANON_DB_ROLE = "dfsb_anon";

/** Every Postgres role the sandbox creates (cluster-wide, NOLOGIN) and may `SET ROLE` to. */
export const SANDBOX_DB_ROLES: readonly string[] = [
  DEMO_ROLES.sales_rep.dbRole,
  DEMO_ROLES.sales_manager.dbRole,
  DEMO_ROLES.support.dbRole,
  ADMIN_DB_ROLE,
  ANON_DB_ROLE,
];

/** True when `name` is one of {@link SANDBOX_DB_ROLES} (the only roles `asUser` accepts). */
export function isSandboxDbRole(name: string): boolean {
  return SANDBOX_DB_ROLES.includes(name);
}

/**
 * SQL creating the sandbox roles idempotently. Roles are cluster-wide, so several sandboxes on one server may
 * race here: both "already exists" (duplicate_object) and a lost race on the catalog index (unique_violation)
 * are ignored.
 */
export function createRolesSql(): string {
  return SANDBOX_DB_ROLES.map(
    (role) =>
      `DO $$ BEGIN CREATE ROLE "${role}" NOLOGIN; ` +
      `EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$;`,
  ).join("\n");
}

import { randomBytes } from "node:crypto";
import { ADMIN_DB_ROLE, DEMO_ROLES, DEMO_USERS, type DemoRoleName, type DemoUser } from "../demo-directory.js";
import { ANON_DB_ROLE } from "../db/db-roles.js";
import { ANONYMOUS_ROLE, demoRoleAccess } from "../rbac/demo-role-access.js";
import type { RoleServiceAccess } from "../rbac/role-service-access.js";

/**
 * The sandbox's system tables: users, roles (with their service access rows), apps (API keys, default role,
 * user-to-role mapping) and custom user lookups. Built from demo-directory.ts; mutable at runtime through the
 * sandbox's test hooks (activate/deactivate, replace a role's rules).
 */

/** A user of the sandbox. */
export interface DirectoryUser {
  readonly id: number;
  readonly handle: string;
  readonly email: string;
  readonly password: string;
  readonly firstName: string;
  readonly lastName: string;
  readonly isSysAdmin: boolean;
  readonly team: string;
  active: boolean;
  /** "Y-m-d H:i:s" of the last login, null before the first. */
  lastLoginDate: string | null;
  /** Custom user lookups (reference §7.5), e.g. `{tenant_id}`. */
  readonly lookups: Record<string, string>;
}

/** A DreamFactory role. */
export interface DirectoryRole {
  readonly id: number;
  readonly name: string;
  /** Postgres role requests under this DreamFactory role run as. */
  readonly dbRole: string;
  active: boolean;
  access: RoleServiceAccess[];
}

/** A DreamFactory app (one API key). */
export interface DirectoryApp {
  readonly id: number;
  readonly name: string;
  readonly apiKey: string;
  active: boolean;
  /** Role for callers with no user mapping (API key only). */
  readonly defaultRoleId: number | null;
  /** user_to_app_to_role: user id → role id. */
  readonly userRoles: ReadonlyMap<number, number>;
}

function newApiKey(): string {
  return randomBytes(32).toString("hex");
}

function toDirectoryUser(u: DemoUser): DirectoryUser {
  return {
    id: u.id,
    handle: u.handle,
    email: u.email,
    password: u.password,
    firstName: u.firstName,
    lastName: u.lastName,
    isSysAdmin: u.isSysAdmin,
    team: u.team,
    active: true,
    lastLoginDate: null,
    lookups: { tenant_id: `tenant-${u.team}` },
  };
}

/** Users, roles and apps of one sandbox. */
export class SandboxDirectory {
  readonly users: readonly DirectoryUser[];
  readonly roles: readonly DirectoryRole[];
  /** The demo app: default role `anonymous`, every demo user mapped to their demo role. */
  readonly demoApp: DirectoryApp;
  /** A second app with no default role and no user mapping ("Role not found" cases). */
  readonly bareApp: DirectoryApp;

  constructor() {
    this.users = DEMO_USERS.map(toDirectoryUser);
    const access = demoRoleAccess();
    const names = Object.keys(DEMO_ROLES) as DemoRoleName[];
    this.roles = [
      ...names.map((n) => ({ id: DEMO_ROLES[n].id, name: n, dbRole: DEMO_ROLES[n].dbRole, active: true, access: access[n] })),
      { id: ANONYMOUS_ROLE.id, name: ANONYMOUS_ROLE.name, dbRole: ANON_DB_ROLE, active: true, access: access.anonymous },
    ];
    const userRoles = new Map<number, number>();
    for (const u of DEMO_USERS) if (u.role !== null) userRoles.set(u.id, DEMO_ROLES[u.role].id);
    this.demoApp = { id: 1, name: "demo", apiKey: newApiKey(), active: true, defaultRoleId: ANONYMOUS_ROLE.id, userRoles };
    this.bareApp = { id: 2, name: "bare", apiKey: newApiKey(), active: true, defaultRoleId: null, userRoles: new Map() };
  }

  /** Case-insensitive lookup by e-mail. */
  userByEmail(email: string): DirectoryUser | undefined {
    const lower = email.toLowerCase();
    return this.users.find((u) => u.email === lower);
  }

  userById(id: number): DirectoryUser | undefined {
    return this.users.find((u) => u.id === id);
  }

  appByKey(apiKey: string): DirectoryApp | undefined {
    return [this.demoApp, this.bareApp].find((a) => a.apiKey === apiKey);
  }

  roleById(id: number): DirectoryRole | undefined {
    return this.roles.find((r) => r.id === id);
  }

  roleByName(name: string): DirectoryRole | undefined {
    return this.roles.find((r) => r.name === name);
  }

  /**
   * DreamFactory's role for (app, user): user_to_app_to_role when mapped, else the app's default role. Null when
   * nothing resolves (also for a sys-admin without mapping, who needs no role).
   */
  resolveRole(app: DirectoryApp | null, user: DirectoryUser | null): DirectoryRole | null {
    if (app === null) return null;
    const mapped = user === null ? undefined : app.userRoles.get(user.id);
    const id = mapped ?? app.defaultRoleId;
    return id === null ? null : (this.roleById(id) ?? null);
  }
}

/** Database role for sys-admin requests. */
export const SYS_ADMIN_DB_ROLE = ADMIN_DB_ROLE;

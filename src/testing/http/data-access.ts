import { permissionsOf } from "../auth/access-check.js";
import type { Principal } from "../auth/principal.js";
import { SYS_ADMIN_DB_ROLE } from "../auth/directory.js";
import { ANON_DB_ROLE } from "../db/db-roles.js";
import type { ActingUser, SqlFragment, TableInfo } from "../db/types.js";
import { compileFilter } from "../filter/filter-to-sql.js";
import { buildLookups, substituteLookups } from "../rbac/lookups.js";
import { combineFilters, renderServerFilter } from "../rbac/render-server-filter.js";
import { selectServerFilters, type SelectedFilters } from "../rbac/resolve-permissions.js";
import type { ApiVerb } from "../rbac/verb-mask.js";
import { DB_SERVICE } from "../rbac/demo-role-access.js";

/**
 * What one database request runs with: the acting database user (RLS, grants, masking), the lookups, and the
 * role's server-side filters for the request's component and verb.
 */
export class DataAccess {
  readonly acting: ActingUser;
  readonly lookups: ReadonlyMap<string, string>;
  /** The role's server-side filters for this request (null for sys-admins or rows without filters). */
  readonly serverFilters: SelectedFilters | null;
  /** `serverFilters` rendered as DreamFactory filter text ("" when none). */
  readonly serverFilterText: string;

  constructor(
    readonly principal: Principal,
    component: string,
    verb: ApiVerb,
    hostUrl: string,
  ) {
    const user = principal.user;
    const role = principal.role;
    this.acting = {
      dbRole: principal.isSysAdmin ? SYS_ADMIN_DB_ROLE : (role?.dbRole ?? ANON_DB_ROLE),
      userId: user?.id ?? null,
      email: user?.email ?? null,
      team: user?.team ?? null,
    };
    this.lookups = buildLookups({
      user:
        user === null
          ? null
          : {
              id: user.id,
              name: `${user.firstName} ${user.lastName}`,
              firstName: user.firstName,
              lastName: user.lastName,
              email: user.email,
              isSysAdmin: user.isSysAdmin,
              lastLoginDate: user.lastLoginDate,
            },
      role: role === null ? null : { id: role.id, name: role.name },
      app: principal.app === null ? null : { id: principal.app.id, apiKey: principal.app.apiKey },
      sessionToken: principal.sessionToken,
      custom: user?.lookups ?? {},
      hostUrl,
    });
    this.serverFilters = principal.isSysAdmin || role === null ? null : selectServerFilters(role.access, DB_SERVICE, component, verb);
    this.serverFilterText = this.serverFilters === null ? "" : renderServerFilter(this.serverFilters);
  }

  /**
   * WHERE fragment for a client filter AND the role's server filter, built like DreamFactory: the texts are
   * combined as `(<client>) AND (<server>)`, lookups are substituted in the whole string (so a client filter's
   * `{user.id}` or `{session.token}` is substituted too, reference §12), then the result is parsed.
   * Null when both are empty.
   */
  where(table: TableInfo, clientFilter: string | undefined): SqlFragment | null {
    const text = substituteLookups(combineFilters(clientFilter ?? "", this.serverFilterText), this.lookups);
    return text.trim() === "" ? null : compileFilter(text, table);
  }

  /** Verb mask of the caller on a component of the database service. */
  mask(component: string): number {
    return permissionsOf(this.principal, DB_SERVICE, component);
  }
}

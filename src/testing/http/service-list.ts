import { permissionsOf } from "../auth/access-check.js";
import type { Principal } from "../auth/principal.js";
import { DB_SERVICE } from "../rbac/demo-role-access.js";
import { ok, type ApiRequest, type ApiResponse } from "./api-request.js";

/** A service as `GET /api/v2` describes it. */
interface ServiceEntry {
  id: number;
  name: string;
  label: string;
  description: string;
  type: string;
  spec_url: string;
}

const SERVICES: readonly ServiceEntry[] = [
  { id: 1, name: "system", label: "System Management", description: "Service for managing system resources.", type: "system", spec_url: "/api/v2/system/_spec" },
  { id: 2, name: "user", label: "User Management", description: "Service for managing system users.", type: "user", spec_url: "/api/v2/user/_spec" },
  { id: 3, name: DB_SERVICE, label: "Demo Database", description: "The sandbox's demo PostgreSQL database.", type: "pgsql", spec_url: `/api/v2/${DB_SERVICE}/_spec` },
];

const SERVICE_TYPES = [
  { name: "system", label: "System Management Service", group: "System", description: "Service supporting management of the system." },
  { name: "user", label: "User service", group: "User", description: "User service to allow user management." },
  { name: "pgsql", label: "PostgreSQL", group: "Database", description: "Database service supporting PostgreSQL connections." },
];

/**
 * `GET /api/v2` (reference §10.6): services the caller's role can reach (all for a sys-admin), with their types;
 * `?group=Database` and `?type=pgsql` narrow the list.
 */
export function listServices(req: ApiRequest, principal: Principal): ApiResponse {
  const group = req.query.get("group")?.toLowerCase();
  const type = req.query.get("type")?.toLowerCase();
  const visible = SERVICES.filter((s) => {
    const reachable =
      principal.isSysAdmin ||
      (principal.role !== null &&
        principal.role.active &&
        (permissionsOf(principal, s.name, "") !== 0 ||
          principal.role.access.some((row) => row.service !== null && row.service.toLowerCase() === s.name && row.verbMask !== 0)));
    const t = SERVICE_TYPES.find((x) => x.name === s.type);
    return reachable && (type === undefined || s.type === type) && (group === undefined || t?.group.toLowerCase() === group);
  });
  const types = SERVICE_TYPES.filter((t) => visible.some((s) => s.type === t.name));
  return ok({ services: visible, service_types: types }, visible.length);
}

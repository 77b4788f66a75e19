/**
 * One row of DreamFactory's `role_service_access` table (reference §7.1): which verbs a role may use on a
 * component of a service, for which requestors, and the server-side (row) filters attached to it.
 */

/** A server-side filter condition (reference §7.4); `value` is raw filter text and may hold lookups. */
export interface ServerFilter {
  /** Column name. */
  name: string;
  /** One of `=, !=, >, >=, <, <=, IN, NOT IN, STARTS WITH, ENDS WITH, CONTAINS, IS NULL, IS NOT NULL`. */
  operator: string;
  /** Raw text inserted into the filter, e.g. `{user.id}` or `(1,2)`; empty for IS NULL / IS NOT NULL. */
  value: string;
}

/** A role service access row. */
export interface RoleServiceAccess {
  /** Service name; null means every service. */
  service: string | null;
  /** Component, e.g. `""` (service root), `*`, `_table`, `_table/*`, `_table/orders`, `_table/orders/*`. */
  component: string;
  /** Verb bits (GET=1, POST=2, PUT=4, PATCH=8, DELETE=16). */
  verbMask: number;
  /** Requestor bits (API=1, SCRIPT=2); rows without the API bit never match HTTP calls. */
  requestorMask: number;
  /** Row filters AND-ed (or OR-ed, see `filterOp`) into reads and checked on writes. */
  filters: ServerFilter[];
  /** How `filters` combine. */
  filterOp: "AND" | "OR";
}

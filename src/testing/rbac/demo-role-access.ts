import type { DemoRoleName } from "../demo-directory.js";
import type { RoleServiceAccess, ServerFilter } from "./role-service-access.js";
import { ALL_VERBS_MASK, REQUESTOR_API, verbMask } from "./verb-mask.js";

/**
 * The demo app's role rules (role_service_access rows) for the database service. Sales reps see and write only
 * their own customers' rows (`sales_rep_id = {user.id}`); the sales manager reads everything and writes orders;
 * support reads customers, products and the knowledge base but never orders or employees.
 */

/** Name of the sandbox's database service (`/api/v2/db/...`). */
export const DB_SERVICE = "db";

/** Role of the demo app for callers with an API key and no user (no data access). */
export const ANONYMOUS_ROLE = { id: 4, name: "anonymous" } as const;

const GET = verbMask("GET");

function row(component: string, mask: number, filters: ServerFilter[] = []): RoleServiceAccess {
  return { service: DB_SERVICE, component, verbMask: mask, requestorMask: REQUESTOR_API, filters, filterOp: "AND" };
}

const OWN_ROWS: ServerFilter[] = [{ name: "sales_rep_id", operator: "=", value: "{user.id}" }];

/** Fresh copies of the demo rows per role (callers may mutate their copy). */
export function demoRoleAccess(): Record<DemoRoleName | typeof ANONYMOUS_ROLE.name, RoleServiceAccess[]> {
  return {
    sales_rep: [
      row("", GET),
      row("_table", GET),
      row("_schema/*", GET),
      row("_table/orders/*", ALL_VERBS_MASK, OWN_ROWS),
      row("_table/customers/*", GET, OWN_ROWS),
      row("_table/products/*", GET),
      row("_table/employees/*", GET),
      row("_table/kb_articles/*", GET),
    ],
    sales_manager: [
      row("", GET),
      row("_table", GET),
      row("_schema/*", GET),
      row("_table/*", GET),
      row("_table/orders/*", ALL_VERBS_MASK),
    ],
    support: [
      row("", GET),
      row("_table", GET),
      row("_table/customers/*", GET),
      row("_table/products/*", GET),
      row("_table/kb_articles/*", GET),
      row("_schema/customers/*", GET),
      row("_schema/products/*", GET),
      row("_schema/kb_articles/*", GET),
    ],
    anonymous: [],
  };
}

import type { RoleServiceAccess, ServerFilter } from "./role-service-access.js";
import { REQUESTOR_API, VERB_BITS, type ApiVerb } from "./verb-mask.js";

/**
 * DreamFactory's most-specific-match permission resolution (df-core `Session::getServicePermissions`,
 * reference §7.2). The request component is the lower-cased resource path without leading slash.
 */

type MatchClass = "exact" | "wildcard" | "service" | "all";

const ORDER: readonly MatchClass[] = ["exact", "wildcard", "service", "all"];

/** Normalises a request component the way the RBAC check sees it: no leading slash, `(...)` segments removed, lower case. */
export function normalizeComponent(component: string): string {
  return component.replace(/\([^)]*\)/g, "").replace(/^\/+/, "").toLowerCase();
}

function trimRowComponent(component: string): string {
  return component.replace(/^\/+|\/+$/g, "").toLowerCase();
}

/** Which class of match `row` is for (service, component), or null. */
function classify(row: RoleServiceAccess, service: string, component: string): MatchClass | null {
  const rowComponent = trimRowComponent(row.component);
  const rowService = row.service === null ? null : row.service.toLowerCase();
  if (rowService === null) {
    return rowComponent === "*" || (rowComponent === "" && component === "") ? "all" : null;
  }
  if (rowService !== service.toLowerCase()) return null;
  const requested = component.replace(/\/+$/, "");
  if (requested === "") {
    if (rowComponent === "") return "exact";
    return rowComponent === "*" ? "service" : null;
  }
  if (rowComponent === requested) return "exact";
  if (rowComponent === "*") return "service";
  const star = rowComponent.indexOf("*");
  if (star >= 0 && `${requested}/`.slice(0, star) + "*" === rowComponent) return "wildcard";
  return null;
}

/**
 * Verb mask the rows grant on (service, component) for HTTP requestors: the most specific non-empty class of
 * matching rows wins (exact > wildcard > service `*` > all services), masks OR-ed within that class.
 */
export function resolvePermissions(rows: readonly RoleServiceAccess[], service: string, component: string): number {
  const masks = new Map<MatchClass, number>();
  const normalized = normalizeComponent(component);
  for (const row of rows) {
    if ((row.requestorMask & REQUESTOR_API) === 0) continue;
    const cls = classify(row, service, normalized);
    if (cls === null) continue;
    masks.set(cls, (masks.get(cls) ?? 0) | row.verbMask);
  }
  for (const cls of ORDER) {
    const mask = masks.get(cls);
    if (mask !== undefined) return mask;
  }
  return 0;
}

/** The server-side filters that apply to a request, or null when none do (reference §7.4). */
export interface SelectedFilters {
  filters: ServerFilter[];
  filterOp: "AND" | "OR";
}

/**
 * Server-side filters for (service, component, verb): those of the most specific row of this service whose verb
 * mask holds the verb (exact > wildcard, longest pattern first > `*`; rows for all services are ignored). A chosen row without filters
 * means no filtering: less specific rows' filters are not merged.
 */
export function selectServerFilters(
  rows: readonly RoleServiceAccess[],
  service: string,
  component: string,
  verb: ApiVerb,
): SelectedFilters | null {
  const normalized = normalizeComponent(component);
  const best = new Map<MatchClass, RoleServiceAccess>();
  for (const row of rows) {
    if ((row.requestorMask & REQUESTOR_API) === 0 || (row.verbMask & VERB_BITS[verb]) === 0) continue;
    const cls = classify(row, service, normalized);
    if (cls === null || cls === "all") continue;
    const current = best.get(cls);
    // Within the wildcard class the longest pattern is the most specific (`_table/orders/*` over `_table/*`).
    if (current === undefined || row.component.length > current.component.length) best.set(cls, row);
  }
  for (const cls of ORDER) {
    const row = best.get(cls);
    if (row === undefined) continue;
    return row.filters.length === 0 ? null : { filters: row.filters, filterOp: row.filterOp };
  }
  return null;
}

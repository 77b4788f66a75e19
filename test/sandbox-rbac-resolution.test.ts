import { describe, expect, it } from "vitest";
import { recordPassesFilters } from "../src/testing/rbac/check-record-against-filters.js";
import { demoRoleAccess } from "../src/testing/rbac/demo-role-access.js";
import { buildLookups, substituteLookups } from "../src/testing/rbac/lookups.js";
import { combineFilters, renderServerFilter } from "../src/testing/rbac/render-server-filter.js";
import { resolvePermissions, selectServerFilters } from "../src/testing/rbac/resolve-permissions.js";
import type { RoleServiceAccess } from "../src/testing/rbac/role-service-access.js";
import { verbMask, verbsOf } from "../src/testing/rbac/verb-mask.js";

function row(service: string | null, component: string, verbs: number, extra: Partial<RoleServiceAccess> = {}): RoleServiceAccess {
  return { service, component, verbMask: verbs, requestorMask: 1, filters: [], filterOp: "AND", ...extra };
}

const GET = verbMask("GET");
const POST = verbMask("POST");

describe("most-specific-match permission resolution (DreamFactory §7.2)", () => {
  it("an exact row beats a wildcard row (system/* GET + system/app POST ⇒ system/app gets only POST)", () => {
    const rows = [row("system", "system/*", GET), row("system", "app", POST), row("system", "*", GET)];
    expect(verbsOf(resolvePermissions(rows, "system", "app"))).toEqual(["POST"]);
    expect(verbsOf(resolvePermissions(rows, "system", "role"))).toEqual(["GET"]);
  });

  it("app = GET and app/* = POST ⇒ 'app' GET, 'app/1' POST", () => {
    const rows = [row("system", "app", GET), row("system", "app/*", POST)];
    expect(verbsOf(resolvePermissions(rows, "system", "app"))).toEqual(["GET"]);
    expect(verbsOf(resolvePermissions(rows, "system", "app/1"))).toEqual(["POST"]);
  });

  it("an exact _table/orders row does not cover _table/orders/2; _table/orders/* covers both", () => {
    const exactOnly = [row("db", "_table/orders", GET)];
    expect(resolvePermissions(exactOnly, "db", "_table/orders")).toBe(GET);
    expect(resolvePermissions(exactOnly, "db", "_table/orders/2")).toBe(0);
    const wildcard = [row("db", "_table/orders/*", GET)];
    expect(resolvePermissions(wildcard, "db", "_table/orders")).toBe(GET);
    expect(resolvePermissions(wildcard, "db", "_table/orders/2")).toBe(GET);
    expect(resolvePermissions(wildcard, "db", "_table/orders/")).toBe(GET);
    expect(resolvePermissions(wildcard, "db", "_table/orders_archive")).toBe(0);
  });

  it("wildcards of one class are OR-ed; components compare case-insensitively; (...) segments are ignored", () => {
    const rows = [row("db", "_table/*", GET), row("db", "_table/orders/*", POST)];
    expect(verbsOf(resolvePermissions(rows, "db", "_table/Orders/5"))).toEqual(["GET", "POST"]);
    expect(verbsOf(resolvePermissions(rows, "db", "_table/customers"))).toEqual(["GET"]);
    expect(resolvePermissions(rows, "db", "_table/orders(x)")).toBe(GET | POST);
  });

  it("service '*' rows apply when nothing more specific matches; all-services rows last", () => {
    const rows = [row("db", "*", GET), row(null, "*", POST)];
    expect(resolvePermissions(rows, "db", "_table/x")).toBe(GET);
    expect(resolvePermissions(rows, "files", "x")).toBe(POST);
    expect(resolvePermissions([row(null, "", POST)], "db", "")).toBe(POST);
    expect(resolvePermissions([row(null, "", POST)], "db", "_table")).toBe(0);
  });

  it("rows without the API requestor bit never match", () => {
    expect(resolvePermissions([row("db", "*", GET, { requestorMask: 2 })], "db", "_table/x")).toBe(0);
  });

  it("the root component '' matches only '' rows or '*'", () => {
    expect(resolvePermissions([row("db", "", GET)], "db", "")).toBe(GET);
    expect(resolvePermissions([row("db", "_table/*", GET)], "db", "")).toBe(0);
  });

  it("the demo roles: reps own orders and customers with a row filter, support has no orders", () => {
    const access = demoRoleAccess();
    expect(verbsOf(resolvePermissions(access.sales_rep, "db", "_table/orders/7"))).toEqual(["GET", "POST", "PUT", "PATCH", "DELETE"]);
    expect(verbsOf(resolvePermissions(access.sales_rep, "db", "_table/customers"))).toEqual(["GET"]);
    expect(resolvePermissions(access.support, "db", "_table/orders")).toBe(0);
    expect(resolvePermissions(access.support, "db", "_table/employees")).toBe(0);
    expect(verbsOf(resolvePermissions(access.sales_manager, "db", "_table/employees"))).toEqual(["GET"]);
    expect(verbsOf(resolvePermissions(access.sales_manager, "db", "_table/orders"))).toEqual(["GET", "POST", "PUT", "PATCH", "DELETE"]);
    expect(resolvePermissions(access.anonymous, "db", "_table/products")).toBe(0);
  });
});

describe("server-side filter selection (§7.4)", () => {
  const own = [{ name: "owner_id", operator: "=", value: "{user.id}" }];
  it("takes the most specific row holding the verb, without merging less specific filters", () => {
    const rows = [row("db", "_table/*", GET, { filters: own }), row("db", "_table/orders/*", GET)];
    expect(selectServerFilters(rows, "db", "_table/orders", "GET")).toBeNull();
    expect(selectServerFilters(rows, "db", "_table/customers", "GET")?.filters).toEqual(own);
  });

  it("skips rows whose verb mask lacks the verb and ignores all-services rows", () => {
    const rows = [row("db", "_table/orders/*", POST), row("db", "*", GET, { filters: own }), row(null, "*", GET, { filters: own })];
    expect(selectServerFilters(rows, "db", "_table/orders", "GET")?.filters).toEqual(own);
    expect(selectServerFilters([row(null, "*", GET, { filters: own })], "db", "_table/orders", "GET")).toBeNull();
  });

  it("renders filters as DreamFactory text and combines them with the client filter", () => {
    const text = renderServerFilter({
      filters: [
        { name: "sales_rep_id", operator: "=", value: "{user.id}" },
        { name: "deleted_at", operator: "is null", value: "" },
      ],
      filterOp: "AND",
    });
    expect(text).toBe("(sales_rep_id = {user.id}) AND (deleted_at IS NULL)");
    expect(combineFilters("status = open", text)).toBe(`(status = open) AND (${text})`);
    expect(combineFilters("", text)).toBe(text);
    expect(combineFilters("a = 1", "")).toBe("a = 1");
  });
});

describe("lookups (§7.5)", () => {
  const lookups = buildLookups({
    user: { id: 7, name: "Alice Archer", firstName: "Alice", lastName: "Archer", email: "alice@example.com", isSysAdmin: false, lastLoginDate: null },
    role: { id: 1, name: "sales_rep" },
    app: { id: 1, apiKey: "k".repeat(64) },
    sessionToken: "header.payload.signature",
    custom: { tenant_id: "tenant-sales" },
    hostUrl: "http://127.0.0.1:1",
  });

  it("substitutes user, role, session and custom lookups and modifiers; leaves unknown ones", () => {
    expect(substituteLookups("(sales_rep_id = {user.id}) AND (t = {tenant_id})", lookups)).toBe("(sales_rep_id = 7) AND (t = tenant-sales)");
    expect(substituteLookups("{strtoupper(user.email)} {role.name} {user.first_name}", lookups)).toBe("ALICE@EXAMPLE.COM sales_rep Alice");
    expect(substituteLookups("({session.token} = 1)", lookups)).toBe("(header.payload.signature = 1)");
    expect(substituteLookups("{user.is_admin} {nope(user.id)} {user.is_sys_admin}", lookups)).toBe("{user.is_admin} {nope(user.id)} 0");
  });
});

describe("write-side filter check (§7.4)", () => {
  const lookups = new Map([["user.id", "1"]]);
  const own = { filters: [{ name: "sales_rep_id", operator: "=", value: "{user.id}" }], filterOp: "AND" as const };

  it("creates must satisfy every AND filter; a missing field fails", () => {
    expect(recordPassesFilters({ sales_rep_id: 1 }, own, lookups, false)).toBe(true);
    expect(recordPassesFilters({ sales_rep_id: "1" }, own, lookups, false)).toBe(true);
    expect(recordPassesFilters({ sales_rep_id: 2 }, own, lookups, false)).toBe(false);
    expect(recordPassesFilters({ total: 3 }, own, lookups, false)).toBe(false);
  });

  it("updates check only the fields present", () => {
    expect(recordPassesFilters({ total: 3 }, own, lookups, true)).toBe(true);
    expect(recordPassesFilters({ SALES_REP_ID: 2 }, own, lookups, true)).toBe(false);
  });

  it("operators IN, NOT IN, CONTAINS, IS NULL and the OR quirk", () => {
    const f = (operator: string, value: string) => ({ filters: [{ name: "x", operator, value }], filterOp: "AND" as const });
    expect(recordPassesFilters({ x: 2 }, f("IN", "(1,2)"), lookups, false)).toBe(true);
    expect(recordPassesFilters({ x: 3 }, f("IN", "(1,2)"), lookups, false)).toBe(false);
    expect(recordPassesFilters({ x: 3 }, f("NOT IN", "(1,2)"), lookups, false)).toBe(true);
    expect(recordPassesFilters({ x: "abcdef" }, f("CONTAINS", "cd"), lookups, false)).toBe(true);
    expect(recordPassesFilters({ x: null }, f("IS NULL", ""), lookups, false)).toBe(true);
    expect(recordPassesFilters({ x: "'a'" }, f("=", "'a'"), lookups, false)).toBe(false);
    expect(recordPassesFilters({ x: "a" }, f("=", "'a'"), lookups, false)).toBe(true);
    expect(recordPassesFilters({ x: 5 }, f(">=", "5"), lookups, false)).toBe(true);
    const or = { filters: [{ name: "x", operator: "=", value: "1" }, { name: "y", operator: "=", value: "1" }], filterOp: "OR" as const };
    expect(recordPassesFilters({ x: 2, y: 1 }, or, lookups, false)).toBe(true);
    expect(recordPassesFilters({ x: 2, y: 2 }, or, lookups, false)).toBe(true);
  });
});

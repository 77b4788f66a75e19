import type { TableInfo } from "../db/types.js";
import { verbsOf } from "../rbac/verb-mask.js";
import { ok, type ApiResponse } from "./api-request.js";
import type { DataAccess } from "./data-access.js";
import type { RequestOptions } from "./request-options.js";

/**
 * `GET /{service}/_table` and `GET /{service}/_schema` listings (reference §2.2.1): only tables on which the role
 * holds some verb for `{prefix}/{name}`, sorted by lower-cased name; `as_list` gives bare names, `fields`
 * full descriptors (`name, label, description, native, plural, is_view, access`), `include_access` adds the
 * verbs, `ids` restricts to some names.
 */
export function listTables(
  tables: readonly TableInfo[],
  prefix: "_table" | "_schema",
  access: DataAccess,
  options: RequestOptions,
): ApiResponse {
  const ids = options.text("ids");
  const wanted = ids === undefined ? null : new Set(ids.split(",").map((x) => x.trim().toLowerCase()));
  const visible = tables
    .filter((t) => wanted === null || wanted.has(t.name.toLowerCase()))
    .map((t) => ({ table: t, mask: access.mask(`${prefix}/${t.name}`) }))
    .filter((x) => x.mask !== 0)
    .sort((a, b) => a.table.name.toLowerCase().localeCompare(b.table.name.toLowerCase(), "en", { numeric: true }));
  if (options.bool("as_list")) return ok({ resource: visible.map((x) => x.table.name) }, visible.length);
  const fields = options.text("fields");
  if (fields !== undefined && fields.trim() !== "") {
    const keys = fields.trim() === "*" ? null : new Set(fields.split(",").map((f) => f.trim()));
    const resource = visible.map(({ table, mask }) => {
      const full: Record<string, unknown> = {
        name: table.name,
        label: table.label,
        description: null,
        native: [],
        plural: table.plural,
        is_view: false,
        access: verbsOf(mask),
      };
      return keys === null ? full : Object.fromEntries(Object.entries(full).filter(([k]) => keys.has(k) || k === "name"));
    });
    return ok({ resource }, resource.length);
  }
  const includeAccess = options.bool("include_access");
  const resource = visible.map(({ table, mask }) => (includeAccess ? { name: table.name, access: verbsOf(mask) } : { name: table.name }));
  return ok({ resource }, resource.length);
}

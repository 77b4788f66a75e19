import { describeTable } from "../db/describe-table.js";
import type { TableInfo } from "../db/types.js";
import { SandboxHttpError } from "../errors.js";
import { ok, type ApiResponse } from "./api-request.js";
import type { DataAccess } from "./data-access.js";
import type { RequestOptions } from "./request-options.js";
import { listTables } from "./table-list.js";

/** The 404 for a table name that does not exist (DreamFactory's wording; quotes entity-encoded on the wire). */
export function tableNotFound(name: string): SandboxHttpError {
  return new SandboxHttpError(404, `Table "${name}" does not exist in the database.`);
}

/**
 * `GET /_schema`, `/_schema/{t}`, `/_schema/{t}/_field[/{f}]`, `/_schema/{t}/_related[/{r}]` (reference §2.3,
 * §10.7); `access` in a description is the caller's verb mask on `_schema/{t}`. Schema changes (POST, PUT,
 * PATCH, DELETE) are not supported by the sandbox (501).
 */
export function handleSchema(
  verb: string,
  segments: readonly string[],
  tables: readonly TableInfo[],
  findTable: (name: string) => TableInfo | undefined,
  access: DataAccess,
  options: RequestOptions,
): ApiResponse {
  if (verb !== "GET") throw new SandboxHttpError(501, "Schema changes are not supported by the sandbox.");
  const [name, sub, item] = segments;
  if (name === undefined || name === "") {
    const ids = options.text("ids");
    if (ids !== undefined && !options.bool("as_list")) {
      const resource = ids
        .split(",")
        .map((x) => x.trim())
        .filter((x) => x !== "")
        .map((n) => {
          const table = findTable(n);
          if (table === undefined || access.mask(`_schema/${table.name}`) === 0) throw tableNotFound(n);
          return describeTable(table, access.mask(`_schema/${table.name}`));
        });
      return ok({ resource }, resource.length);
    }
    return listTables(tables, "_schema", access, options);
  }
  const table = findTable(name);
  if (table === undefined) throw tableNotFound(name);
  const described = describeTable(table, access.mask(`_schema/${table.name}`));
  if (sub === undefined || sub === "") return ok(described, 1);
  const kind = sub.toLowerCase();
  const list = (kind === "_related" ? described.related : described.field) as Array<Record<string, unknown>>;
  if (kind === "_field" || kind === "_related") {
    if (item === undefined || item === "") return ok({ resource: list }, list.length);
    const found = list.find((x) => String(x.name).toLowerCase() === item.toLowerCase());
    if (found === undefined) {
      throw new SandboxHttpError(404, kind === "_field" ? `Field '${item}' not found.` : `Relationship '${item}' not found.`);
    }
    return ok(found, 1);
  }
  // Deprecated alias: /_schema/{table}/{field}.
  const field = (described.field as Array<Record<string, unknown>>).find((x) => String(x.name).toLowerCase() === kind);
  if (field === undefined || item !== undefined) throw new SandboxHttpError(404, `Field '${sub}' not found.`);
  return ok(field, 1);
}

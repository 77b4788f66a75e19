import type { Principal } from "../auth/principal.js";
import { SandboxHttpError } from "../errors.js";
import { DB_SERVICE } from "../rbac/demo-role-access.js";
import type { ApiVerb } from "../rbac/verb-mask.js";
import { ok, type ApiRequest, type ApiResponse } from "./api-request.js";
import { DataAccess } from "./data-access.js";
import { RequestOptions } from "./request-options.js";
import type { SandboxContext } from "./sandbox-context.js";
import { handleSchema, tableNotFound } from "./schema-resource.js";
import { listTables } from "./table-list.js";
import { readRecords } from "./table-read.js";
import { writeRecords } from "./table-write.js";

function ucfirst(verb: ApiVerb): string {
  return verb.charAt(0) + verb.slice(1).toLowerCase();
}

function withoutResource(verb: ApiVerb, service: string): SandboxHttpError {
  return new SandboxHttpError(400, `${ucfirst(verb)} requests without a resource are not currently supported by the '${service}' service.`);
}

/**
 * The database service (`/api/v2/db/...`), after AccessCheck. Every request runs in ONE database transaction as
 * the acting user (`asUser`: the DreamFactory role's Postgres role, user id, e-mail and team), so row-level
 * security, column privileges and masking apply. Batch errors of the default and `continue` modes are raised after
 * COMMIT, so the successful records stay written, as in DreamFactory.
 */
export async function handleDbService(ctx: SandboxContext, req: ApiRequest, principal: Principal): Promise<ApiResponse> {
  const access = new DataAccess(principal, req.resource, req.verb, req.baseUrl);
  const [first, ...rest] = req.segments;
  const resource = (first ?? "").toLowerCase();
  if (resource === "") return serviceRoot(req, access, ctx);
  if (resource === "_schema") {
    const options = new RequestOptions(req.query, req.body, false);
    return handleSchema(req.verb, rest, ctx.db.tables(), (n) => ctx.db.table(n), access, options);
  }
  if (resource !== "_table") throw new SandboxHttpError(404, `Resource '${first ?? ""}' not found for service '${DB_SERVICE}'.`);
  const [tableName, ...idParts] = rest;
  if (tableName === undefined || tableName === "") {
    if (req.verb !== "GET") throw withoutResource(req.verb, "_table");
    return listTables(ctx.db.tables(), "_table", access, new RequestOptions(req.query, req.body, false));
  }
  const table = ctx.db.table(tableName);
  if (table === undefined) throw tableNotFound(tableName);
  const id = idParts.length === 0 ? undefined : idParts.join("/");
  if (id !== undefined && id.trim() === "") throw new SandboxHttpError(404, `Record with identifier '' not found.`);
  const options = new RequestOptions(req.query, req.body, true);
  const verb = req.verb;
  if (verb === "GET") {
    return ctx.db.asUser(access.acting, (q) => readRecords({ q, table, access, options, body: req.body, id, maxRecords: ctx.maxRecords }));
  }
  const outcome = await ctx.db.asUser(access.acting, (q) => writeRecords({ q, table, access, options, body: req.body, verb, id }));
  if (outcome.deferredError !== null) throw outcome.deferredError;
  return outcome.response;
}

function serviceRoot(req: ApiRequest, access: DataAccess, ctx: SandboxContext): ApiResponse {
  if (req.verb !== "GET") throw withoutResource(req.verb, DB_SERVICE);
  const options = new RequestOptions(req.query, req.body, false);
  if (options.bool("as_access_list")) {
    const candidates = ["", "*", "_schema/", "_schema/*"];
    for (const t of ctx.db.tables()) candidates.push(`_schema/${t.name}/`, `_schema/${t.name}/*`);
    candidates.push("_table/", "_table/*");
    for (const t of ctx.db.tables()) candidates.push(`_table/${t.name}/`, `_table/${t.name}/*`);
    const allowed = candidates.filter((c) => access.mask(c) !== 0);
    return ok({ resource: allowed }, allowed.length);
  }
  const names = ["_schema", "_table"];
  return ok({ resource: options.bool("as_list") ? names : names.map((name) => ({ name })) }, names.length);
}

import { checkAccess, checkIdentified } from "../auth/access-check.js";
import type { RequestCredentials } from "../auth/credentials.js";
import type { Principal } from "../auth/principal.js";
import { handleSession } from "../auth/session-resource.js";
import { SandboxHttpError } from "../errors.js";
import { DB_SERVICE } from "../rbac/demo-role-access.js";
import type { ApiRequest, ApiResponse } from "./api-request.js";
import { handleDbService } from "./db-service.js";
import type { SandboxContext } from "./sandbox-context.js";
import { listServices } from "./service-list.js";
import { handleSystemService } from "./system-service.js";

/**
 * Routes a request to its service. Session endpoints are RBAC access exceptions; everything else passes
 * AccessCheck first, so a non-admin asking for an unknown service gets the role's 403 before the 404, as in
 * DreamFactory.
 */
export async function dispatch(
  ctx: SandboxContext,
  req: ApiRequest,
  principal: Principal,
  credentials: RequestCredentials,
): Promise<ApiResponse> {
  const path = req.segments.join("/").toLowerCase();
  const deps = { directory: ctx.directory, tokens: ctx.tokens, now: ctx.now, ttlSeconds: ctx.ttlSeconds };
  if (req.service === "") {
    checkIdentified(principal);
    if (req.verb !== "GET") throw new SandboxHttpError(405, `The ${req.verb} method is not supported for this route.`);
    return listServices(req, principal);
  }
  if (req.service === "user" && path === "session") {
    return handleSession("user", req, principal, credentials.sessionToken, deps);
  }
  if (req.service === "system" && path === "admin/session") {
    return handleSession("admin", req, principal, credentials.sessionToken, deps);
  }
  checkAccess(principal, req.service, req.resource, req.verb);
  switch (req.service) {
    case DB_SERVICE:
      return handleDbService(ctx, req, principal);
    case "system":
      return handleSystemService(ctx, req);
    case "user":
      if (path === "" && req.verb === "GET") return { status: 200, body: { resource: [{ name: "session" }] }, rows: 1 };
      throw new SandboxHttpError(404, `Resource '${req.segments[0] ?? ""}' not found for service 'user'.`);
    default:
      throw new SandboxHttpError(404, `Could not find a service for ${req.service}`);
  }
}

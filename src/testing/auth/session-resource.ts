import { SandboxHttpError } from "../errors.js";
import { ok, type ApiRequest, type ApiResponse } from "../http/api-request.js";
import type { DirectoryUser, SandboxDirectory } from "./directory.js";
import type { Principal } from "./principal.js";
import { formatDfDate, sessionInfo } from "./session-info.js";
import { TokenRejected, type TokenService } from "./token-service.js";

/** What the session endpoints need from the sandbox. */
export interface SessionDeps {
  directory: SandboxDirectory;
  tokens: TokenService;
  /** Current time in milliseconds. */
  now: () => number;
  ttlSeconds: number;
}

/** Which session endpoint: `user/session` (non-admins) or `system/admin/session` (sys-admins). */
export type SessionKind = "user" | "admin";

/**
 * `POST|GET|PUT|DELETE /api/v2/user/session` and `/api/v2/system/admin/session` (reference §5.2): login, session
 * info, refresh (new token, old one blacklisted, original `iat` kept) and logout. These are RBAC access
 * exceptions: no role permission is needed, but remembered token failures still answer for GET and DELETE.
 */
export async function handleSession(
  kind: SessionKind,
  req: ApiRequest,
  principal: Principal,
  rawToken: string | null,
  deps: SessionDeps,
): Promise<ApiResponse> {
  switch (req.verb) {
    case "POST":
      return login(kind, req, principal, deps);
    case "GET":
      return current(kind, principal, deps);
    case "PUT":
    case "PATCH":
      return refresh(kind, req, principal, rawToken, deps);
    case "DELETE":
      return logout(principal, deps);
  }
}

function field(body: unknown, name: string): string | null {
  if (typeof body !== "object" || body === null || Array.isArray(body)) return null;
  const value = (body as Record<string, unknown>)[name];
  return typeof value === "string" && value !== "" ? value : null;
}

async function login(kind: SessionKind, req: ApiRequest, principal: Principal, deps: SessionDeps): Promise<ApiResponse> {
  const email = field(req.body, "email") ?? req.query.get("email");
  const password = field(req.body, "password") ?? req.query.get("password");
  if (email === null || email === "") throw new SandboxHttpError(400, "Login request is missing required email.");
  if (password === null || password === "") throw new SandboxHttpError(400, "Login request is missing required password.");
  const user = deps.directory.userByEmail(email);
  if (user === undefined || user.password !== password || user.isSysAdmin !== (kind === "admin")) {
    throw new SandboxHttpError(401, "Invalid credentials supplied.");
  }
  if (!user.active) throw new SandboxHttpError(403, "User is not active.");
  if (principal.app !== null && !principal.app.active) throw new SandboxHttpError(403, "App is not active.");
  const role = roleFor(user, principal, deps);
  if (role !== null && !role.active) throw new SandboxHttpError(403, "Role is not active.");
  const token = await deps.tokens.issue(user, `${req.baseUrl}${req.pathname}`);
  user.lastLoginDate = formatDfDate(deps.now());
  return ok(sessionInfo(token, user, role, deps.now(), deps.ttlSeconds), 1);
}

function roleFor(user: DirectoryUser, principal: Principal, deps: SessionDeps) {
  const app = principal.app;
  if (user.isSysAdmin && (app === null || !app.userRoles.has(user.id))) return null;
  return deps.directory.resolveRole(app, user);
}

function current(kind: SessionKind, principal: Principal, deps: SessionDeps): ApiResponse {
  if (principal.authError !== null) throw principal.authError;
  const user = principal.user;
  if (user === null || principal.sessionToken === null) {
    if (kind === "admin") throw new SandboxHttpError(404, "No user session found.");
    throw new SandboxHttpError(401, "There is no valid session for the current request.");
  }
  if (kind === "admin" && !user.isSysAdmin) throw new SandboxHttpError(401, "You are not authorized to perform this action.");
  return ok(sessionInfo(principal.sessionToken, user, roleFor(user, principal, deps), deps.now(), deps.ttlSeconds), 1);
}

async function refresh(
  kind: SessionKind,
  req: ApiRequest,
  principal: Principal,
  rawToken: string | null,
  deps: SessionDeps,
): Promise<ApiResponse> {
  if (rawToken === null) throw new SandboxHttpError(401, "Token refresh failed. A token is required");
  let claims;
  try {
    claims = await deps.tokens.verifyForRefresh(rawToken);
  } catch (err) {
    if (err instanceof TokenRejected) throw new SandboxHttpError(401, `Token refresh failed. ${err.message}`);
    throw err;
  }
  const user = deps.directory.userById(claims.user_id);
  if (user === undefined || !user.active) throw new SandboxHttpError(401, "Token refresh failed. User verification failed.");
  if (kind === "admin" && !user.isSysAdmin) throw new SandboxHttpError(401, "You are not authorized to perform this action.");
  deps.tokens.blacklist(claims);
  const token = await deps.tokens.issue(user, `${req.baseUrl}${req.pathname}`, claims.iat);
  return ok(sessionInfo(token, user, roleFor(user, principal, deps), deps.now(), deps.ttlSeconds), 1);
}

function logout(principal: Principal, deps: SessionDeps): ApiResponse {
  if (principal.authError !== null) throw principal.authError;
  if (principal.claims !== null) deps.tokens.blacklist(principal.claims);
  return ok({ success: true });
}

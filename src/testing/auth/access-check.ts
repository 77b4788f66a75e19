import { SandboxHttpError } from "../errors.js";
import { resolvePermissions, normalizeComponent } from "../rbac/resolve-permissions.js";
import { ALL_VERBS_MASK, VERB_BITS, type ApiVerb } from "../rbac/verb-mask.js";
import type { Principal } from "./principal.js";

/** DreamFactory's messages of the AccessCheck failure matrix (reference §5.5). */
export const ACCESS_MESSAGES = {
  noCredentials:
    "No session token (JWT) or API Key detected in request. Please send in X-DreamFactory-Session-Token and/or X-DreamFactory-API-Key request header. You can also use URL query parameters session_token and/or api_key.",
  noApiKey:
    "No API Key provided. Please provide a valid API Key using X-DreamFactory-API-Key request header or 'api_key' url query parameter.",
  noSessionToken:
    "No session token (JWT) provided. Please provide a valid JWT using X-DreamFactory-Session-Token request header or 'session_token' url query parameter.",
  roleNotFound: "Role not found. A role may not be assigned to you or your application.",
  roleInactive:
    "Access Forbidden. The role assigned to you or your application or the default role of your application is not active.",
  appInactive: "App is not active.",
  notAuthenticated: "Unauthorized. User is not authenticated.",
} as const;

/** Verb mask the principal holds on (service, component). */
export function permissionsOf(principal: Principal, service: string, component: string): number {
  if (principal.isSysAdmin) return ALL_VERBS_MASK;
  const role = principal.role;
  if (role === null || !role.active) return 0;
  return resolvePermissions(role.access, service, component);
}

/** The 403 an authenticated user gets when the role lacks the verb on the component. */
export function forbiddenError(verb: ApiVerb, service: string, component: string): SandboxHttpError {
  const c = normalizeComponent(component);
  const target = c === "" ? `service '${service}'` : `component '${c}' of service '${service}'`;
  return new SandboxHttpError(403, `Access Forbidden. ${verb} access to ${target} is not allowed by this user's role.`);
}

/**
 * AccessCheck (df-core, reference §5.5): remembered token failures first, then the role's permission on
 * (service, component, verb); when denied, the answer follows DreamFactory's order of checks.
 * @throws SandboxHttpError
 */
export function checkAccess(principal: Principal, service: string, component: string, verb: ApiVerb): void {
  if (principal.authError !== null) throw principal.authError;
  if (principal.app !== null && !principal.app.active) throw new SandboxHttpError(403, ACCESS_MESSAGES.appInactive);
  if ((permissionsOf(principal, service, component) & VERB_BITS[verb]) !== 0) return;
  if (verb === "GET" && normalizeComponent(component).replace(/\/+$/, "") === "_schema" && hasAnyGet(principal, service)) return;
  throw denial(principal, verb, service, component);
}

/** The first AccessCheck failures (token, credentials, role) without a permission check; used by open routes. */
export function checkIdentified(principal: Principal): void {
  if (principal.authError !== null) throw principal.authError;
  if (principal.app !== null && !principal.app.active) throw new SandboxHttpError(403, ACCESS_MESSAGES.appInactive);
  if (principal.isSysAdmin) return;
  if (principal.role === null || !principal.role.active) throw denial(principal, "GET", "", "");
}

function hasAnyGet(principal: Principal, service: string): boolean {
  const role = principal.role;
  if (role === null || !role.active) return false;
  return role.access.some(
    (row) => (row.verbMask & VERB_BITS.GET) !== 0 && (row.service === null || row.service.toLowerCase() === service.toLowerCase()),
  );
}

function denial(principal: Principal, verb: ApiVerb, service: string, component: string): SandboxHttpError {
  if (!principal.sentApiKey && !principal.sentSessionToken && principal.user === null) {
    return new SandboxHttpError(400, ACCESS_MESSAGES.noCredentials);
  }
  if (principal.role === null) {
    if (!principal.sentApiKey) return new SandboxHttpError(400, ACCESS_MESSAGES.noApiKey);
    if (principal.user === null) return new SandboxHttpError(400, ACCESS_MESSAGES.noSessionToken);
    return new SandboxHttpError(403, ACCESS_MESSAGES.roleNotFound);
  }
  if (!principal.role.active) return new SandboxHttpError(403, ACCESS_MESSAGES.roleInactive);
  if (principal.user === null) return new SandboxHttpError(401, ACCESS_MESSAGES.notAuthenticated);
  return forbiddenError(verb, service, component);
}

import { SandboxHttpError } from "../errors.js";
import type { RequestCredentials } from "./credentials.js";
import type { SandboxDirectory } from "./directory.js";
import type { Principal } from "./principal.js";
import { subjectOf, TokenRejected, type TokenService } from "./token-service.js";

/** DreamFactory's answer for an expired session token. */
export const TOKEN_EXPIRED_MESSAGE =
  "Token has expired: Session expired. Please refresh your token (if still within refresh window) or re-login.";
/** DreamFactory's answer for a blacklisted (logged out or refreshed) session token. */
export const TOKEN_BLACKLISTED_MESSAGE = "The token has been blacklisted: Session terminated. Please re-login.";

/**
 * AuthCheck (reference §5.1): identifies the app from the API key and the user from the session token (or HTTP
 * Basic), resolves the role, and remembers token failures for AccessCheck instead of throwing.
 */
export async function authenticate(
  credentials: RequestCredentials,
  directory: SandboxDirectory,
  tokens: TokenService,
): Promise<Principal> {
  const app = credentials.apiKey === null ? null : (directory.appByKey(credentials.apiKey) ?? null);
  const principal: Principal = {
    user: null,
    app,
    role: null,
    isSysAdmin: false,
    sentApiKey: credentials.apiKey !== null,
    sentSessionToken: credentials.sessionToken !== null,
    claims: null,
    sessionToken: null,
    authError: null,
  };
  if (credentials.sessionToken !== null) {
    try {
      const claims = await tokens.verify(credentials.sessionToken);
      const user = directory.userById(claims.user_id);
      if (user === undefined || subjectOf(user.email) !== claims.sub) {
        principal.authError = new SandboxHttpError(401, "Invalid token: User verification failed.");
      } else if (!user.active) {
        principal.authError = new SandboxHttpError(403, "User is not active.");
      } else {
        principal.user = user;
        principal.claims = claims;
        principal.sessionToken = credentials.sessionToken;
      }
    } catch (err) {
      if (!(err instanceof TokenRejected)) throw err;
      const f = err.failure;
      principal.authError =
        f.kind === "expired"
          ? new SandboxHttpError(401, TOKEN_EXPIRED_MESSAGE)
          : f.kind === "blacklisted"
            ? new SandboxHttpError(403, TOKEN_BLACKLISTED_MESSAGE)
            : new SandboxHttpError(401, `Invalid token: ${f.reason}`);
    }
  } else if (credentials.basic !== null) {
    const user = directory.userByEmail(credentials.basic.email);
    if (user === undefined || user.password !== credentials.basic.password) {
      principal.authError = new SandboxHttpError(401, "Unauthorized. User credentials did not match.");
    } else if (!user.active) {
      principal.authError = new SandboxHttpError(403, "User is not active.");
    } else {
      principal.user = user;
    }
  }
  const user = principal.user;
  principal.isSysAdmin = user !== null && user.isSysAdmin && (app === null || !app.userRoles.has(user.id));
  principal.role = principal.isSysAdmin ? null : directory.resolveRole(app, user);
  return principal;
}

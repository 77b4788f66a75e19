import type { SandboxHttpError } from "../errors.js";
import type { DirectoryApp, DirectoryRole, DirectoryUser } from "./directory.js";
import type { SessionClaims } from "./token-service.js";

/** Who a request comes from, after AuthCheck (reference §5.1): nothing here has been authorised yet. */
export interface Principal {
  /** The user of a valid session token (or HTTP Basic login); null for API-key-only or anonymous calls. */
  user: DirectoryUser | null;
  /** The app of the API key sent, when known. */
  app: DirectoryApp | null;
  /** Role resolved for (app, user); null for sys-admins without mapping or when nothing resolves. */
  role: DirectoryRole | null;
  /** Sys-admin without a role mapping: every verb on everything. */
  isSysAdmin: boolean;
  /** Whether an API key was sent at all (known or not). */
  sentApiKey: boolean;
  /** Whether a session token was sent at all (valid or not). */
  sentSessionToken: boolean;
  /** Claims of the valid session token. */
  claims: SessionClaims | null;
  /** The valid session token itself (for `{session.token}` lookups only; never logged). */
  sessionToken: string | null;
  /** AuthCheck's remembered failure (expired, blacklisted, invalid token, bad Basic credentials). */
  authError: SandboxHttpError | null;
}

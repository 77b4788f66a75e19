import { hostname } from "node:os";
import type { DirectoryRole, DirectoryUser } from "./directory.js";

/** Session JSON as DreamFactory returns it (df-core `Session::getPublicInfo`, reference §5.2). */
export interface SessionInfo {
  session_token: string;
  session_id: string;
  id: number;
  name: string;
  first_name: string;
  last_name: string;
  email: string;
  is_sys_admin: boolean;
  last_login_date: string | null;
  host: string;
  token_expiry_date: string;
  role?: string;
  role_id?: number;
}

/** "Y-m-d H:i:s" in UTC, DreamFactory's date format. */
export function formatDfDate(ms: number): string {
  return new Date(ms).toISOString().replace("T", " ").slice(0, 19);
}

/**
 * Builds the session body. `token_expiry_date` is now + TTL at response time (not read from the token), as in
 * DreamFactory; role keys only when a role applies.
 */
export function sessionInfo(
  token: string,
  user: DirectoryUser,
  role: DirectoryRole | null,
  nowMs: number,
  ttlSeconds: number,
): SessionInfo {
  const info: SessionInfo = {
    session_token: token,
    session_id: token,
    id: user.id,
    name: `${user.firstName} ${user.lastName}`,
    first_name: user.firstName,
    last_name: user.lastName,
    email: user.email,
    is_sys_admin: user.isSysAdmin,
    last_login_date: user.lastLoginDate,
    host: hostname(),
    token_expiry_date: formatDfDate(nowMs + ttlSeconds * 1000),
  };
  if (role !== null) {
    info.role = role.name;
    info.role_id = role.id;
  }
  return info;
}

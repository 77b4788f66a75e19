import type { DreamFactoryCredential } from "./dreamfactory-credential.js";

/**
 * Who a DreamFactory session belongs to, as DreamFactory reports it (`GET /api/v2/user/session`, or the body of a
 * login/refresh). Non-secret: the session token of the answer is never kept. Good for display ("answering as
 * Alice Archer (sales_rep)") and for identity checks.
 */
export interface DreamFactorySessionInfo {
  /** DreamFactory user id. */
  readonly id: number;
  /** The user's e-mail as DreamFactory stores it. */
  readonly email: string;
  /** Display name. */
  readonly name: string;
  /** First name ("" when unset). */
  readonly firstName: string;
  /** Last name ("" when unset). */
  readonly lastName: string;
  /** Role name for the app of the API key; `null` when no role applies (e.g. a sys-admin without a mapping). */
  readonly role: string | null;
  /** Role id; `null` when no role applies. */
  readonly roleId: number | null;
  /** Whether the user is a DreamFactory sys-admin. */
  readonly isSysAdmin: boolean;
}

/**
 * Anything that can tell who a credential belongs to; {@link DreamFactoryCredential.whoami} takes one.
 * `DreamFactoryClient` is one (its `sessionInfo` looks the session up once per token and caches it).
 */
export interface SessionInfoSource {
  /**
   * Who `credential` belongs to.
   * @param credential - the credential to look up
   */
  sessionInfo(credential: DreamFactoryCredential): Promise<DreamFactorySessionInfo>;
}

function text(value: unknown): string {
  return typeof value === "string" ? value : "";
}

/**
 * Reads DreamFactory's session JSON (`Session::getPublicInfo`: `id, name, first_name, last_name, email,
 * is_sys_admin, role, role_id, session_token, …`) into a frozen {@link DreamFactorySessionInfo}, dropping the token.
 * Returns `undefined` when the body has no integer `id` or no `email`.
 *
 * @param body - the parsed JSON body
 */
export function parseSessionInfo(body: unknown): DreamFactorySessionInfo | undefined {
  if (typeof body !== "object" || body === null || Array.isArray(body)) return undefined;
  const b = body as Record<string, unknown>;
  const id = typeof b["id"] === "string" && /^\d+$/.test(b["id"]) ? Number(b["id"]) : b["id"];
  if (typeof id !== "number" || !Number.isSafeInteger(id) || id < 0) return undefined;
  const email = b["email"];
  if (typeof email !== "string" || email === "") return undefined;
  const firstName = text(b["first_name"]);
  const lastName = text(b["last_name"]);
  const name = text(b["name"]) || [firstName, lastName].filter((part) => part !== "").join(" ");
  const role = typeof b["role"] === "string" && b["role"] !== "" ? b["role"] : null;
  const rawRoleId = b["role_id"];
  const roleId = typeof rawRoleId === "number" && Number.isSafeInteger(rawRoleId) ? rawRoleId : null;
  const admin = b["is_sys_admin"];
  return Object.freeze({
    id,
    email,
    name,
    firstName,
    lastName,
    role,
    roleId: role === null ? null : roleId,
    isSysAdmin: admin === true || admin === 1 || admin === "1" || admin === "true",
  });
}

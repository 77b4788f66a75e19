/**
 * DreamFactory lookups (reference §7.5): `{user.id}`, `{user.email}`, `{session.token}`, `{role.name}`, custom
 * lookups such as `{tenant_id}`, optionally wrapped in an allowed modifier (`{strtoupper(user.email)}`).
 * Substituted in server-side filters, in client filters (exactly like DreamFactory, see reference §12) and in
 * filter values checked on writes. Unknown lookups are left unchanged.
 */

/** Everything a lookup may resolve to for one request. */
export interface LookupContext {
  user: {
    id: number;
    name: string;
    firstName: string;
    lastName: string;
    email: string;
    isSysAdmin: boolean;
    lastLoginDate: string | null;
  } | null;
  role: { id: number; name: string } | null;
  app: { id: number; apiKey: string } | null;
  /** The caller's session JWT (DreamFactory substitutes it for `{session.token}` and `{session.id}`). */
  sessionToken: string | null;
  /** Custom lookups (system → app → role → user already merged, later wins). */
  custom: Readonly<Record<string, string>>;
  hostUrl: string;
}

const MODIFIERS: Readonly<Record<string, (value: string) => string>> = {
  strtoupper: (v) => v.toUpperCase(),
  strtolower: (v) => v.toLowerCase(),
  ucfirst: (v) => v.charAt(0).toUpperCase() + v.slice(1),
  lcfirst: (v) => v.charAt(0).toLowerCase() + v.slice(1),
  ucwords: (v) => v.replace(/(^|\s)(\S)/g, (_m, space: string, ch: string) => space + ch.toUpperCase()),
  urlencode: (v) => encodeURIComponent(v).replace(/%20/g, "+"),
  urldecode: (v) => safeDecode(v.replace(/\+/g, " ")),
  rawurlencode: (v) => encodeURIComponent(v),
  rawurldecode: (v) => safeDecode(v),
  base64_encode: (v) => Buffer.from(v, "utf8").toString("base64"),
  base64_decode: (v) => Buffer.from(v, "base64").toString("utf8"),
  trim: (v) => v.trim(),
};

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** Builds the lookup table (name → value) for one request. */
export function buildLookups(ctx: LookupContext): Map<string, string> {
  const lookups = new Map<string, string>(Object.entries(ctx.custom));
  lookups.set("df.host_url", ctx.hostUrl);
  lookups.set("df.name", "DreamFactory Sandbox");
  lookups.set("df.version", "7.0.0");
  lookups.set("df.api_version", "2.0");
  if (ctx.user !== null) {
    const u = ctx.user;
    lookups.set("user.id", String(u.id));
    lookups.set("user.name", u.name);
    lookups.set("user.username", u.email);
    lookups.set("user.display_name", u.name);
    lookups.set("user.first_name", u.firstName);
    lookups.set("user.last_name", u.lastName);
    lookups.set("user.email", u.email);
    lookups.set("user.is_sys_admin", u.isSysAdmin ? "1" : "0");
    if (u.lastLoginDate !== null) lookups.set("user.last_login_date", u.lastLoginDate);
  }
  if (ctx.role !== null) {
    lookups.set("role.id", String(ctx.role.id));
    lookups.set("role.name", ctx.role.name);
  }
  if (ctx.app !== null) {
    lookups.set("app.id", String(ctx.app.id));
    lookups.set("app.api_key", ctx.app.apiKey);
  }
  if (ctx.sessionToken !== null) {
    lookups.set("session.id", ctx.sessionToken);
    lookups.set("session.token", ctx.sessionToken);
  }
  return lookups;
}

const LOOKUP = /\{([A-Za-z_][A-Za-z0-9_]*)\(([A-Za-z0-9_.]+)\)\}|\{([A-Za-z0-9_.]+)\}/g;

/** Replaces every known `{lookup}` (or `{modifier(lookup)}`) in `text`; unknown ones stay as written. */
export function substituteLookups(text: string, lookups: ReadonlyMap<string, string>): string {
  return text.replace(LOOKUP, (whole, modifier: string | undefined, inner: string | undefined, plain: string | undefined) => {
    if (plain !== undefined) return lookups.get(plain) ?? whole;
    const fn = modifier === undefined ? undefined : MODIFIERS[modifier];
    const value = inner === undefined ? undefined : lookups.get(inner);
    return fn === undefined || value === undefined ? whole : fn(value);
  });
}

import { createHash, randomBytes } from "node:crypto";
import { decodeJwt, SignJWT } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { startSandbox } from "../src/testing/index.js";
import { useResource } from "./support/sandbox-fixture.js";

let clockOffsetMs = 0;
const TTL = 3600;
const REFRESH_TTL = 7200;

interface Reply {
  status: number;
  body: any;
  headers: Headers;
}

async function call(
  method: string,
  path: string,
  opts: { token?: string | null; key?: string | null; body?: unknown; headers?: Record<string, string> } = {},
): Promise<Reply> {
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  const key = opts.key === undefined ? sb.apiKey : opts.key;
  if (key !== null) headers["X-DreamFactory-API-Key"] = key;
  if (opts.token) headers["X-DreamFactory-Session-Token"] = opts.token;
  if (opts.body !== undefined) headers["Content-Type"] = "application/json";
  const res = await fetch(`${sb.url}${path}`, {
    method,
    headers,
    ...(opts.body === undefined ? {} : { body: JSON.stringify(opts.body) }),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: res.status, body, headers: res.headers };
}

function expectError(reply: Reply, status: number, message: string): void {
  expect({ status: reply.status, error: reply.body?.error }).toEqual({
    status,
    error: { code: status, context: null, message, status_code: status },
  });
}

const M = {
  expired: "Token has expired: Session expired. Please refresh your token (if still within refresh window) or re-login.",
  blacklisted: "The token has been blacklisted: Session terminated. Please re-login.",
  badSignature: "Invalid token: Token Signature could not be verified.",
  noCredentials:
    "No session token (JWT) or API Key detected in request. Please send in X-DreamFactory-Session-Token and/or X-DreamFactory-API-Key request header. You can also use URL query parameters session_token and/or api_key.",
  noApiKey:
    "No API Key provided. Please provide a valid API Key using X-DreamFactory-API-Key request header or 'api_key' url query parameter.",
  noSessionToken:
    "No session token (JWT) provided. Please provide a valid JWT using X-DreamFactory-Session-Token request header or 'session_token' url query parameter.",
  roleNotFound: "Role not found. A role may not be assigned to you or your application.",
  roleInactive: "Access Forbidden. The role assigned to you or your application or the default role of your application is not active.",
  notAuthenticated: "Unauthorized. User is not authenticated.",
};

const ORDERS = "/api/v2/db/_table/orders";

/** One sandbox for the file; its clock is ours so tokens can expire. */
const sb = useResource(() =>
  startSandbox({
    tokenTtlSeconds: TTL,
    refreshTtlSeconds: REFRESH_TTL,
    now: () => Date.now() + clockOffsetMs,
    scale: { customers: 60, orders: 300, kbArticles: 10, products: 20 },
  }),
);

describe("login, session info, refresh, logout (DreamFactory §5.2, §5.3, §12)", () => {
  it("POST /user/session returns DreamFactory's session JSON and a token with its claims", async () => {
    const reply = await call("POST", "/api/v2/user/session", { body: { email: "alice@example.com", password: "alice-demo-pass" } });
    expect(reply.status).toBe(200);
    const s = reply.body;
    expect(Object.keys(s)).toEqual([
      "session_token", "session_id", "id", "name", "first_name", "last_name", "email", "is_sys_admin",
      "last_login_date", "host", "token_expiry_date", "role", "role_id",
    ]);
    expect(s).toMatchObject({ id: 1, name: "Alice Archer", first_name: "Alice", last_name: "Archer", email: "alice@example.com", is_sys_admin: false, role: "sales_rep", role_id: 1 });
    expect(s.session_id).toBe(s.session_token);
    expect(s.token_expiry_date).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    const claims = decodeJwt(s.session_token);
    expect(claims.sub).toBe(createHash("md5").update("alice@example.com").digest("hex"));
    expect(claims).toMatchObject({ user_id: 1, forever: false, iss: `${sb.url}/api/v2/user/session` });
    expect(claims.nbf).toBe(claims.iat);
    expect((claims.exp as number) - (claims.iat as number)).toBe(TTL);
    expect(String(claims.jti)).toHaveLength(16);
  });

  it("refuses missing fields, wrong passwords and the wrong endpoint for admins / non-admins", async () => {
    expectError(await call("POST", "/api/v2/user/session", { body: { password: "x" } }), 400, "Login request is missing required email.");
    expectError(await call("POST", "/api/v2/user/session", { body: { email: "alice@example.com" } }), 400, "Login request is missing required password.");
    expectError(await call("POST", "/api/v2/user/session", { body: { email: "alice@example.com", password: "nope" } }), 401, "Invalid credentials supplied.");
    expectError(await call("POST", "/api/v2/user/session", { body: { email: "nobody@example.com", password: "x" } }), 401, "Invalid credentials supplied.");
    expectError(await call("POST", "/api/v2/user/session", { body: sb.users.admin }), 401, "Invalid credentials supplied.");
    expectError(await call("POST", "/api/v2/system/admin/session", { body: sb.users.alice }), 401, "Invalid credentials supplied.");
    const admin = await call("POST", "/api/v2/system/admin/session", { body: sb.users.admin, key: null });
    expect(admin.status).toBe(200);
    expect(admin.body).toMatchObject({ is_sys_admin: true, email: "admin@example.com" });
    expect(admin.body).not.toHaveProperty("role");
    expect(decodeJwt(admin.body.session_token).iss).toBe(`${sb.url}/api/v2/system/admin/session`);
  });

  it("GET /user/session reads the session; without a token it is 401", async () => {
    const token = await sb.login(sb.users.bob.email, sb.users.bob.password);
    const reply = await call("GET", "/api/v2/user/session", { token });
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ session_token: token, id: 2, email: "bob@example.com", role: "sales_rep" });
    expectError(await call("GET", "/api/v2/user/session"), 401, "There is no valid session for the current request.");
  });

  it("admin session endpoint: GET for the admin, 401 for others, 404 without a session", async () => {
    const admin = await sb.login(sb.users.admin.email, sb.users.admin.password);
    expect((await call("GET", "/api/v2/system/admin/session", { token: admin, key: null })).body).toMatchObject({ id: 5, is_sys_admin: true });
    const carol = await sb.login(sb.users.carol.email, sb.users.carol.password);
    expectError(await call("GET", "/api/v2/system/admin/session", { token: carol }), 401, "You are not authorized to perform this action.");
    expectError(await call("GET", "/api/v2/system/admin/session"), 404, "No user session found.");
  });

  it("PUT refreshes: new token with the original iat, the old one blacklisted; a second refresh of it fails", async () => {
    const old = await sb.login(sb.users.alice.email, sb.users.alice.password);
    clockOffsetMs += 5_000;
    const reply = await call("PUT", "/api/v2/user/session", { token: old });
    expect(reply.status).toBe(200);
    const fresh = reply.body.session_token as string;
    expect(fresh).not.toBe(old);
    const a = decodeJwt(old);
    const b = decodeJwt(fresh);
    expect(b.iat).toBe(a.iat);
    expect(b.nbf).toBeGreaterThan(a.nbf as number);
    expect(b.exp).toBeGreaterThan(a.exp as number);
    expect(b.jti).not.toBe(a.jti);
    expect((await call("GET", ORDERS + "?limit=1", { token: fresh })).status).toBe(200);
    expectError(await call("GET", ORDERS + "?limit=1", { token: old }), 403, M.blacklisted);
    expectError(await call("PUT", "/api/v2/user/session", { token: old }), 401, "Token refresh failed. The token has been blacklisted");
    expectError(await call("PUT", "/api/v2/user/session"), 401, "Token refresh failed. A token is required");
  });

  it("an expired token answers 401 (even when blacklisted), may be refreshed within the window, not after", async () => {
    const token = await sb.login(sb.users.bob.email, sb.users.bob.password);
    const loggedOut = await sb.login(sb.users.bob.email, sb.users.bob.password);
    expect((await call("DELETE", "/api/v2/user/session", { token: loggedOut })).body).toEqual({ success: true });
    clockOffsetMs += (TTL + 10) * 1000;
    try {
      expectError(await call("GET", ORDERS, { token }), 401, M.expired);
      expectError(await call("GET", ORDERS, { token: loggedOut }), 401, M.expired);
      expectError(await call("GET", "/api/v2/user/session", { token }), 401, M.expired);
      const refreshed = await call("PUT", "/api/v2/user/session", { token });
      expect(refreshed.status).toBe(200);
      expect((await call("GET", ORDERS + "?limit=1", { token: refreshed.body.session_token })).status).toBe(200);
      const tooOld = await sb.login(sb.users.carol.email, sb.users.carol.password);
      clockOffsetMs += (REFRESH_TTL + 10) * 1000;
      expectError(await call("PUT", "/api/v2/user/session", { token: tooOld }), 401, "Token refresh failed. Token has expired and can no longer be refreshed");
    } finally {
      clockOffsetMs = 0;
    }
  });

  it("DELETE logs out: the token is blacklisted (403) and the session endpoint says so", async () => {
    const token = await sb.login(sb.users.carol.email, sb.users.carol.password);
    expect((await call("DELETE", "/api/v2/user/session", { token })).body).toEqual({ success: true });
    expectError(await call("GET", ORDERS, { token }), 403, M.blacklisted);
    expectError(await call("GET", "/api/v2/user/session", { token }), 403, M.blacklisted);
  });
});

describe("AccessCheck failure matrix (DreamFactory §5.5), exact status and message", () => {
  let alice: string;
  let dave: string;
  let admin: string;
  beforeAll(async () => {
    alice = await sb.login(sb.users.alice.email, sb.users.alice.password);
    dave = await sb.login(sb.users.dave.email, sb.users.dave.password);
    admin = await sb.login(sb.users.admin.email, sb.users.admin.password);
  });

  it("token signed with another secret → 401 invalid signature; malformed → 401 invalid", async () => {
    const forged = await new SignJWT({ user_id: 1, forever: false })
      .setProtectedHeader({ alg: "HS256", typ: "JWT" })
      .setSubject(createHash("md5").update("alice@example.com").digest("hex"))
      .setIssuedAt()
      .setNotBefore("0s")
      .setExpirationTime("1h")
      .setJti("abcdefghijklmnop")
      .sign(randomBytes(32));
    expectError(await call("GET", ORDERS, { token: forged }), 401, M.badSignature);
    expectError(await call("GET", ORDERS, { token: "not-a-jwt" }), 401, "Invalid token: Wrong number of segments");
    // Invalid tokens fail even where no permission is needed (the session endpoint).
    expectError(await call("GET", "/api/v2/user/session", { token: forged }), 401, M.badSignature);
  });

  it("no API key and no token → 400", async () => {
    expectError(await call("GET", ORDERS, { key: null }), 400, M.noCredentials);
  });

  it("non-admin token without API key → 400; sys-admin token without key → allowed", async () => {
    expectError(await call("GET", ORDERS, { key: null, token: alice }), 400, M.noApiKey);
    expect((await call("GET", ORDERS + "?limit=1", { key: null, token: admin })).status).toBe(200);
  });

  it("unknown API key or an app without role, no token → 400 'No session token (JWT) provided…'", async () => {
    expectError(await call("GET", ORDERS, { key: "f".repeat(64) }), 400, M.noSessionToken);
    expectError(await call("GET", ORDERS, { key: sb.apiKeys.bare }), 400, M.noSessionToken);
  });

  it("API key + token but no role resolvable → 403 'Role not found…'", async () => {
    expectError(await call("GET", ORDERS, { key: sb.apiKeys.bare, token: alice }), 403, M.roleNotFound);
    expectError(await call("GET", ORDERS, { key: "f".repeat(64), token: alice }), 403, M.roleNotFound);
  });

  it("API key only (no user) and the role lacks access → 401", async () => {
    expectError(await call("GET", ORDERS), 401, M.notAuthenticated);
    expectError(await call("GET", "/api/v2/db/_table"), 401, M.notAuthenticated);
  });

  it("authenticated user without the verb/component → 403 naming the component and service", async () => {
    expectError(await call("GET", ORDERS, { token: dave }), 403, "Access Forbidden. GET access to component '_table/orders' of service 'db' is not allowed by this user's role.");
    expectError(await call("GET", ORDERS + "/5", { token: dave }), 403, "Access Forbidden. GET access to component '_table/orders/5' of service 'db' is not allowed by this user's role.");
    expectError(await call("POST", "/api/v2/db/_table/products", { token: alice, body: { resource: [{}] } }), 403, "Access Forbidden. POST access to component '_table/products' of service 'db' is not allowed by this user's role.");
    expectError(await call("GET", "/api/v2/system/audit", { token: alice }), 403, "Access Forbidden. GET access to component 'audit' of service 'system' is not allowed by this user's role.");
  });

  it("component omitted for a service-root request; unknown services: 403 for users, 404 for the admin", async () => {
    expectError(await call("GET", "/api/v2/nope", { token: alice }), 403, "Access Forbidden. GET access to service 'nope' is not allowed by this user's role.");
    expectError(await call("GET", "/api/v2/nope/x", { token: admin, key: null }), 404, "Could not find a service for nope");
  });

  it("inactive role, app and user → 403 with DreamFactory's messages", async () => {
    try {
      sb.setActive({ role: "sales_rep" }, false);
      expectError(await call("GET", ORDERS, { token: alice }), 403, M.roleInactive);
      expectError(await call("POST", "/api/v2/user/session", { body: sb.users.bob }), 403, "Role is not active.");
    } finally {
      sb.setActive({ role: "sales_rep" }, true);
    }
    try {
      sb.setActive({ app: "demo" }, false);
      expectError(await call("GET", ORDERS, { token: alice }), 403, "App is not active.");
    } finally {
      sb.setActive({ app: "demo" }, true);
    }
    try {
      sb.setActive({ user: "alice@example.com" }, false);
      expectError(await call("GET", ORDERS, { token: alice }), 403, "User is not active.");
      expectError(await call("POST", "/api/v2/user/session", { body: sb.users.alice }), 403, "User is not active.");
    } finally {
      sb.setActive({ user: "alice@example.com" }, true);
    }
    expect((await call("GET", ORDERS + "?limit=1", { token: alice })).status).toBe(200);
  });

  it("accepts credentials as Authorization: Bearer, as query parameters and as HTTP Basic", async () => {
    const bearer = await call("GET", ORDERS + "?limit=1", { headers: { Authorization: `Bearer ${alice}` } });
    expect(bearer.status).toBe(200);
    const query = await call("GET", `${ORDERS}?limit=1&api_key=${sb.apiKey}&session_token=${alice}`, { key: null });
    expect(query.status).toBe(200);
    const basic = Buffer.from("alice@example.com:alice-demo-pass").toString("base64");
    expect((await call("GET", ORDERS + "?limit=1", { headers: { Authorization: `Basic ${basic}` } })).status).toBe(200);
    const wrong = Buffer.from("alice@example.com:wrong").toString("base64");
    expectError(await call("GET", ORDERS, { headers: { Authorization: `Basic ${wrong}` } }), 401, "Unauthorized. User credentials did not match.");
  });
});

import { randomBytes } from "node:crypto";
import { SignJWT } from "jose";

/** A throwaway HMAC key generated per test run (nothing JWT-shaped is ever committed). */
export const TEST_SECRET = randomBytes(32).toString("hex");
const KEY = new TextEncoder().encode(TEST_SECRET);

/** Claims for {@link mintToken}; `undefined` removes a claim. */
export interface MintOptions {
  userId?: number | string | undefined;
  sub?: string | undefined;
  /** Seconds since the epoch. */
  iat?: number | undefined;
  nbf?: number | undefined;
  exp?: number | undefined;
  email?: string;
  /** Extra claims. */
  extra?: Record<string, unknown>;
  secret?: Uint8Array;
}

const nowSeconds = (): number => Math.floor(Date.now() / 1000);

/**
 * Mints a DreamFactory-shaped HS256 session JWT (claims user_id, sub, iat, nbf, exp, forever, jti).
 * @param options - claim overrides
 */
export async function mintToken(options: MintOptions = {}): Promise<string> {
  const now = nowSeconds();
  const claims: Record<string, unknown> = {
    user_id: "userId" in options ? options.userId : 1,
    sub: "sub" in options ? options.sub : "5f4dcc3b5aa765d61d8327deb882cf99",
    iat: "iat" in options ? options.iat : now,
    nbf: "nbf" in options ? options.nbf : now,
    exp: "exp" in options ? options.exp : now + 3600,
    forever: false,
    iss: "http://127.0.0.1/api/v2/user/session",
    jti: randomBytes(8).toString("hex"),
    ...(options.email === undefined ? {} : { email: options.email }),
    ...options.extra,
  };
  for (const key of Object.keys(claims)) if (claims[key] === undefined) delete claims[key];
  return new SignJWT(claims).setProtectedHeader({ alg: "HS256", typ: "JWT" }).sign(options.secret ?? KEY);
}

/**
 * An unsigned (`alg: none`) JWT with valid-looking DreamFactory claims.
 */
export function unsignedToken(): string {
  const now = nowSeconds();
  const enc = (value: object): string => Buffer.from(JSON.stringify(value)).toString("base64url");
  return `${enc({ alg: "none", typ: "JWT" })}.${enc({ user_id: 1, sub: "x", iat: now, exp: now + 60 })}.`;
}

/** The parts of a token that must never show up anywhere: the whole token and its signature. */
export function secretParts(token: string): string[] {
  const signature = token.split(".")[2] ?? "";
  return [token, signature].filter((part) => part.length >= 8);
}

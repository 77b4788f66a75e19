import { createHash } from "node:crypto";
import { decodeJwt, decodeProtectedHeader, SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { TokenRejected, TokenService } from "../src/testing/auth/token-service.js";

function clock(startMs: number) {
  let now = startMs;
  return { now: () => now, advance: (seconds: number) => (now += seconds * 1000) };
}

async function rejection(p: Promise<unknown>): Promise<TokenRejected> {
  try {
    await p;
  } catch (err) {
    if (err instanceof TokenRejected) return err;
    throw err;
  }
  throw new Error("expected a TokenRejected");
}

describe("sandbox session tokens (DreamFactory §5.3)", () => {
  const user = { id: 1, email: "alice@example.com" };
  const iss = "http://127.0.0.1:1/api/v2/user/session";

  it("issues HS256 tokens with DreamFactory's claims", async () => {
    const c = clock(1_700_000_000_000);
    const tokens = new TokenService({ ttlSeconds: 86400, refreshTtlSeconds: 1_209_600, now: c.now });
    const token = await tokens.issue(user, iss);
    expect(decodeProtectedHeader(token)).toEqual({ typ: "JWT", alg: "HS256" });
    const claims = decodeJwt(token);
    expect(claims.sub).toBe(createHash("md5").update("alice@example.com").digest("hex"));
    expect(claims).toMatchObject({ user_id: 1, forever: false, iss, iat: 1_700_000_000, nbf: 1_700_000_000, exp: 1_700_086_400 });
    expect(claims.jti).toMatch(/^[A-Za-z0-9]{16}$/);
    expect(claims).not.toHaveProperty("prv");
    expect(claims).not.toHaveProperty("email");
    await expect(tokens.verify(token)).resolves.toMatchObject({ user_id: 1 });
  });

  it("rejects expired (before blacklist), foreign-signed, malformed and claim-less tokens", async () => {
    const c = clock(1_700_000_000_000);
    const tokens = new TokenService({ ttlSeconds: 60, refreshTtlSeconds: 3600, now: c.now });
    const token = await tokens.issue(user, iss);
    const claims = await tokens.verify(token);
    tokens.blacklist(claims);
    expect((await rejection(tokens.verify(token))).failure).toEqual({ kind: "blacklisted" });
    c.advance(61);
    expect((await rejection(tokens.verify(token))).failure).toEqual({ kind: "expired" });

    const other = new TokenService({ ttlSeconds: 60, refreshTtlSeconds: 3600, now: c.now });
    const foreign = await other.issue(user, iss);
    expect((await rejection(tokens.verify(foreign))).failure).toEqual({ kind: "invalid", reason: "Token Signature could not be verified." });
    expect((await rejection(tokens.verify("abc.def"))).failure).toEqual({ kind: "invalid", reason: "Wrong number of segments" });

    const key = new TextEncoder().encode("x".repeat(32));
    const noClaims = await new SignJWT({}).setProtectedHeader({ alg: "HS256" }).sign(key);
    expect((await rejection(tokens.verify(noClaims))).failure.kind).toBe("invalid");
  });

  it("refresh keeps iat, is allowed after expiry within the window, refuses blacklisted and too-old tokens", async () => {
    const c = clock(1_700_000_000_000);
    const tokens = new TokenService({ ttlSeconds: 60, refreshTtlSeconds: 3600, now: c.now });
    const token = await tokens.issue(user, iss);
    c.advance(120);
    const old = await tokens.verifyForRefresh(token);
    tokens.blacklist(old);
    const fresh = await tokens.issue(user, iss, old.iat);
    expect(decodeJwt(fresh)).toMatchObject({ iat: 1_700_000_000, nbf: 1_700_000_120, exp: 1_700_000_180 });
    expect(decodeJwt(fresh).jti).not.toBe(old.jti);
    expect((await rejection(tokens.verifyForRefresh(token))).message).toBe("The token has been blacklisted");
    c.advance(3600);
    expect((await rejection(tokens.verifyForRefresh(fresh))).message).toBe("Token has expired and can no longer be refreshed");
  });
});

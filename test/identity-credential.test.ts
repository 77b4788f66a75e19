import { createHash, randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { DreamFactoryError, isDreamFactoryError } from "../src/errors/index.js";
import { DreamFactoryCredential, isDreamFactoryCredential, revealToken } from "../src/identity/index.js";
import { mintToken, secretParts, unsignedToken } from "./identity-token-factory.js";
import { errorOf } from "./support/dreamfactory-errors.js";

const NOW = Math.floor(Date.now() / 1000);

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (isDreamFactoryError(e)) return e.code;
    throw e;
  }
  return "no error";
}

function expectNoSecret(text: string, token: string): void {
  for (const part of secretParts(token)) expect(text).not.toContain(part);
}

describe("DreamFactoryCredential.fromSessionToken", () => {
  it("decodes DreamFactory's claims", async () => {
    const token = await mintToken({ userId: 42, sub: "abc123", iat: NOW - 10, exp: NOW + 600 });
    const credential = DreamFactoryCredential.fromSessionToken(token);
    expect(credential.userId).toBe(42);
    expect(credential.sub).toBe("abc123");
    expect(credential.expiresAt.getTime()).toBe((NOW + 600) * 1000);
    expect(credential.issuedAt.getTime()).toBe((NOW - 10) * 1000);
    expect(credential.email).toBeUndefined();
    expect(credential.fingerprint).toBe(createHash("sha256").update(token).digest("hex").slice(0, 12));
    expect(credential.isExpired()).toBe(false);
    expect(credential.isExpired((NOW + 600) * 1000)).toBe(true);
    expect(credential.isExpired((NOW + 599) * 1000)).toBe(false);
    expect(isDreamFactoryCredential(credential)).toBe(true);
    expect(revealToken(credential)).toBe(token);
  });

  it("takes the e-mail from an email claim or from the app", async () => {
    const withClaim = DreamFactoryCredential.fromSessionToken(await mintToken({ email: "alice@example.com" }));
    expect(withClaim.email).toBe("alice@example.com");
    const given = DreamFactoryCredential.fromSessionToken(await mintToken(), { email: "bob@example.com" });
    expect(given.email).toBe("bob@example.com");
    expect(() => DreamFactoryCredential.fromSessionToken("x", { email: "" })).toThrow(DreamFactoryError);
  });

  it("refuses malformed tokens with credential_invalid and never quotes them", async () => {
    const good = await mintToken();
    const [header, payload] = good.split(".");
    const cases: unknown[] = [
      "",
      "not-a-jwt",
      "a.b.c",
      `${header}.${payload}`,
      `Bearer ${good}`,
      unsignedToken(),
      await mintToken({ userId: undefined }),
      await mintToken({ userId: "7" }),
      await mintToken({ userId: 1.5 }),
      await mintToken({ sub: undefined }),
      await mintToken({ exp: undefined }),
      await mintToken({ iat: undefined }),
      await mintToken({ extra: { nbf: "soon" } }),
      // Not the JWT alphabet: would be altered in the header (axios strips CR/LF) or is not a token at all.
      `${good}\n`,
      ` ${good}`,
      `${good}é`,
      `${good.slice(0, -6)}\r\n${good.slice(-6)}`,
      42,
      undefined,
    ];
    for (const token of cases) {
      const error = errorOf(() => DreamFactoryCredential.fromSessionToken(token as string));
      expect(error.code).toBe("credential_invalid");
      if (typeof token === "string") {
        expectNoSecret(error.message, token);
        expectNoSecret(inspect(error), token);
        expectNoSecret(JSON.stringify(error), token);
      }
    }
    expect(errorOf(() => DreamFactoryCredential.fromSessionToken(`Bearer ${good}`)).message).toContain("Bearer");
    expect(errorOf(() => DreamFactoryCredential.fromSessionToken(unsignedToken())).message).toContain('"none"');
  });

  it("refuses expired tokens (exp is strict) with credential_expired", async () => {
    const token = await mintToken({ iat: NOW - 100, nbf: NOW - 100, exp: NOW + 50 });
    expect(codeOf(() => DreamFactoryCredential.fromSessionToken(token, { now: () => (NOW + 50) * 1000 }))).toBe(
      "credential_expired",
    );
    expect(codeOf(() => DreamFactoryCredential.fromSessionToken(token, { now: () => (NOW + 49) * 1000 }))).toBe("no error");
    // Tolerance does not stretch expiry.
    expect(
      codeOf(() => DreamFactoryCredential.fromSessionToken(token, { now: () => (NOW + 51) * 1000, clockToleranceSeconds: 300 })),
    ).toBe("credential_expired");
    const error = errorOf(() => DreamFactoryCredential.fromSessionToken(token, { now: () => (NOW + 60) * 1000 }));
    expect(error.message).toContain("expired at");
    expectNoSecret(error.message, token);
  });

  it("refuses tokens from the future beyond the clock tolerance with credential_not_yet_valid", async () => {
    const nbfAhead = await mintToken({ iat: NOW, nbf: NOW + 120, exp: NOW + 3600 });
    expect(codeOf(() => DreamFactoryCredential.fromSessionToken(nbfAhead))).toBe("credential_not_yet_valid");
    expect(codeOf(() => DreamFactoryCredential.fromSessionToken(nbfAhead, { clockToleranceSeconds: 150 }))).toBe("no error");
    const iatAhead = await mintToken({ iat: NOW + 45, nbf: undefined, exp: NOW + 3600 });
    expect(codeOf(() => DreamFactoryCredential.fromSessionToken(iatAhead))).toBe("credential_not_yet_valid");
    expect(codeOf(() => DreamFactoryCredential.fromSessionToken(iatAhead, { clockToleranceSeconds: 60 }))).toBe("no error");
    const slightlyAhead = await mintToken({ iat: NOW + 10, nbf: NOW + 10 });
    expect(codeOf(() => DreamFactoryCredential.fromSessionToken(slightlyAhead))).toBe("no error"); // default 30 s
    expect(() => DreamFactoryCredential.fromSessionToken(slightlyAhead, { clockToleranceSeconds: -1 })).toThrow(TypeError);
  });

  it("caches decoding per token: repeated calls cost well under 5 µs", async () => {
    const token = await mintToken();
    const first = DreamFactoryCredential.fromSessionToken(token);
    const again = DreamFactoryCredential.fromSessionToken(token);
    expect(again).not.toBe(first);
    expect(again.toJSON()).toEqual(first.toJSON());
    const perCall: number[] = [];
    for (let batch = 0; batch < 5; batch++) {
      const n = 20_000;
      const t0 = performance.now();
      for (let i = 0; i < n; i++) DreamFactoryCredential.fromSessionToken(token);
      perCall.push(((performance.now() - t0) * 1000) / n);
    }
    perCall.sort((a, b) => a - b);
    expect(perCall[2]).toBeLessThan(5);
  });
});

describe("DreamFactoryCredential never reveals its token", () => {
  it("through JSON, String, template literals, inspect, spread, keys and structuredClone", async () => {
    const token = await mintToken({ userId: 9, email: "carol@example.com" });
    const credential = DreamFactoryCredential.fromSessionToken(token);
    const views: string[] = [
      JSON.stringify(credential),
      JSON.stringify({ configurable: { dreamfactory: credential } }),
      String(credential),
      `${credential}`,
      credential + "",
      inspect(credential),
      inspect({ deep: { deeper: { credential } } }, { depth: 10, showHidden: true }),
      inspect(credential, { showHidden: true, customInspect: false }),
      JSON.stringify({ ...credential }),
      JSON.stringify(Object.entries(credential)),
      JSON.stringify(Reflect.ownKeys(credential).map(String)),
      JSON.stringify(Object.getOwnPropertyNames(credential)),
      inspect(structuredClone(credential), { showHidden: true }),
      JSON.stringify(structuredClone({ credential })),
      Object.prototype.toString.call(credential),
    ];
    for (const view of views) expectNoSecret(view, token);
    expect(JSON.parse(JSON.stringify(credential))).toEqual({
      type: "DreamFactoryCredential",
      userId: 9,
      sub: credential.sub,
      expiresAt: credential.expiresAt.toISOString(),
      email: "carol@example.com",
      fingerprint: credential.fingerprint,
    });
    expect(String(credential)).toBe(`DreamFactoryCredential(userId=9, expires ${credential.expiresAt.toISOString()})`);
    expect(inspect(credential)).toContain("userId: 9");
    // A structured clone is an empty plain object: not usable as a credential.
    const clone = structuredClone(credential);
    expect(isDreamFactoryCredential(clone)).toBe(false);
    expect(() => revealToken(clone as DreamFactoryCredential)).toThrow(DreamFactoryError);
  });

  it("cannot be constructed directly", () => {
    expect(() => new DreamFactoryCredential({} as never)).toThrow(TypeError);
    expect(() => new DreamFactoryCredential(undefined as never)).toThrow(TypeError);
  });

  it("revealToken refuses look-alikes and explains credentials of another package copy", async () => {
    const token = await mintToken();
    const lookalike = { userId: 1, sub: "x", token, toJSON: () => ({}) };
    const plain = errorOf(() => revealToken(lookalike as unknown as DreamFactoryCredential));
    expect(plain.code).toBe("credential_invalid");
    expect(plain.message).toContain("fromSessionToken");
    expectNoSecret(plain.message, token);
    const otherCopy = { userId: 1 };
    Object.defineProperty(otherCopy, Symbol.for("langchain-dreamfactory.credential"), { value: true });
    const copy = errorOf(() => revealToken(otherCopy as unknown as DreamFactoryCredential));
    expect(copy.code).toBe("credential_invalid");
    expect(copy.message).toContain("another copy of langchain-dreamfactory");
  });
});

describe("DreamFactoryCredential.verify", () => {
  it("accepts a token signed with the secret and refuses a wrong secret by jose's code", async () => {
    const { TEST_SECRET } = await import("./identity-token-factory.js");
    const token = await mintToken({ userId: 5 });
    const credential = await DreamFactoryCredential.verify(token, { secret: TEST_SECRET });
    expect(credential.userId).toBe(5);
    const wrong = await DreamFactoryCredential.verify(token, { secret: "another-secret-value" }).catch((e: unknown) => e);
    expect(wrong).toBeInstanceOf(DreamFactoryError);
    expect((wrong as DreamFactoryError).code).toBe("credential_invalid");
    expect((wrong as DreamFactoryError).cause).toEqual({ code: "ERR_JWS_SIGNATURE_VERIFICATION_FAILED" });
    expectNoSecret(inspect(wrong), token);
    expectNoSecret(inspect(wrong), TEST_SECRET);
  });

  it("maps expiry and not-before from jwtVerify", async () => {
    const { TEST_SECRET } = await import("./identity-token-factory.js");
    const token = await mintToken({ iat: NOW - 100, nbf: NOW - 100, exp: NOW + 100 });
    const later = await DreamFactoryCredential.verify(token, { secret: TEST_SECRET, now: () => (NOW + 500) * 1000 }).catch(
      (e: unknown) => e,
    );
    expect((later as DreamFactoryError).code).toBe("credential_expired");
    expect((later as DreamFactoryError).cause).toMatchObject({ code: "ERR_JWT_EXPIRED" });
    const early = await DreamFactoryCredential.verify(token, { secret: TEST_SECRET, now: () => (NOW - 500) * 1000 }).catch(
      (e: unknown) => e,
    );
    expect((early as DreamFactoryError).code).toBe("credential_not_yet_valid");
    await expect(DreamFactoryCredential.verify(token, { secret: "" })).rejects.toThrow(TypeError);
    await expect(DreamFactoryCredential.verify(token, {} as never)).rejects.toThrow(TypeError);
  });

  it("verifies against a JWKS URL with issuer/audience checks, and reports an unreachable JWKS as network_error", async () => {
    const { publicKey, privateKey } = await generateKeyPair("RS256");
    const jwk = { ...(await exportJWK(publicKey)), kid: "k1", alg: "RS256", use: "sig" };
    let jwksHits = 0;
    const server: Server = createServer((req, res) => {
      jwksHits += 1;
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks`;
    try {
      const sign = (aud: string): Promise<string> =>
        new SignJWT({ user_id: 3, forever: false, jti: randomBytes(4).toString("hex") })
          .setProtectedHeader({ alg: "RS256", kid: "k1" })
          .setSubject("sub-3")
          .setIssuer("https://idp.example")
          .setAudience(aud)
          .setIssuedAt(NOW)
          .setExpirationTime(NOW + 600)
          .sign(privateKey);
      const token = await sign("dreamfactory");
      const credential = await DreamFactoryCredential.verify(token, {
        jwksUrl,
        issuer: "https://idp.example",
        audience: "dreamfactory",
      });
      expect(credential.userId).toBe(3);
      expect(jwksHits).toBeGreaterThan(0);
      const wrongAudience = await DreamFactoryCredential.verify(await sign("someone-else"), {
        jwksUrl,
        audience: "dreamfactory",
      }).catch((e: unknown) => e);
      expect((wrongAudience as DreamFactoryError).code).toBe("credential_invalid");
      expect((wrongAudience as DreamFactoryError).cause).toEqual({ code: "ERR_JWT_CLAIM_VALIDATION_FAILED", claim: "aud" });
      const hmacToken = await mintToken();
      const wrongKeyType = await DreamFactoryCredential.verify(hmacToken, { jwksUrl }).catch((e: unknown) => e);
      expect((wrongKeyType as DreamFactoryError).code).toBe("credential_invalid");
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    const token = await mintToken();
    // A URL never fetched before (the key set of `jwksUrl` is cached), on the now closed port.
    const unreachable = await DreamFactoryCredential.verify(token, { jwksUrl: `${jwksUrl}-fresh` }).catch((e: unknown) => e);
    expect((unreachable as DreamFactoryError).code).toBe("network_error");
    expectNoSecret(inspect(unreachable), token);
    await expect(DreamFactoryCredential.verify(token, { jwksUrl: "not a url" })).rejects.toThrow(TypeError);
  });
});

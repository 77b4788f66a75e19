/**
 * Credential cost: `DreamFactoryCredential.fromSessionToken` (decode + checks) uncached and cached per token,
 * and `DreamFactoryCredential.verify` against a JWKS (RS256 and ES256) with a warm key cache, as calls/s on one core.
 * Tokens are minted here with throwaway keys and never printed.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { randomBytes } from "node:crypto";
import { SignJWT, exportJWK, generateKeyPair } from "jose";
import { DreamFactoryCredential } from "../src/identity/index.js";

export interface CredentialBenchResult {
  credential_uncached_us: number;
  credential_cached_us: number;
  verify_rs256_per_s: number;
  verify_es256_per_s: number;
}

function claims(userId: number): Record<string, unknown> {
  return { user_id: userId, forever: false, sub: randomBytes(16).toString("hex") };
}

async function mint(alg: "RS256" | "ES256" | "HS256", key: Parameters<SignJWT["sign"]>[0], userId: number, kid?: string): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT(claims(userId))
    .setProtectedHeader(kid ? { alg, kid } : { alg })
    .setIssuedAt(now)
    .setNotBefore(now)
    .setExpirationTime(now + 3600)
    .setIssuer("http://127.0.0.1/api/v2/user/session")
    .setJti(randomBytes(8).toString("hex"))
    .sign(key);
}

function microsPerCall(n: number, fn: (i: number) => void): number {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) fn(i);
  return Number(process.hrtime.bigint() - t0) / 1000 / n;
}

async function perSecond(n: number, fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await fn();
  return n / ((performance.now() - t0) / 1000);
}

export async function runCredentialBench(): Promise<CredentialBenchResult> {
  const secret = randomBytes(32);
  // Uncached: distinct tokens (the cache holds 1024; 4000 distinct tokens always miss).
  const fresh = await Promise.all(Array.from({ length: 4000 }, (_, i) => mint("HS256", secret, i + 1)));
  microsPerCall(500, (i) => DreamFactoryCredential.fromSessionToken(fresh[i] as string)); // warm-up (JIT)
  const uncached = microsPerCall(3000, (i) => DreamFactoryCredential.fromSessionToken(fresh[(i + 1000) % 4000] as string));
  const one = fresh[0] as string;
  DreamFactoryCredential.fromSessionToken(one);
  microsPerCall(20_000, () => DreamFactoryCredential.fromSessionToken(one));
  const cached = microsPerCall(200_000, () => DreamFactoryCredential.fromSessionToken(one));

  const rsa = await generateKeyPair("RS256");
  const ec = await generateKeyPair("ES256");
  const jwks = { keys: [{ ...(await exportJWK(rsa.publicKey)), kid: "rsa", alg: "RS256" }, { ...(await exportJWK(ec.publicKey)), kid: "ec", alg: "ES256" }] };
  const body = JSON.stringify(jwks);
  let fetches = 0;
  const server = createServer((_req, res) => {
    fetches++;
    res.writeHead(200, { "content-type": "application/json" });
    res.end(body);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`;
  try {
    const rsToken = await mint("RS256", rsa.privateKey, 7, "rsa");
    const esToken = await mint("ES256", ec.privateKey, 8, "ec");
    await DreamFactoryCredential.verify(rsToken, { jwksUrl });
    await DreamFactoryCredential.verify(esToken, { jwksUrl });
    const rs = await perSecond(2000, () => DreamFactoryCredential.verify(rsToken, { jwksUrl }));
    const es = await perSecond(2000, () => DreamFactoryCredential.verify(esToken, { jwksUrl }));
    if (fetches > 2) throw new Error(`JWKS cache cold: ${fetches} fetches`);
    return { credential_uncached_us: uncached, credential_cached_us: cached, verify_rs256_per_s: rs, verify_es256_per_s: es };
  } finally {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  }
}

if (process.argv[1]?.endsWith("credential.bench.ts")) {
  runCredentialBench().then((r) => console.log(r));
}

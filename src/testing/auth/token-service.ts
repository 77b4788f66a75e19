import { createHash, randomBytes } from "node:crypto";
import { compactVerify, jwtVerify, SignJWT, type JWTPayload } from "jose";

/**
 * Issues and checks DreamFactory-style session JWTs (reference §5.3): HS256 with a random per-sandbox secret,
 * claims `sub` = md5(email), `user_id`, `forever` = false, `iss` = URL of the minting request, `iat`,
 * `nbf` = `iat`, `exp` = `iat` + TTL, 16-character `jti`. Refresh keeps the original `iat` (reference §12),
 * blacklists the old `jti` and is allowed until `iat` + the refresh window.
 */

/** Claims of a sandbox session token. */
export interface SessionClaims {
  sub: string;
  user_id: number;
  forever: boolean;
  iss: string;
  iat: number;
  nbf: number;
  exp: number;
  jti: string;
}

/** Why a token was refused; `reason` is tymon/jwt-auth's message (DreamFactory prefixes it). */
export type TokenFailure =
  | { kind: "expired" }
  | { kind: "blacklisted" }
  | { kind: "invalid"; reason: string };

/** Thrown by TokenService checks. */
export class TokenRejected extends Error {
  override readonly name = "TokenRejected";
  constructor(readonly failure: TokenFailure) {
    super(failure.kind === "invalid" ? failure.reason : failure.kind);
  }
}

/** md5 of the lower-cased e-mail, hex (DreamFactory's `sub`). */
export function subjectOf(email: string): string {
  return createHash("md5").update(email.toLowerCase()).digest("hex");
}

const ALPHANUMERIC = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

function randomJti(): string {
  const bytes = randomBytes(16);
  let out = "";
  for (const b of bytes) out += ALPHANUMERIC[b % ALPHANUMERIC.length];
  return out;
}

const REQUIRED = ["iat", "exp", "sub", "user_id", "forever"] as const;

/** Options of a TokenService. */
export interface TokenServiceOptions {
  ttlSeconds: number;
  refreshTtlSeconds: number;
  /** Current time in milliseconds. */
  now: () => number;
}

/** Signs, verifies, refreshes and blacklists session tokens of one sandbox. */
export class TokenService {
  readonly #key: Uint8Array;
  /** jti → exp of blacklisted tokens. */
  readonly #blacklist = new Map<string, number>();
  readonly #options: TokenServiceOptions;

  constructor(options: TokenServiceOptions) {
    this.#key = new TextEncoder().encode(randomBytes(32).toString("hex"));
    this.#options = options;
  }

  #nowSeconds(): number {
    return Math.floor(this.#options.now() / 1000);
  }

  /** Issues a token for a user. `iat` is kept from the original token on refresh. */
  async issue(user: { id: number; email: string }, issuer: string, iat?: number): Promise<string> {
    const now = this.#nowSeconds();
    return new SignJWT({ user_id: user.id, forever: false })
      .setProtectedHeader({ typ: "JWT", alg: "HS256" })
      .setSubject(subjectOf(user.email))
      .setIssuer(issuer)
      .setIssuedAt(iat ?? now)
      .setNotBefore(now)
      .setExpirationTime(now + this.#options.ttlSeconds)
      .setJti(randomJti())
      .sign(this.#key);
  }

  /**
   * Full check for an ordinary request, in tymon's order: format, signature, claims (expiry before blacklist).
   * @throws TokenRejected
   */
  async verify(token: string): Promise<SessionClaims> {
    if (token.split(".").length !== 3) throw new TokenRejected({ kind: "invalid", reason: "Wrong number of segments" });
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.#key, {
        algorithms: ["HS256"],
        currentDate: new Date(this.#options.now()),
      }));
    } catch (err) {
      throw new TokenRejected(mapJoseError(err));
    }
    const claims = requireClaims(payload);
    if (this.isBlacklisted(claims.jti)) throw new TokenRejected({ kind: "blacklisted" });
    return claims;
  }

  /**
   * Checks a token for refresh: signature, refresh window from `iat` (expiry itself is allowed), blacklist.
   * @throws TokenRejected with tymon's refresh reasons.
   */
  async verifyForRefresh(token: string): Promise<SessionClaims> {
    if (token.split(".").length !== 3) throw new TokenRejected({ kind: "invalid", reason: "Wrong number of segments" });
    let payload: JWTPayload;
    try {
      const { payload: bytes, protectedHeader } = await compactVerify(token, this.#key, { algorithms: ["HS256"] });
      if (protectedHeader.alg !== "HS256") throw new Error("alg");
      payload = JSON.parse(new TextDecoder().decode(bytes)) as JWTPayload;
    } catch (err) {
      throw new TokenRejected(mapJoseError(err));
    }
    const claims = requireClaims(payload);
    if (this.#nowSeconds() > claims.iat + this.#options.refreshTtlSeconds) {
      throw new TokenRejected({ kind: "invalid", reason: "Token has expired and can no longer be refreshed" });
    }
    if (this.isBlacklisted(claims.jti)) throw new TokenRejected({ kind: "invalid", reason: "The token has been blacklisted" });
    return claims;
  }

  /** Blacklists a token's `jti` (logout, refresh). */
  blacklist(claims: SessionClaims): void {
    this.#blacklist.set(claims.jti, claims.exp);
  }

  isBlacklisted(jti: string): boolean {
    return this.#blacklist.has(jti);
  }
}

function requireClaims(payload: JWTPayload): SessionClaims {
  for (const name of REQUIRED) {
    if (payload[name] === undefined) {
      throw new TokenRejected({ kind: "invalid", reason: "JWT payload does not contain the required claims" });
    }
  }
  const p = payload as Record<string, unknown>;
  if (typeof p.user_id !== "number" || typeof p.sub !== "string" || typeof p.iat !== "number" || typeof p.exp !== "number") {
    throw new TokenRejected({ kind: "invalid", reason: "JWT payload does not contain the required claims" });
  }
  return {
    sub: p.sub,
    user_id: p.user_id,
    forever: p.forever === true,
    iss: typeof p.iss === "string" ? p.iss : "",
    iat: p.iat,
    nbf: typeof p.nbf === "number" ? p.nbf : p.iat,
    exp: p.exp,
    jti: typeof p.jti === "string" ? p.jti : "",
  };
}

function mapJoseError(err: unknown): TokenFailure {
  if (err instanceof TokenRejected) return err.failure;
  const code = typeof err === "object" && err !== null && "code" in err ? String((err as { code: unknown }).code) : "";
  switch (code) {
    case "ERR_JWT_EXPIRED":
      return { kind: "expired" };
    case "ERR_JWS_SIGNATURE_VERIFICATION_FAILED":
    case "ERR_JOSE_ALG_NOT_ALLOWED":
    case "ERR_JOSE_NOT_SUPPORTED":
      return { kind: "invalid", reason: "Token Signature could not be verified." };
    case "ERR_JWT_CLAIM_VALIDATION_FAILED": {
      const claim = (err as { claim?: unknown }).claim;
      return claim === "nbf"
        ? { kind: "invalid", reason: "Not Before (nbf) timestamp cannot be in the future" }
        : claim === "iat"
          ? { kind: "invalid", reason: "Issued At (iat) timestamp cannot be in the future" }
          : { kind: "invalid", reason: "JWT payload does not contain the required claims" };
    }
    default:
      return { kind: "invalid", reason: "Could not decode token: Error while decoding from JSON" };
  }
}

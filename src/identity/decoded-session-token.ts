import { createHash } from "node:crypto";
import { decodeJwt, decodeProtectedHeader } from "jose";
import { DreamFactoryError } from "../errors/dreamfactory-error.js";
import { credentialExpiredError } from "./credential-expired-error.js";

/** Claims of a DreamFactory session JWT that this package reads (all non-secret). */
export interface DecodedSessionToken {
  /** `user_id` claim. */
  readonly userId: number;
  /** `sub` claim (DreamFactory: md5 of the user's e-mail). */
  readonly sub: string;
  /** `exp`, seconds since the epoch. */
  readonly exp: number;
  /** `iat`, seconds since the epoch. */
  readonly iat: number;
  /** `nbf`, seconds since the epoch, when present. */
  readonly nbf?: number;
  /** `email` claim, when present (older DreamFactory versions and custom claims). */
  readonly email?: string;
  /** First 12 hex digits of sha256(token): a short non-reversible id for logs and receipts. */
  readonly fingerprint: string;
  /** Full sha256(token) hex: the key for caches where a collision would cross users. */
  readonly hash: string;
}

const CACHE_LIMIT = 1024;
const cache = new Map<string, DecodedSessionToken>();

function invalid(reason: string, cause?: unknown): DreamFactoryError {
  return new DreamFactoryError("credential_invalid", `DreamFactory session token is not usable: ${reason}.`, {
    cause,
  });
}

function decodeUncached(token: string): DecodedSessionToken {
  if (token.length === 0) throw invalid("it is empty");
  if (/^bearer\s/i.test(token)) throw invalid('pass the JWT itself, without the "Bearer " prefix');
  // Only the JWT alphabet: a header value with spaces or line breaks would be altered on the way (axios strips
  // CR/LF), so what DreamFactory receives would differ from what was hashed for caches and scrubbing.
  if (!/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(token)) {
    throw invalid("it holds characters a JWT cannot contain (spaces, line breaks, quotes or other non-base64url text)");
  }
  let header: { alg?: unknown };
  let payload: Record<string, unknown>;
  try {
    header = decodeProtectedHeader(token);
    payload = decodeJwt(token);
  } catch (e) {
    const code = typeof (e as { code?: unknown }).code === "string" ? (e as { code: string }).code : "ERR_JWT_INVALID";
    // Clean cause: jose's code only (its message could quote input in future versions).
    throw invalid("it is not a well-formed JWT", { code });
  }
  if (typeof header.alg !== "string" || header.alg.toLowerCase() === "none") {
    throw invalid('it is unsigned (JWT "alg" is missing or "none")');
  }
  const userId = payload["user_id"];
  if (typeof userId !== "number" || !Number.isSafeInteger(userId) || userId < 0) {
    throw invalid('the "user_id" claim is missing or not an integer (is this a DreamFactory session token?)');
  }
  const sub = payload["sub"];
  if (typeof sub !== "string" || sub.length === 0) throw invalid('the "sub" claim is missing');
  const exp = payload["exp"];
  if (typeof exp !== "number" || !Number.isFinite(exp)) throw invalid('the "exp" claim is missing or not a number');
  const iat = payload["iat"];
  if (typeof iat !== "number" || !Number.isFinite(iat)) throw invalid('the "iat" claim is missing or not a number');
  const nbf = payload["nbf"];
  if (nbf !== undefined && (typeof nbf !== "number" || !Number.isFinite(nbf))) {
    throw invalid('the "nbf" claim is not a number');
  }
  const email = payload["email"];
  const hash = createHash("sha256").update(token).digest("hex");
  const decoded: DecodedSessionToken = {
    userId,
    sub,
    exp,
    iat,
    ...(nbf === undefined ? {} : { nbf }),
    ...(typeof email === "string" && email.length > 0 ? { email } : {}),
    fingerprint: hash.slice(0, 12),
    hash,
  };
  return Object.freeze(decoded);
}

/**
 * Decodes (does NOT verify) a DreamFactory session JWT and checks that DreamFactory's claims are present.
 * Results are cached per token string (LRU, {@link CACHE_LIMIT} entries); failures are not cached.
 *
 * @param token - the raw session token
 * @throws DreamFactoryError `credential_invalid` when malformed or missing claims
 */
export function decodeSessionToken(token: string): DecodedSessionToken {
  const hit = cache.get(token);
  if (hit !== undefined) {
    // LRU touch: move to the most recent end (only when not already there).
    cache.delete(token);
    cache.set(token, hit);
    return hit;
  }
  const decoded = decodeUncached(token);
  cache.set(token, decoded);
  if (cache.size > CACHE_LIMIT) {
    const oldest = cache.keys().next().value;
    if (oldest !== undefined) cache.delete(oldest);
  }
  return decoded;
}

/**
 * Checks expiry and not-before of decoded claims.
 *
 * `exp` is strict (a token is expired at `exp`, no tolerance: fail closed). `nbf` and `iat` in the future are
 * accepted up to `toleranceSeconds` (DreamFactory's clock may run ahead of ours).
 *
 * @param decoded - claims from {@link decodeSessionToken}
 * @param nowMs - current time in milliseconds
 * @param toleranceSeconds - accepted clock skew for `nbf`/`iat`
 * @throws DreamFactoryError `credential_expired` / `credential_not_yet_valid`
 */
export function checkTokenTimes(decoded: DecodedSessionToken, nowMs: number, toleranceSeconds: number): void {
  const now = nowMs / 1000;
  if (now >= decoded.exp) {
    throw credentialExpiredError(new Date(decoded.exp * 1000));
  }
  const early = notYetValidError(decoded, nowMs, toleranceSeconds);
  if (early !== undefined) throw early;
}

/**
 * `credential_not_yet_valid` when `nbf` (or `iat`) lies more than `toleranceSeconds` after `nowMs`, else `undefined`.
 *
 * @param decoded - claims from {@link decodeSessionToken}
 * @param nowMs - current time in milliseconds
 * @param toleranceSeconds - accepted clock skew
 * @param note - sentence appended to the message (e.g. "Nothing was sent.")
 */
export function notYetValidError(
  decoded: DecodedSessionToken,
  nowMs: number,
  toleranceSeconds: number,
  note = "",
): DreamFactoryError | undefined {
  const notBefore = Math.max(decoded.nbf ?? -Infinity, decoded.iat);
  if (notBefore <= nowMs / 1000 + toleranceSeconds) return undefined;
  return new DreamFactoryError(
    "credential_not_yet_valid",
    `DreamFactory session token is not valid before ${new Date(notBefore * 1000).toISOString()} ` +
      `(more than ${toleranceSeconds} s ahead of this machine's clock).${note === "" ? "" : ` ${note}`}`,
  );
}

import { createRemoteJWKSet, jwtVerify, type JWTVerifyGetKey } from "jose";
import { DreamFactoryError } from "../errors/dreamfactory-error.js";

interface VerifyCommonOptions {
  /** Accepted clock skew in seconds. @default 30 */
  clockToleranceSeconds?: number;
  /** Clock in milliseconds (tests). @default Date.now */
  now?: () => number;
  /** The user's e-mail when the app knows it. */
  email?: string;
}

/** Verify with DreamFactory's HS256 shared secret (`JWT_SECRET`, used verbatim, including any `base64:` prefix). */
export interface VerifyWithSecretOptions extends VerifyCommonOptions {
  /** The HMAC key. */
  secret: string | Uint8Array;
}

/** Verify against a JSON Web Key Set (e.g. an identity provider that mints DreamFactory-shaped tokens). */
export interface VerifyWithJwksOptions extends VerifyCommonOptions {
  /** URL of the JWKS document. */
  jwksUrl: string;
  /** Expected `iss`. */
  issuer?: string;
  /** Expected `aud`. */
  audience?: string;
}

/** Options of `DreamFactoryCredential.verify`. */
export type VerifyOptions = VerifyWithSecretOptions | VerifyWithJwksOptions;

const JWKS_LIMIT = 32;
const jwksCache = new Map<string, JWTVerifyGetKey>();

function remoteKeySet(url: string): JWTVerifyGetKey {
  let set = jwksCache.get(url);
  if (set === undefined) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new TypeError("jwksUrl must be an absolute URL");
    }
    set = createRemoteJWKSet(parsed);
    jwksCache.set(url, set);
    if (jwksCache.size > JWKS_LIMIT) {
      const oldest = jwksCache.keys().next().value;
      if (oldest !== undefined) jwksCache.delete(oldest);
    }
  }
  return set;
}

/**
 * Maps a jose error to a DreamFactoryError by its `code` (and, for claim failures, its `claim` field),
 * never by message text. The result carries a clean cause (`{ code, claim? }`), not jose's error.
 *
 * @param e - what jose threw
 * @param remote - whether a remote JWKS was involved (then non-jose errors are fetch failures)
 */
export function mapJoseError(e: unknown, remote: boolean): DreamFactoryError {
  const code = typeof (e as { code?: unknown })?.code === "string" ? (e as { code: string }).code : undefined;
  const claim = typeof (e as { claim?: unknown })?.claim === "string" ? (e as { claim: string }).claim : undefined;
  const cause = { code: code ?? "unknown", ...(claim === undefined ? {} : { claim }) };
  switch (code) {
    case "ERR_JWT_EXPIRED":
      return new DreamFactoryError("credential_expired", "DreamFactory session token has expired.", { cause });
    case "ERR_JWT_CLAIM_VALIDATION_FAILED":
      if (claim === "nbf" || claim === "iat") {
        return new DreamFactoryError("credential_not_yet_valid", "DreamFactory session token is not valid yet.", {
          cause,
        });
      }
      return new DreamFactoryError(
        "credential_invalid",
        `DreamFactory session token failed verification: unexpected "${claim ?? "unknown"}" claim.`,
        { cause },
      );
    case "ERR_JWS_SIGNATURE_VERIFICATION_FAILED":
      return new DreamFactoryError(
        "credential_invalid",
        "DreamFactory session token failed verification: signature does not match.",
        { cause },
      );
    case "ERR_JWKS_TIMEOUT":
      return new DreamFactoryError("timeout", "Fetching the JWKS to verify the session token timed out.", {
        cause,
        retryable: true,
      });
    case "ERR_JWKS_INVALID":
    case "ERR_JOSE_GENERIC":
      if (remote) {
        return new DreamFactoryError("network_error", "The JWKS to verify the session token could not be fetched.", {
          cause,
          retryable: true,
        });
      }
      break;
    case undefined:
      if (remote) {
        // fetch() failing to reach the JWKS URL (a TypeError without a jose code).
        return new DreamFactoryError("network_error", "The JWKS to verify the session token could not be fetched.", {
          cause,
          retryable: true,
        });
      }
      break;
    default:
      break;
  }
  return new DreamFactoryError("credential_invalid", `DreamFactory session token failed verification (${cause.code}).`, {
    cause,
  });
}

/**
 * Verifies signature and time claims with jose `jwtVerify`.
 *
 * @param token - the session token
 * @param options - key source
 * @param toleranceSeconds - clock skew
 * @throws TypeError for unusable options; DreamFactoryError otherwise (see {@link mapJoseError})
 */
export async function verifySessionToken(token: string, options: VerifyOptions, toleranceSeconds: number): Promise<void> {
  const currentDate = new Date((options.now ?? Date.now)());
  if ("secret" in options && options.secret !== undefined) {
    const key = typeof options.secret === "string" ? new TextEncoder().encode(options.secret) : options.secret;
    if (!(key instanceof Uint8Array) || key.byteLength === 0) {
      throw new TypeError("secret must be a non-empty string or Uint8Array");
    }
    try {
      await jwtVerify(token, key, { algorithms: ["HS256", "HS384", "HS512"], clockTolerance: toleranceSeconds, currentDate });
    } catch (e) {
      throw mapJoseError(e, false);
    }
    return;
  }
  if ("jwksUrl" in options && typeof options.jwksUrl === "string") {
    const keySet = remoteKeySet(options.jwksUrl);
    try {
      await jwtVerify(token, keySet, {
        clockTolerance: toleranceSeconds,
        currentDate,
        ...(options.issuer === undefined ? {} : { issuer: options.issuer }),
        ...(options.audience === undefined ? {} : { audience: options.audience }),
      });
    } catch (e) {
      throw mapJoseError(e, true);
    }
    return;
  }
  throw new TypeError("DreamFactoryCredential.verify needs { secret } or { jwksUrl }");
}

import { DreamFactoryError } from "../errors/dreamfactory-error.js";
import type { DreamFactorySessionInfo, SessionInfoSource } from "./session-info.js";
import { checkTokenTimes, decodeSessionToken, notYetValidError, type DecodedSessionToken } from "./decoded-session-token.js";
import { verifySessionToken, type VerifyOptions } from "./verify-session-token.js";

/** Brand shared by every copy of this package, to tell "another copy's credential" from "not a credential". */
export const CREDENTIAL_BRAND: unique symbol = Symbol.for("langchain-dreamfactory.credential") as never;

/** Default accepted clock skew (seconds) for `nbf`/`iat` in the future. */
export const DEFAULT_CLOCK_TOLERANCE_SECONDS = 30;

/** Options of {@link DreamFactoryCredential.fromSessionToken}. */
export interface FromSessionTokenOptions {
  /**
   * Accepted clock skew for `nbf`/`iat` in the future. `exp` is always checked strictly.
   * @default 30
   */
  clockToleranceSeconds?: number;
  /** Clock in milliseconds (tests). @default Date.now */
  now?: () => number;
  /**
   * The user's e-mail when the app knows it (current DreamFactory tokens carry none). Shown in `actedAs`,
   * receipts and `toJSON()`; used by identity checks.
   */
  email?: string;
}

/** Non-secret JSON view of a credential. */
export interface DreamFactoryCredentialJSON {
  type: "DreamFactoryCredential";
  userId: number;
  sub: string;
  expiresAt: string;
  email?: string;
  fingerprint: string;
}

const CONSTRUCT = Symbol("DreamFactoryCredential.construct");

/** Constructor input; only this module can build it (use the static factories). */
interface CredentialInit {
  readonly [CONSTRUCT]: true;
  readonly token: string;
  readonly decoded: DecodedSessionToken;
  readonly email: string | undefined;
  /** Clock skew accepted for `nbf`/`iat` when the credential was made (seconds), re-checked before each request. */
  readonly toleranceSeconds: number;
}

let reveal: (credential: DreamFactoryCredential) => string;
let isOwn: (value: unknown) => value is DreamFactoryCredential;
let hashOf: (credential: DreamFactoryCredential) => string;
let copy: (credential: DreamFactoryCredential) => DreamFactoryCredential;
let notYetValidAt: (credential: DreamFactoryCredential, nowMs: number) => DreamFactoryError | undefined;

/**
 * Holds one user's DreamFactory session token (a JWT) so it can travel with a LangChain run without leaking.
 *
 * The token lives in a `#private` field. `toJSON()`, `String()`, template literals, `util.inspect`,
 * `JSON.stringify`, object spread and `structuredClone` never show it: they yield only non-secret claims
 * (user id, `sub`, expiry, e-mail when known, fingerprint) or nothing.
 *
 * `fromSessionToken` only decodes the JWT (jose `decodeJwt`): it does NOT verify the signature, which
 * DreamFactory does on every request. Use `verify` where you hold the key and want to check before a call.
 *
 * @example
 * ```ts
 * const credential = DreamFactoryCredential.fromSessionToken(sessionTokenFromYourLogin);
 * await agent.invoke({ messages }, withDreamFactoryUser(credential));
 * ```
 */
export class DreamFactoryCredential {
  readonly #token: string;
  readonly #decoded: DecodedSessionToken;
  readonly #email: string | undefined;
  readonly #toleranceSeconds: number;

  static {
    reveal = (credential) => credential.#token;
    isOwn = (value): value is DreamFactoryCredential => typeof value === "object" && value !== null && #token in value;
    hashOf = (credential) => credential.#decoded.hash;
    copy = (credential) =>
      new DreamFactoryCredential({
        [CONSTRUCT]: true,
        token: credential.#token,
        decoded: credential.#decoded,
        email: credential.#email,
        toleranceSeconds: credential.#toleranceSeconds,
      });
    notYetValidAt = (credential, nowMs) =>
      notYetValidError(credential.#decoded, nowMs, credential.#toleranceSeconds, "Nothing was sent; check this machine's clock.");
  }

  /**
   * Not for direct use: call {@link DreamFactoryCredential.fromSessionToken} or {@link DreamFactoryCredential.verify}.
   * (The constructor is public only so that `z.instanceof(DreamFactoryCredential)` type-checks in a `contextSchema`.)
   * @param init - internal
   * @throws TypeError when called directly
   */
  constructor(init: CredentialInit) {
    if (typeof init !== "object" || init === null || init[CONSTRUCT] !== true) {
      throw new TypeError("Use DreamFactoryCredential.fromSessionToken(token) or DreamFactoryCredential.verify(token, options)");
    }
    this.#token = init.token;
    this.#decoded = init.decoded;
    this.#email = init.email ?? init.decoded.email;
    this.#toleranceSeconds = init.toleranceSeconds;
  }

  /**
   * Wraps a session token after decoding it (no signature check; see the class doc).
   * Decoding is cached per token string, so calling this on every request is cheap.
   *
   * @param token - the `session_token` DreamFactory returned at login
   * @param options - clock skew, clock, known e-mail
   * @throws DreamFactoryError `credential_invalid` (malformed, unsigned, missing `user_id`/`sub`/`exp`/`iat`),
   *   `credential_expired`, `credential_not_yet_valid`
   */
  static fromSessionToken(token: string, options: FromSessionTokenOptions = {}): DreamFactoryCredential {
    if (typeof token !== "string") {
      throw new DreamFactoryError("credential_invalid", "DreamFactory session token must be a string.");
    }
    const decoded = decodeSessionToken(token);
    const toleranceSeconds = toleranceOf(options.clockToleranceSeconds);
    checkTokenTimes(decoded, (options.now ?? Date.now)(), toleranceSeconds);
    return new DreamFactoryCredential({ [CONSTRUCT]: true, token, decoded, email: validEmail(options.email), toleranceSeconds });
  }

  /**
   * Verifies the token's signature (HS256 shared secret, i.e. DreamFactory's `JWT_SECRET`, or a JWKS URL)
   * and claims with jose `jwtVerify`, then wraps it.
   *
   * @param token - the session token
   * @param options - `{ secret }` or `{ jwksUrl, issuer?, audience? }`, plus clock options
   * @throws DreamFactoryError `credential_invalid` (bad signature, wrong issuer/audience, malformed),
   *   `credential_expired`, `credential_not_yet_valid`, `network_error`/`timeout` (JWKS fetch)
   */
  static async verify(token: string, options: VerifyOptions): Promise<DreamFactoryCredential> {
    if (typeof token !== "string") {
      throw new DreamFactoryError("credential_invalid", "DreamFactory session token must be a string.");
    }
    const decoded = decodeSessionToken(token);
    const toleranceSeconds = toleranceOf(options.clockToleranceSeconds);
    await verifySessionToken(token, options, toleranceSeconds);
    checkTokenTimes(decoded, (options.now ?? Date.now)(), toleranceSeconds);
    return new DreamFactoryCredential({ [CONSTRUCT]: true, token, decoded, email: validEmail(options.email), toleranceSeconds });
  }

  /** DreamFactory user id (`user_id` claim). */
  get userId(): number {
    return this.#decoded.userId;
  }

  /** `sub` claim (DreamFactory: md5 of the user's e-mail). */
  get sub(): string {
    return this.#decoded.sub;
  }

  /** Expiry (`exp`). */
  get expiresAt(): Date {
    return new Date(this.#decoded.exp * 1000);
  }

  /** Issue time (`iat`). */
  get issuedAt(): Date {
    return new Date(this.#decoded.iat * 1000);
  }

  /** The user's e-mail when known (an `email` claim or given by the app). */
  get email(): string | undefined {
    return this.#email;
  }

  /** Short non-reversible id of the token (first 12 hex digits of its sha256), safe for logs and caches. */
  get fingerprint(): string {
    return this.#decoded.fingerprint;
  }

  /**
   * Whether the token is expired at `now` (strict: expired at `exp`).
   * @param now - milliseconds since the epoch. @default Date.now()
   */
  isExpired(now: number = Date.now()): boolean {
    return now / 1000 >= this.#decoded.exp;
  }

  /**
   * Who this credential belongs to, as DreamFactory reports it (non-secret: id, e-mail, name, role, …), e.g. to
   * show "answering as Alice Archer (sales_rep)". With a `DreamFactoryClient` as `source` this is one
   * `GET /api/v2/user/session` per token (cached until the token expires, shared with the client's identity
   * checks).
   *
   * @param source - a `DreamFactoryClient` (or anything with `sessionInfo(credential)`)
   * @throws DreamFactoryError from the lookup (`credential_expired`, `unauthorized`, `token_blacklisted`, …)
   * @example
   * ```ts
   * const me = await credential.whoami(client);
   * console.log(`answering as ${me.name} (${me.role ?? "no role"})`);
   * ```
   */
  whoami(source: SessionInfoSource): Promise<DreamFactorySessionInfo> {
    return source.sessionInfo(this);
  }

  /** Non-secret view for `JSON.stringify`, LangSmith, LangGraph checkpoints and debug streams. */
  toJSON(): DreamFactoryCredentialJSON {
    return {
      type: "DreamFactoryCredential",
      userId: this.userId,
      sub: this.sub,
      expiresAt: this.expiresAt.toISOString(),
      ...(this.#email === undefined ? {} : { email: this.#email }),
      fingerprint: this.fingerprint,
    };
  }

  /** `DreamFactoryCredential(userId=7, expires 2026-12-01T10:00:00.000Z)`; never the token. */
  toString(): string {
    return `DreamFactoryCredential(userId=${this.userId}, expires ${this.expiresAt.toISOString()})`;
  }

  /** `util.inspect` / `console.log` view; never the token. */
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    const email = this.#email === undefined ? "" : `, email=${JSON.stringify(this.#email)}`;
    return `DreamFactoryCredential { userId: ${this.userId}${email}, expiresAt: ${this.expiresAt.toISOString()}, ` +
      `fingerprint: ${this.fingerprint} }`;
  }
}

Object.defineProperty(DreamFactoryCredential.prototype, CREDENTIAL_BRAND, { value: true });
Object.defineProperty(DreamFactoryCredential.prototype, Symbol.toStringTag, { value: "DreamFactoryCredential" });

/**
 * Package-internal accessor for the raw token, used only by the client to set the session header.
 * Not exported from the package entry point.
 *
 * @param credential - a credential created by THIS copy of the package
 * @throws DreamFactoryError `credential_invalid` for anything else
 */
export function revealToken(credential: DreamFactoryCredential): string {
  if (!isOwn(credential)) throw notACredential(credential);
  return reveal(credential);
}

/**
 * Package-internal: `credential_not_yet_valid` when the token's `nbf` (or `iat`) lies beyond the credential's
 * clock tolerance at `nowMs` (e.g. this machine's clock moved back after the credential was made), else
 * `undefined`. The client checks this before every request, as it checks expiry.
 *
 * @param credential - a credential of this package copy
 * @param nowMs - current time in milliseconds. @default Date.now()
 */
export function notYetValid(credential: DreamFactoryCredential, nowMs: number = Date.now()): DreamFactoryError | undefined {
  if (!isOwn(credential)) throw notACredential(credential);
  return notYetValidAt(credential, nowMs);
}

/**
 * Whether `value` is a credential created by this copy of the package (its token can be read).
 * @param value - anything
 */
export function isDreamFactoryCredential(value: unknown): value is DreamFactoryCredential {
  return isOwn(value);
}

/**
 * Full sha256 of the credential's token (cache key that cannot cross users by collision).
 * @param credential - a credential of this package copy
 */
export function tokenHash(credential: DreamFactoryCredential): string {
  if (!isOwn(credential)) throw notACredential(credential);
  return hashOf(credential);
}

/**
 * Package-internal: a new credential object holding the same token (so per-run data can be attached to the copy
 * without touching a credential object other runs share).
 * @param credential - a credential of this package copy
 */
export function copyCredential(credential: DreamFactoryCredential): DreamFactoryCredential {
  if (!isOwn(credential)) throw notACredential(credential);
  return copy(credential);
}

/**
 * The error for a value that is not a usable credential; explains the two-package-copies case.
 * @param value - the rejected value
 */
export function notACredential(value: unknown): DreamFactoryError {
  if (typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[CREDENTIAL_BRAND] === true) {
    return new DreamFactoryError(
      "credential_invalid",
      "This DreamFactoryCredential was created by another copy of langchain-dreamfactory (e.g. its ESM and " +
        "CommonJS builds are both loaded); create it with the same import as the toolkit/client.",
    );
  }
  return new DreamFactoryError(
    "credential_invalid",
    `Expected a DreamFactoryCredential, got ${describe(value)}; wrap the session token with ` +
      "DreamFactoryCredential.fromSessionToken(token) or withDreamFactoryUser(token, config).",
  );
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") {
    const name = (value as { constructor?: { name?: unknown } }).constructor?.name;
    return typeof name === "string" && name !== "Object" ? `an instance of ${name}` : "a plain object";
  }
  return `a ${typeof value}`;
}

function toleranceOf(value: number | undefined): number {
  if (value === undefined) return DEFAULT_CLOCK_TOLERANCE_SECONDS;
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw new TypeError("clockToleranceSeconds must be a finite number >= 0");
  }
  return value;
}

function validEmail(email: string | undefined): string | undefined {
  if (email === undefined) return undefined;
  if (typeof email !== "string" || email.length === 0) throw new TypeError("email must be a non-empty string");
  return email;
}

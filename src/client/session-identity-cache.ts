import { type DreamFactoryCredential, tokenHash } from "../identity/dreamfactory-credential.js";
import type { DreamFactorySessionInfo } from "../identity/session-info.js";

const DEFAULT_LIMIT = 1024;

interface Entry {
  info: DreamFactorySessionInfo;
  /** The token's `exp` in ms: the entry is dropped then. */
  expiresAtMs: number;
}

/**
 * Who each session token belongs to, as DreamFactory said (`GET /api/v2/user/session`, login or refresh answers).
 *
 * Keyed by the full sha256 of the token (never by thread, run or user-supplied key, so two users can never share an
 * entry), kept until the token expires, bounded (LRU). Concurrent lookups of one token share one request; a failed
 * lookup is not remembered, so the next call asks again.
 */
export class SessionIdentityCache {
  readonly #entries = new Map<string, Entry>();
  readonly #inflight = new Map<string, Promise<DreamFactorySessionInfo>>();
  readonly #limit: number;

  /**
   * @param limit - most tokens remembered
   */
  constructor(limit: number = DEFAULT_LIMIT) {
    this.#limit = limit;
  }

  /**
   * The remembered identity of `credential`'s token, if any and the token has not expired.
   * @param credential - whose token
   * @param now - clock in ms
   */
  get(credential: DreamFactoryCredential, now: number = Date.now()): DreamFactorySessionInfo | undefined {
    const key = tokenHash(credential);
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    if (now >= entry.expiresAtMs) {
      this.#entries.delete(key);
      return undefined;
    }
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    return entry.info;
  }

  /**
   * Remembers who `credential`'s token belongs to (until it expires).
   * @param credential - whose token
   * @param info - what DreamFactory answered for that token
   */
  remember(credential: DreamFactoryCredential, info: DreamFactorySessionInfo): void {
    const key = tokenHash(credential);
    this.#entries.delete(key);
    this.#entries.set(key, { info, expiresAtMs: credential.expiresAt.getTime() });
    while (this.#entries.size > this.#limit) {
      const oldest = this.#entries.keys().next().value;
      if (oldest === undefined) break;
      this.#entries.delete(oldest);
    }
  }

  /**
   * Forgets `credential`'s token (after logout).
   * @param credential - whose token
   */
  forget(credential: DreamFactoryCredential): void {
    this.#entries.delete(tokenHash(credential));
  }

  /**
   * The identity of `credential`'s token: remembered, the lookup already running for the same token, or a new
   * lookup with `perform`, remembered when it succeeds.
   * @param credential - whose token
   * @param perform - asks DreamFactory (one request)
   */
  lookup(credential: DreamFactoryCredential, perform: () => Promise<DreamFactorySessionInfo>): Promise<DreamFactorySessionInfo> {
    const known = this.get(credential);
    if (known !== undefined) return Promise.resolve(known);
    const key = tokenHash(credential);
    const running = this.#inflight.get(key);
    if (running !== undefined) return running;
    const started = perform().then(
      (info) => {
        this.#inflight.delete(key);
        this.remember(credential, info);
        return info;
      },
      (error: unknown) => {
        this.#inflight.delete(key);
        throw error;
      },
    );
    this.#inflight.set(key, started);
    return started;
  }

  /** Non-secret view. */
  toJSON(): { remembered: number; inflight: number } {
    return { remembered: this.#entries.size, inflight: this.#inflight.size };
  }
}

import { type DreamFactoryCredential, tokenHash } from "./dreamfactory-credential.js";

const RESULT_LIMIT = 1024;

/** Performs one refresh of `previous` (the HTTP part lives in the client). */
export type RefreshFunction = (previous: DreamFactoryCredential) => Promise<DreamFactoryCredential>;

/** Told about each completed refresh exactly once (e.g. the app's `onTokenRefresh`). */
export type RefreshListener = (next: DreamFactoryCredential, previous: DreamFactoryCredential) => void | Promise<void>;

/**
 * Single-flight token refresh: concurrent refreshes of the same token share one call, and callers that
 * arrive later with the already-refreshed token get the newest credential instead of refreshing again
 * (DreamFactory blacklists a token when it is refreshed, so a second refresh would fail).
 *
 * Keyed by the full sha256 of the token, so two users can never share an entry. Results are kept in a
 * bounded LRU and only while the refreshed credential itself is not expired.
 */
export class RefreshCoordinator {
  readonly #inflight = new Map<string, Promise<DreamFactoryCredential>>();
  readonly #results = new Map<string, DreamFactoryCredential>();
  readonly #perform: RefreshFunction;
  readonly #listener: RefreshListener | undefined;

  /**
   * @param perform - does one real refresh
   * @param listener - called once per completed refresh, after the result is remembered (so a listener that
   *   throws does not cause a second refresh of the blacklisted token); its error reaches the waiting callers
   */
  constructor(perform: RefreshFunction, listener?: RefreshListener) {
    this.#perform = perform;
    this.#listener = listener;
  }

  /**
   * The newest credential known for `previous` without refreshing, if any and not expired.
   * @param previous - the credential a caller holds
   * @param now - clock in ms
   */
  latest(previous: DreamFactoryCredential, now: number = Date.now()): DreamFactoryCredential | undefined {
    const tail = this.#tail(previous);
    return tail !== previous && !tail.isExpired(now) ? tail : undefined;
  }

  /**
   * A fresh credential for `previous`: a known newer one, the in-flight refresh of the same token, or a
   * new refresh (of the newest known token in the chain, since older ones are blacklisted).
   * @param previous - the expired (or server-rejected) credential
   */
  refresh(previous: DreamFactoryCredential): Promise<DreamFactoryCredential> {
    const tail = this.#tail(previous);
    if (tail !== previous && !tail.isExpired()) return Promise.resolve(tail);
    const key = tokenHash(tail);
    const running = this.#inflight.get(key);
    if (running !== undefined) return running;
    const started = this.#perform(tail).then(
      (next) => {
        this.#inflight.delete(key);
        this.#results.delete(key);
        this.#results.set(key, next);
        if (this.#results.size > RESULT_LIMIT) {
          const oldest = this.#results.keys().next().value;
          if (oldest !== undefined) this.#results.delete(oldest);
        }
        if (this.#listener === undefined) return next;
        return Promise.resolve(this.#listener(next, tail)).then(() => next);
      },
      (error: unknown) => {
        this.#inflight.delete(key);
        throw error;
      },
    );
    this.#inflight.set(key, started);
    return started;
  }

  #tail(previous: DreamFactoryCredential): DreamFactoryCredential {
    let current = previous;
    for (let hops = 0; hops < 16; hops++) {
      const next = this.#results.get(tokenHash(current));
      if (next === undefined) break;
      current = next;
    }
    return current;
  }

  /** Non-secret view. */
  toJSON(): { inflight: number; remembered: number } {
    return { inflight: this.#inflight.size, remembered: this.#results.size };
  }
}

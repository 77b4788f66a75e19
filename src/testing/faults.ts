/**
 * Fault injection for the sandbox: added latency, failures (500/503, optionally as an HTML page), 429 with
 * `Retry-After`, dropped connections and truncated bodies. Settable at start and at runtime; deterministic
 * (counters and a seeded generator). By default faults hit data requests only, never the session endpoints
 * (`user/session`, `system/admin/session`) or `system/*`.
 */

/** When a fault fires; several fields may be combined (any one firing is enough). */
export interface FaultTrigger {
  /** Fire for the next N eligible requests, then stop. */
  next?: number;
  /** Fire on every Nth eligible request (N, 2N, …). */
  every?: number;
  /** Fire with this probability (0…1), drawn from the seeded generator. */
  rate?: number;
}

/** Faults to inject. */
export interface FaultOptions {
  /** Milliseconds to wait before handling each eligible request. */
  latencyMs?: number;
  /** Answer with a server error instead of handling the request (nothing reaches the database). */
  fail?: FaultTrigger & {
    /** @default 503 */
    status?: 500 | 502 | 503;
    /** Answer with a non-JSON HTML error page, like a proxy in front of DreamFactory. */
    html?: boolean;
  };
  /** Answer 429 with `Retry-After` for the next `next` eligible requests. */
  rateLimit?: { next: number; retryAfterSeconds?: number };
  /** Destroy the socket without answering (nothing reaches the database). */
  dropConnection?: FaultTrigger;
  /** Handle the request, then send only half of the body and cut the connection. */
  truncateBody?: FaultTrigger;
  /** Seed of the generator used by `rate` triggers. @default 1 */
  seed?: number;
  /** Apply to the session endpoints too. @default false */
  includeSessionEndpoints?: boolean;
}

/** What to do with one request. */
export interface FaultDecision {
  latencyMs: number;
  action:
    | { kind: "none" }
    | { kind: "drop" }
    | { kind: "rateLimit"; retryAfterSeconds: number }
    | { kind: "fail"; status: number; html: boolean };
  truncate: boolean;
}

const NO_FAULT: FaultDecision = { latencyMs: 0, action: { kind: "none" }, truncate: false };

/** mulberry32: small deterministic generator. */
function generator(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class TriggerState {
  #remaining: number;
  #seen = 0;
  constructor(readonly trigger: FaultTrigger) {
    this.#remaining = trigger.next ?? 0;
  }

  fires(random: () => number): boolean {
    this.#seen++;
    let fire = false;
    if (this.#remaining > 0) {
      this.#remaining--;
      fire = true;
    }
    if (this.trigger.every !== undefined && this.trigger.every > 0 && this.#seen % this.trigger.every === 0) fire = true;
    if (this.trigger.rate !== undefined && this.trigger.rate > 0 && random() < this.trigger.rate) fire = true;
    return fire;
  }
}

/** Holds the current fault settings and decides per request. */
export class FaultInjector {
  #options: FaultOptions = {};
  #random: () => number = generator(1);
  #fail: TriggerState | null = null;
  #drop: TriggerState | null = null;
  #truncate: TriggerState | null = null;
  #rateLimitRemaining = 0;

  constructor(options?: FaultOptions) {
    this.set(options ?? {});
  }

  /** Replaces the settings and resets every counter. */
  set(options: FaultOptions): void {
    this.#options = { ...options };
    this.#random = generator(options.seed ?? 1);
    this.#fail = options.fail ? new TriggerState(options.fail) : null;
    this.#drop = options.dropConnection ? new TriggerState(options.dropConnection) : null;
    this.#truncate = options.truncateBody ? new TriggerState(options.truncateBody) : null;
    this.#rateLimitRemaining = options.rateLimit?.next ?? 0;
  }

  /** The current settings. */
  get(): FaultOptions {
    return { ...this.#options };
  }

  /** Decides for one request; `isSession` marks the session endpoints, `isSystem` the `system` service. */
  decide(isSession: boolean, isSystem: boolean): FaultDecision {
    if (isSystem && !isSession) return NO_FAULT;
    if (isSession && this.#options.includeSessionEndpoints !== true) return NO_FAULT;
    const latencyMs = Math.max(0, this.#options.latencyMs ?? 0);
    let action: FaultDecision["action"] = { kind: "none" };
    if (this.#drop?.fires(this.#random)) {
      action = { kind: "drop" };
    } else if (this.#rateLimitRemaining > 0) {
      this.#rateLimitRemaining--;
      action = { kind: "rateLimit", retryAfterSeconds: this.#options.rateLimit?.retryAfterSeconds ?? 1 };
    } else if (this.#fail?.fires(this.#random)) {
      action = { kind: "fail", status: this.#options.fail?.status ?? 503, html: this.#options.fail?.html === true };
    }
    const truncate = action.kind === "none" && this.#truncate !== null && this.#truncate.fires(this.#random);
    return { latencyMs, action, truncate };
  }
}

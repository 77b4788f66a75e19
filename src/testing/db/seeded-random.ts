/**
 * A small deterministic PRNG (mulberry32) for the demo seed: the same seed always yields the same sequence,
 * on every platform. Not for anything security-related.
 */
export class SeededRandom {
  #state: number;

  /** @param seed - any 32-bit integer. */
  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  /** Next float in [0, 1). */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Next integer in [0, max). */
  int(max: number): number {
    return Math.floor(this.next() * max);
  }

  /** One element of a non-empty list. */
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T;
  }
}

/** Small statistics helpers for the benchmarks: medians and percentiles of samples, and interleaved A/B rounds. */

export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx] as number;
}

export function median(samples: readonly number[]): number {
  return percentile(samples, 50);
}

export interface Contender {
  name: string;
  /** Runs one operation. */
  once: () => Promise<unknown>;
}

/**
 * Runs `rounds` rounds; in each round every contender runs `perRound` operations back to back, in an order
 * rotated each round (A B C, B C A, …) so drift and noise hit all of them alike. Returns, per contender,
 * the per-operation time of each round (ms).
 */
export async function interleave(contenders: readonly Contender[], rounds: number, perRound: number): Promise<Map<string, number[]>> {
  const out = new Map<string, number[]>(contenders.map((c) => [c.name, []]));
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < contenders.length; k++) {
      const c = contenders[(r + k) % contenders.length] as Contender;
      const t0 = performance.now();
      for (let i = 0; i < perRound; i++) await c.once();
      out.get(c.name)?.push((performance.now() - t0) / perRound);
    }
  }
  return out;
}

/** Tracks the peak resident set size while a benchmark runs. */
export class PeakRss {
  #peak = process.memoryUsage.rss();
  #timer: NodeJS.Timeout;
  constructor(intervalMs = 50) {
    this.#timer = setInterval(() => this.sample(), intervalMs);
    this.#timer.unref();
  }
  sample(): void {
    this.#peak = Math.max(this.#peak, process.memoryUsage.rss());
  }
  stop(): number {
    this.sample();
    clearInterval(this.#timer);
    return this.#peak / (1024 * 1024);
  }
}

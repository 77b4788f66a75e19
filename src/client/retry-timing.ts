/** Total time the client may spend waiting between attempts of one request (429 waits and backoff). */
export const RETRY_WAIT_BUDGET_MS = 10_000;
const BASE_DELAY_MS = 200;
const MAX_DELAY_MS = 4_000;

/**
 * Exponential backoff with jitter: `min(4 s, 200 ms · 2^retry)` scaled by a random factor in [0.5, 1).
 * @param retry - 0 for the first retry
 * @param random - random source (tests)
 */
export function backoffDelay(retry: number, random: () => number = Math.random): number {
  const ceiling = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** retry);
  return Math.round(ceiling * (0.5 + random() / 2));
}

/**
 * Parses `Retry-After` (delta seconds or an HTTP date) into milliseconds; `undefined` when absent/unusable.
 * @param header - the header value
 * @param now - clock in ms
 */
export function parseRetryAfter(header: unknown, now: number = Date.now()): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (typeof value !== "string" && typeof value !== "number") return undefined;
  const text = String(value).trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

/**
 * Sleeps `ms`, rejecting with the signal's reason as soon as `signal` aborts.
 * @param ms - duration
 * @param signal - the caller's signal
 */
export function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** Retry timing: exponential back-off with full jitter, and reading Retry-After. */

export interface RetryOptions {
  retries: number;
  minDelayMs: number;
  maxDelayMs: number;
  /** Longest Retry-After honoured; a server asking for more is waited this long (default 60 s). */
  maxRetryAfterMs?: number;
}

/**
 * The wait before retry number `attempt` (0-based): uniform in [0, min(max, min * 2^attempt)]
 * ("full jitter", so many clients failing together do not retry together).
 * Example: `backoffDelay(2, { retries: 3, minDelayMs: 200, maxDelayMs: 10000 })` is in [0, 800].
 */
export function backoffDelay(attempt: number, o: RetryOptions, random: () => number = Math.random): number {
  const cap = Math.min(o.maxDelayMs, o.minDelayMs * 2 ** attempt);
  return Math.floor(random() * cap);
}

/**
 * Reads Retry-After (delta seconds or an HTTP date) as milliseconds, or undefined when absent
 * or unreadable. Example: `retryAfterMs('2') === 2000`.
 */
export function retryAfterMs(header: string | string[] | undefined, now: number = Date.now()): number | undefined {
  const v = Array.isArray(header) ? header[0] : header;
  if (v === undefined || v === '') return undefined;
  if (/^\s*\d+\s*$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** Sleeps `ms`, woken early (rejecting) by `signal`. Example: `await sleep(200, signal)`. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

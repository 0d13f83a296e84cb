/** A token bucket per API key: `burst` requests at once, refilled at `perSecond`. */

interface Bucket {
  tokens: number;
  last: number;
}

export interface RateLimiter {
  /** 0 when the request may pass, else the seconds to wait (for Retry-After). */
  take(keyId: string): number;
}

/**
 * Creates a limiter. Example: `const wait = createRateLimiter({ perSecond: 50, burst: 100 }).take(keyId)`.
 */
export function createRateLimiter(options: { perSecond: number; burst: number }, now: () => number = Date.now): RateLimiter {
  const { perSecond, burst } = options;
  if (!(perSecond > 0) || !(burst >= 1)) throw new Error('rateLimit needs perSecond > 0 and burst >= 1');
  const buckets = new Map<string, Bucket>();
  return {
    take(keyId) {
      const t = now();
      let b = buckets.get(keyId);
      if (!b) {
        b = { tokens: burst, last: t };
        buckets.set(keyId, b);
      } else {
        b.tokens = Math.min(burst, b.tokens + ((t - b.last) / 1000) * perSecond);
        b.last = t;
      }
      if (b.tokens >= 1) {
        b.tokens -= 1;
        return 0;
      }
      return Math.max(1, Math.ceil((1 - b.tokens) / perSecond));
    },
  };
}

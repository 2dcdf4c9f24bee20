// A fixed-window counter per key for login attempts (per client IP and per username), pure: the caller brings the
// clock. Hand-written rather than @fastify/rate-limit: one login route needs two keys, one of them from the body,
// and the API keeps one error envelope; this is the whole of it.

export interface RateLimit {
  /** attempts allowed per window */
  readonly limit: number;
  readonly windowMs: number;
}

export type Verdict = { readonly ok: true } | { readonly ok: false; readonly retryAfterMs: number };

export interface RateLimiter {
  /** Counts one attempt for `key` at `now` (ms); refused once the window already holds `limit` attempts. */
  take(key: string, now: number): Verdict;
  /** Forgets `key` (a successful login clears its username's count). */
  reset(key: string): void;
  /** keys currently tracked */
  readonly size: number;
}

export function createRateLimiter(rule: RateLimit): RateLimiter {
  if (!(rule.limit >= 1) || !(rule.windowMs > 0)) throw new RangeError('a rate limit needs limit ≥ 1 and windowMs > 0');
  const windows = new Map<string, { start: number; count: number }>();
  let lastSweep = 0;
  return {
    take(key, now) {
      // drop finished windows now and then, so keys from a scan of usernames do not pile up
      if (now - lastSweep >= rule.windowMs) {
        for (const [k, w] of windows) if (now - w.start >= rule.windowMs) windows.delete(k);
        lastSweep = now;
      }
      let w = windows.get(key);
      if (!w || now - w.start >= rule.windowMs) {
        w = { start: now, count: 0 };
        windows.set(key, w);
      }
      if (w.count >= rule.limit) return { ok: false, retryAfterMs: w.start + rule.windowMs - now };
      w.count += 1;
      return { ok: true };
    },
    reset(key) {
      windows.delete(key);
    },
    get size() {
      return windows.size;
    },
  };
}

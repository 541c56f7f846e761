/**
 * A fixed-window counter per key, in memory. Enough for one node; a Redis-backed one can
 * replace it behind the same `hit` call when several nodes run.
 */
export function createRateLimiter(opts: { limit: number; windowMs: number; now?: () => number }) {
  const now = opts.now ?? Date.now;
  const windows = new Map<string, { start: number; count: number }>();
  let lastSweep = now();

  function sweep(t: number) {
    if (t - lastSweep < opts.windowMs) return;
    lastSweep = t;
    for (const [k, w] of windows) if (t - w.start >= opts.windowMs) windows.delete(k);
  }

  return {
    /** Counts `cost` (one attempt by default); false when the key is over its limit for the current window. */
    hit(key: string, cost = 1): boolean {
      const t = now();
      sweep(t);
      const w = windows.get(key);
      if (!w || t - w.start >= opts.windowMs) {
        windows.set(key, { start: t, count: cost });
        return cost <= opts.limit;
      }
      w.count += cost;
      return w.count <= opts.limit;
    },
    reset(key: string) {
      windows.delete(key);
    },
  };
}

export type RateLimiter = ReturnType<typeof createRateLimiter>;

import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { log } from './log';

/**
 * A fixed-window counter per key on rate-limiter-flexible: in memory for one process, in Redis when
 * several nodes run (so an attacker cannot multiply the limit by the number of nodes). Should Redis be
 * unreachable, each node falls back to its own in-memory window (the insurance limiter) instead of
 * failing the request.
 */
export function createRateLimiter(opts: {
  limit: number;
  windowMs: number;
  name?: string;
  redis?: Redis;
  /** Key prefix in Redis (REDIS_PREFIX). */
  prefix?: string;
}) {
  // rate-limiter-flexible counts whole seconds (0 would mean "never resets").
  const base = { points: opts.limit, duration: Math.max(1, Math.ceil(opts.windowMs / 1000)) };
  const memory = new RateLimiterMemory(base);
  const limiter = opts.redis
    ? new RateLimiterRedis({
        ...base,
        storeClient: opts.redis,
        keyPrefix: `${opts.prefix ?? 'fundi'}:rl:${opts.name ?? 'default'}`,
        insuranceLimiter: new RateLimiterMemory(base),
      })
    : memory;

  return {
    /** The window, in whole seconds (what a refusal tells the client to wait at most). */
    windowSeconds: base.duration,
    /** Counts `cost` (one attempt by default); false when the key is over its limit for the current window. */
    async hit(key: string, cost = 1): Promise<boolean> {
      try {
        await limiter.consume(key, cost);
        return true;
      } catch (e) {
        if (e instanceof RateLimiterRes) return false;
        log.warn('rate limit store failed; allowing', { error: (e as Error).message });
        return true;
      }
    },
    /** Like `hit`, with what is left of the window (for RateLimit-* response headers). */
    async take(key: string, cost = 1): Promise<{ allowed: boolean; remaining: number; resetMs: number }> {
      try {
        const r = await limiter.consume(key, cost);
        return { allowed: true, remaining: r.remainingPoints, resetMs: r.msBeforeNext };
      } catch (e) {
        if (e instanceof RateLimiterRes) return { allowed: false, remaining: 0, resetMs: e.msBeforeNext };
        log.warn('rate limit store failed; allowing', { error: (e as Error).message });
        return { allowed: true, remaining: opts.limit, resetMs: base.duration * 1000 };
      }
    },
    limit: opts.limit,
    async reset(key: string) {
      await limiter.delete(key).catch(() => undefined);
    },
  };
}

export type RateLimiter = ReturnType<typeof createRateLimiter>;

/**
 * Slow-down instead of lockout (ASVS 2.2.1, issue 15 §3): per key (an account), `freeAttempts` failures
 * cost nothing; each one after that makes the next attempt wait twice as long as the one before, from
 * `baseMs` up to `maxMs`. Attempts during a wait are refused without being counted, so a stranger hammering
 * an account from many addresses delays its owner by at most `maxMs`, never locks them out for long; a
 * success clears it. Failures are remembered for `windowMs`. In Redis with several nodes, like the limits.
 */
export function createBackoff(opts: {
  freeAttempts: number;
  maxMs: number;
  baseMs?: number;
  windowMs?: number;
  name?: string;
  redis?: Redis;
  prefix?: string;
}) {
  const baseMs = opts.baseMs ?? 1000;
  const windowSec = Math.max(1, Math.ceil((opts.windowMs ?? 15 * 60_000) / 1000));
  const prefix = `${opts.prefix ?? 'fundi'}:bo:${opts.name ?? 'default'}`;
  const make = (points: number, duration: number, kind: string) => {
    const memory = new RateLimiterMemory({ points, duration });
    return opts.redis
      ? new RateLimiterRedis({
          points,
          duration,
          storeClient: opts.redis,
          keyPrefix: `${prefix}:${kind}`,
          insuranceLimiter: new RateLimiterMemory({ points, duration }),
        })
      : memory;
  };
  const failures = make(1_000_000, windowSec, 'f');
  // One point: `block` marks a wait, `get` reads how long is left of it.
  const waits = make(1, windowSec, 'w');

  return {
    /** Milliseconds to wait before the next attempt on `key` (0: go ahead). */
    async wait(key: string): Promise<number> {
      try {
        const res = await waits.get(key);
        return res && res.consumedPoints > 1 ? Math.max(1, res.msBeforeNext) : 0;
      } catch (e) {
        log.warn('backoff store failed; allowing', { error: (e as Error).message });
        return 0;
      }
    },
    /** Counts a failure; past the free ones, the next attempt must wait. Returns that wait (ms). */
    async fail(key: string): Promise<number> {
      try {
        const { consumedPoints: n } = await failures.consume(key);
        if (n < opts.freeAttempts) return 0;
        const ms = Math.min(opts.maxMs, baseMs * 2 ** (n - opts.freeAttempts));
        // Redis keeps whole seconds; in memory the wait is exact.
        await waits.block(key, opts.redis ? Math.ceil(ms / 1000) : ms / 1000);
        return ms;
      } catch (e) {
        if (e instanceof RateLimiterRes) return 0;
        log.warn('backoff store failed', { error: (e as Error).message });
        return 0;
      }
    },
    async reset(key: string) {
      await Promise.all([failures.delete(key), waits.delete(key)]).catch(() => undefined);
    },
  };
}

export type Backoff = ReturnType<typeof createBackoff>;

/**
 * A fixed-window counter per key kept in this process and answered synchronously: the same rule as
 * `createRateLimiter` in memory (a window of `windowMs` opens at a key's first hit; each hit adds its cost;
 * over `limit` is refused, and refused hits still count), without a promise, a timer per key or an object
 * per hit. For hot per-node counters (location fixes, issue 15 §7). Expired windows are swept in bulk
 * (at most once per window) instead of one timer each.
 */
export function createLocalRateLimiter(opts: { limit: number; windowMs: number }) {
  const windowMs = Math.max(1000, Math.ceil(opts.windowMs / 1000) * 1000);
  /** Per key: [hits in the window, when the window ends]. */
  const windows = new Map<string, { count: number; endsAt: number }>();
  let sweepAt = 0;
  return {
    windowSeconds: windowMs / 1000,
    limit: opts.limit,
    /** Counts `cost`; false when the key is over its limit for the current window. */
    hitNow(key: string, cost = 1, now = Date.now()): boolean {
      if (now >= sweepAt) {
        for (const [k, w] of windows) if (w.endsAt <= now) windows.delete(k);
        sweepAt = now + windowMs;
      }
      const w = windows.get(key);
      if (!w || w.endsAt <= now) {
        windows.set(key, { count: cost, endsAt: now + windowMs });
        return cost <= opts.limit;
      }
      w.count += cost;
      return w.count <= opts.limit;
    },
    async hit(key: string, cost = 1): Promise<boolean> {
      return this.hitNow(key, cost);
    },
    reset(key: string) {
      windows.delete(key);
    },
  };
}

export type LocalRateLimiter = ReturnType<typeof createLocalRateLimiter>;

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
    async reset(key: string) {
      await limiter.delete(key).catch(() => undefined);
    },
  };
}

export type RateLimiter = ReturnType<typeof createRateLimiter>;

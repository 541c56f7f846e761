import { Redis } from 'ioredis';
import { log } from '../lib/log';

/**
 * The Redis connections of one node: `pub` for commands and publishing, `sub` in subscriber mode. ioredis
 * reconnects by itself (with back-off) and re-subscribes on reconnect; commands issued meanwhile wait in
 * its offline queue.
 */
export async function connectRedis(url: string, nodeId: string) {
  const make = (role: string, queue = true) => {
    const r = new Redis(url, {
      connectionName: `fundi:${nodeId}:${role}`,
      lazyConnect: true,
      // Publishing waits out a short outage (about 20 reconnect attempts); rate limits never wait
      // (no offline queue: rate-limiter-flexible falls back to its in-memory insurance limiter).
      maxRetriesPerRequest: queue ? 20 : 1,
      enableOfflineQueue: queue,
      retryStrategy: (times) => Math.min(times * 100, 2_000),
    });
    let down = false;
    r.on('error', (e: Error) => {
      if (!down) log.warn('redis: connection problem', { role, error: e.message });
      down = true;
    });
    r.on('ready', () => {
      if (down) log.info('redis: reconnected', { role });
      down = false;
    });
    return r;
  };
  const pub = make('pub');
  const sub = make('sub');
  const limits = make('limits', false);
  try {
    await Promise.all([pub.connect(), sub.connect(), limits.connect()]);
  } catch (e) {
    for (const r of [pub, sub, limits]) r.disconnect();
    throw new Error(`Cannot reach Redis at ${url.replace(/\/\/[^@/]*@/, '//***@')}: ${(e as Error).message}`);
  }
  return {
    pub,
    sub,
    limits,
    async close() {
      await Promise.allSettled([pub.quit(), sub.quit(), limits.quit()]);
    },
  };
}

export type RedisConnections = Awaited<ReturnType<typeof connectRedis>>;

import type { Db } from '../../../db/client';
import { log } from '../../lib/log';
import { createLeaseRepo } from './lease.repo';

/**
 * Work that must run once across all nodes (sweeps, expiry, retention): every node's timer fires, but
 * only the holder of the named lease does the work. The lease lasts a few intervals and is renewed by
 * each run, so if its holder dies another node takes over within about that time.
 */
export function createLeader(db: Db, nodeId: string) {
  const repo = createLeaseRepo(db);
  const held = new Set<string>();
  return {
    /** Runs `work` if this node holds (or can take) the lease `name`; false when another node does. */
    async runOnce(name: string, ttlMs: number, work: () => Promise<unknown>): Promise<boolean> {
      let mine: boolean;
      try {
        mine = await repo.acquire(name, nodeId, ttlMs);
      } catch (e) {
        log.warn('lease: could not ask', { name, error: (e as Error).message });
        return false;
      }
      if (mine !== held.has(name)) log.info(mine ? 'lease taken' : 'lease lost', { name, node: nodeId });
      if (mine) held.add(name);
      else held.delete(name);
      if (mine) await work();
      return mine;
    },
    /** Hands the leases back on a clean stop, so another node takes over at once. */
    async releaseAll() {
      await Promise.allSettled([...held].map((n) => repo.release(n, nodeId)));
      held.clear();
    },
  };
}

export type Leader = ReturnType<typeof createLeader>;

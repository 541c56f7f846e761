import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type Database, openDatabase } from '../../../db/client';
import { services } from '../../../db/schema';
import { seedCatalog } from '../../../db/seed/catalog';
import { driver, testDatabase } from '../../test/harness';
import { createCatalogService } from './catalog.service';

/**
 * The service row every booking, offer and accept needs comes from memory. Issue 18: in a rush, the cached
 * row expired while every pooled connection was held by a dispatch or accept transaction, and each of them
 * then read the row on the pool: all waited for a connection none would give back, and the whole server
 * stopped answering (10 connections "idle in transaction" for good). Here the pool has two connections and
 * two transactions ask at once. On the embedded PGlite (one connection) any statement outside the open
 * transaction waits for it to end: there the same read froze the server every time.
 */
let base: Awaited<ReturnType<typeof testDatabase>>;
let small: Database;
let serviceId: string;

beforeAll(async () => {
  base = await testDatabase();
  await seedCatalog(base.db);
  const [row] = await base.db.select({ id: services.id }).from(services).limit(1);
  serviceId = row!.id;
  small =
    driver === 'postgres'
      ? await openDatabase({ databaseUrl: inject('databaseUrl'), dataDir: '', poolSize: 2 })
      : base;
});
afterAll(async () => {
  if (small !== base) await small.close();
  await base.dispose();
});

/** Fails instead of hanging: a pool deadlock never ends by itself. */
function within<T>(ms: number, p: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`still waiting after ${ms} ms: the pool is deadlocked`)), ms);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

describe('catalog.service inside transactions (issue 18)', () => {
  let clock = 0;
  const catalog = () => createCatalogService(small.db, 'lagos', () => clock);
  /** As many transactions as the pool has connections, each holding its own while it asks. */
  const askInTransactions = (c: ReturnType<typeof catalog>) =>
    Promise.all(
      [1, 2].map(() =>
        small.db.transaction(async (tx) => {
          await tx.execute(sql`select 1`);
          // Both hold a connection before either asks.
          await new Promise((r) => setTimeout(r, 50));
          return c.service(serviceId, tx);
        }),
      ),
    );

  it('an expired row is answered at once, then read again in the background', async () => {
    const c = catalog();
    clock = 0;
    expect((await c.service(serviceId))?.id).toBe(serviceId);
    clock = 10 * 60_000;
    const rows = await within(5_000, askInTransactions(c));
    expect(rows.map((r) => r?.id)).toEqual([serviceId, serviceId]);
  });

  it('a row not in memory is read on the caller’s transaction', async () => {
    const c = catalog();
    c.forget();
    const rows = await within(5_000, askInTransactions(c));
    expect(rows.map((r) => r?.id)).toEqual([serviceId, serviceId]);
  });

  it('outside a transaction, callers at once share one read; a forgotten row is read afresh', async () => {
    const c = catalog();
    const [a, b] = await Promise.all([c.service(serviceId), c.service(serviceId)]);
    expect(a).toBe(b);
    c.forget(serviceId);
    const again = await c.service(serviceId);
    expect(again?.id).toBe(serviceId);
    expect(again).not.toBe(a);
  });
});

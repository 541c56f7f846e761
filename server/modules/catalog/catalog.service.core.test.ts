import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { services } from '../../../db/schema';
import { seedCatalog } from '../../../db/seed/catalog';
import { testDatabase, twoConnections } from '../../test/harness';
import { createCatalogService } from './catalog.service';

/**
 * The service row every booking, offer and accept needs comes from memory. Issue 18: in a rush, the cached
 * row expired while every pooled connection was held by a dispatch or accept transaction, and each of them
 * then read the row on the pool: all waited for a connection none would give back, and the whole server
 * stopped answering (10 connections "idle in transaction" for good). On the embedded PGlite (one
 * connection) any statement outside the open transaction waits for it to end: there the same read froze
 * the server every time.
 */
let base: Awaited<ReturnType<typeof testDatabase>>;
let small: Awaited<ReturnType<typeof twoConnections>>;
let serviceId: string;

beforeAll(async () => {
  base = await testDatabase();
  await seedCatalog(base.db);
  const [row] = await base.db.select({ id: services.id }).from(services).limit(1);
  serviceId = row!.id;
  small = await twoConnections(base);
});
afterAll(async () => {
  await small.close();
  await base.dispose();
});

describe('catalog.service inside transactions (issue 18)', () => {
  let clock = 0;
  const catalog = () => createCatalogService(small.db, 'lagos', () => clock);

  it('an expired row is answered at once, then read again in the background', async () => {
    const c = catalog();
    clock = 0;
    expect((await c.service(serviceId))?.id).toBe(serviceId);
    clock = 10 * 60_000;
    const rows = await small.inTwoTransactions((tx) => c.service(serviceId, tx));
    expect(rows.map((r) => r?.id)).toEqual([serviceId, serviceId]);
  });

  it('a row not in memory is read on the caller’s transaction', async () => {
    const c = catalog();
    c.forget();
    const rows = await small.inTwoTransactions((tx) => c.service(serviceId, tx));
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

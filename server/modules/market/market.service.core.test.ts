import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { type Database, openDatabase } from '../../../db/client';
import { seedCatalog } from '../../../db/seed/catalog';
import { driver, testDatabase } from '../../test/harness';
import { createMarketRepo } from './market.repo';
import { createMarketService } from './market.service';

/**
 * booking.create checks for an unpaid booking inside its transaction, with the market's money rules from
 * memory. When they had expired, each create read them on the pool while holding a pooled connection: in a
 * rush, with every connection held so, nothing moved until PostgreSQL ended the idle transactions a minute
 * later (issue 18; see catalog.service.core.test.ts). On PGlite it froze every time.
 */
let base: Awaited<ReturnType<typeof testDatabase>>;
let small: Database;

beforeAll(async () => {
  base = await testDatabase();
  await seedCatalog(base.db);
  small =
    driver === 'postgres'
      ? await openDatabase({ databaseUrl: inject('databaseUrl'), dataDir: '', poolSize: 2 })
      : base;
});
afterAll(async () => {
  if (small !== base) await small.close();
  await base.dispose();
});

it('expired markets are answered at once inside transactions, and read again in the background', async () => {
  let clock = 0;
  const markets = createMarketService(createMarketRepo(small.db), { now: () => clock });
  const before = await markets.moneyPolicy('lagos', 'NGN');
  clock = 10 * 60_000;
  const policies = Promise.all(
    [1, 2].map(() =>
      small.db.transaction(async (tx) => {
        await tx.execute(sql`select 1`);
        await new Promise((r) => setTimeout(r, 50)); // both hold a connection before either asks
        return markets.moneyPolicy('lagos', 'NGN');
      }),
    ),
  );
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('still waiting after 5 s: the pool is deadlocked')), 5_000);
  });
  const got = await Promise.race([policies, late]).finally(() => clearTimeout(timer));
  expect(got).toEqual([before, before]);
  // The background read landed: the next call past the new expiry is answered from it.
  await new Promise((r) => setTimeout(r, 100));
  expect(await markets.moneyPolicy('lagos', 'NGN')).toEqual(before);
});

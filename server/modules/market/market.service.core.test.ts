import { afterAll, beforeAll, expect, it } from 'vitest';
import { seedCatalog } from '../../../db/seed/catalog';
import { testDatabase, twoConnections } from '../../test/harness';
import { createMarketRepo } from './market.repo';
import { createMarketService } from './market.service';

/**
 * booking.create checks for an unpaid booking inside its transaction, with the market's money rules from
 * memory. When they had expired, each create read them on the pool while holding a pooled connection: in a
 * rush, with every connection held so, nothing moved until PostgreSQL ended the idle transactions a minute
 * later (issue 18; see catalog.service.core.test.ts). On PGlite it froze every time.
 */
let base: Awaited<ReturnType<typeof testDatabase>>;
let small: Awaited<ReturnType<typeof twoConnections>>;

beforeAll(async () => {
  base = await testDatabase();
  await seedCatalog(base.db);
  small = await twoConnections(base);
});
afterAll(async () => {
  await small.close();
  await base.dispose();
});

it('expired markets are answered at once inside transactions, and read again in the background', async () => {
  let clock = 0;
  const markets = createMarketService(createMarketRepo(small.db), { now: () => clock });
  const before = await markets.moneyPolicy('lagos', 'NGN');
  clock = 10 * 60_000;
  expect(await small.inTwoTransactions(() => markets.moneyPolicy('lagos', 'NGN'))).toEqual([before, before]);
  // The background read landed: the next call past the new expiry is answered from it.
  await new Promise((r) => setTimeout(r, 100));
  expect(await markets.moneyPolicy('lagos', 'NGN')).toEqual(before);
});

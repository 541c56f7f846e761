import { type DbOrTx, detached } from '../../../db/client';
import type { CategoryRow, ServiceRow } from '../../../db/schema';
import type { Category, Service } from '../../contracts/catalog';
import { DomainError } from '../../lib/errors';
import { createCatalogRepo } from './catalog.repo';

export const toCategory = (c: CategoryRow): Category => ({
  id: c.id,
  slug: c.slug,
  name: { en: c.nameEn, ar: c.nameAr },
  description: { en: c.descriptionEn, ar: c.descriptionAr },
  icon: c.icon,
});

export const toService = (s: ServiceRow): Service => ({
  id: s.id,
  categoryId: s.categoryId,
  slug: s.slug,
  name: { en: s.nameEn, ar: s.nameAr },
  description: { en: s.descriptionEn, ar: s.descriptionAr },
  basePrice: { amount: s.basePrice, currency: s.currency },
  minPrice: s.minPrice === null ? null : { amount: s.minPrice, currency: s.currency },
  maxPrice: s.maxPrice === null ? null : { amount: s.maxPrice, currency: s.currency },
  priceUnit: s.priceUnit,
  durationMinutes: s.durationMinutes,
  emergencySurchargePct: s.emergencySurchargePct,
  market: s.market,
});

/** How long a service row is answered from memory (prices change by deploy or seed, not per request). */
const SERVICE_CACHE_MS = 30_000;

export function createCatalogService(db: DbOrTx, market: string, now: () => number = Date.now) {
  const repo = createCatalogRepo(db);
  // Every booking and every offer needs its service: kept in memory instead of a read each time.
  const cache = new Map<string, { row: ServiceRow | undefined; at: number }>();
  /** Reads on the pool in flight, one per service (concurrent misses share it). */
  const loading = new Map<string, Promise<ServiceRow | undefined>>();
  /** Bumped by `forget`: a read that started before it must not put back what was forgotten. */
  let generation = 0;

  function load(id: string, on?: DbOrTx): Promise<ServiceRow | undefined> {
    const shared = on === undefined || on === db;
    const running = shared ? loading.get(id) : undefined;
    if (running) return running;
    const started = generation;
    const read = (shared ? repo : createCatalogRepo(on)).service(id).then((row) => {
      if (generation === started) {
        if (cache.size > 10_000) cache.clear();
        cache.set(id, { row, at: now() });
      }
      return row;
    });
    if (shared) {
      loading.set(id, read);
      const done = () => {
        if (loading.get(id) === read) loading.delete(id);
      };
      read.then(done, done);
    }
    return read;
  }

  /**
   * A service row, from memory. Pass the transaction when calling inside one: a miss is then read on it.
   * Never on the pool while holding a pooled connection: with every connection held by transactions that
   * each wait for one more, nothing ever moves (a rush froze the whole server this way when the cached
   * row expired: issue 18). An expired row is still answered at once, and read again in the background.
   */
  async function service(id: string, on?: DbOrTx): Promise<ServiceRow | undefined> {
    const hit = cache.get(id);
    if (!hit) return load(id, on);
    if (now() - hit.at >= SERVICE_CACHE_MS && !loading.has(id)) {
      // Background refresh: a failure (the database away) leaves the old row, tried again next call.
      detached(() => load(id)).catch(() => {});
    }
    return hit.row;
  }
  return {
    service,
    /** Drops a cached service (all of them without an id): the admin console changed the catalogue. */
    forget(id?: string) {
      generation++;
      if (id) {
        cache.delete(id);
        loading.delete(id);
      } else {
        cache.clear();
        loading.clear();
      }
    },
    /**
     * Categories are shared by every market; one is shown in a market when it has an active service
     * there (a category with none in Cairo is not offered in Cairo). Without a market: all of them.
     */
    categories: async (inMarket?: string) => (await repo.categories(inMarket)).map(toCategory),
    /** A market's price list (the deployment's default market when none is asked for). */
    services: async (categoryId?: string, inMarket: string = market) =>
      (await repo.services(inMarket, categoryId)).map(toService),
    /** A bookable service of any market, or NOT_FOUND (callers check it is the job's market). */
    async requireService(id: string): Promise<ServiceRow> {
      const s = await service(id);
      if (!s?.active) throw new DomainError('NOT_FOUND', 'Service not found.');
      return s;
    },
  };
}

export type CatalogService = ReturnType<typeof createCatalogService>;

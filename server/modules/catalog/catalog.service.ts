import type { CategoryRow, ServiceRow } from '../../../db/schema';
import type { Category, Service } from '../../contracts/catalog';
import { DomainError } from '../../lib/errors';
import type { CatalogRepo } from './catalog.repo';

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

export function createCatalogService(repo: CatalogRepo, market: string, now: () => number = Date.now) {
  // Every booking and every offer needs its service: kept in memory instead of a read each time.
  const cache = new Map<string, { row: ServiceRow | undefined; at: number }>();
  async function service(id: string): Promise<ServiceRow | undefined> {
    const hit = cache.get(id);
    if (hit && now() - hit.at < SERVICE_CACHE_MS) return hit.row;
    const row = await repo.service(id);
    if (cache.size > 10_000) cache.clear();
    cache.set(id, { row, at: now() });
    return row;
  }
  return {
    service,
    /** Drops a cached service (all of them without an id): the admin console changed the catalogue. */
    forget(id?: string) {
      if (id) cache.delete(id);
      else cache.clear();
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

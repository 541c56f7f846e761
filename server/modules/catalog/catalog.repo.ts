import { and, asc, eq, exists } from 'drizzle-orm';
import type { DbOrTx } from '../../../db/client';
import { serviceCategories, services } from '../../../db/schema';

export function createCatalogRepo(db: DbOrTx) {
  return {
    /** Every category, or with `market` those with an active service there. */
    categories: (market?: string) =>
      db
        .select()
        .from(serviceCategories)
        .where(
          market
            ? exists(
                db
                  .select({ one: services.id })
                  .from(services)
                  .where(
                    and(
                      eq(services.categoryId, serviceCategories.id),
                      eq(services.market, market),
                      eq(services.active, true),
                    ),
                  ),
              )
            : undefined,
        )
        .orderBy(asc(serviceCategories.sortOrder)),

    services: (market: string, categoryId?: string) =>
      db
        .select()
        .from(services)
        .where(
          and(
            eq(services.market, market),
            eq(services.active, true),
            categoryId ? eq(services.categoryId, categoryId) : undefined,
          ),
        )
        .orderBy(asc(services.categoryId), asc(services.sortOrder)),

    async service(id: string) {
      const [row] = await db.select().from(services).where(eq(services.id, id)).limit(1);
      return row;
    },
  };
}

export type CatalogRepo = ReturnType<typeof createCatalogRepo>;

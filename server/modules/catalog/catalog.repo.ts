import { and, asc, eq } from 'drizzle-orm';
import type { DbOrTx } from '../../../db/client';
import { serviceCategories, services } from '../../../db/schema';

export function createCatalogRepo(db: DbOrTx) {
  return {
    categories: () => db.select().from(serviceCategories).orderBy(asc(serviceCategories.sortOrder)),

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

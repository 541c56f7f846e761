import { asc, count, eq, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../../db/client';
import { type CategoryRow, type ServiceRow, serviceCategories, services } from '../../../db/schema';

export type NewCategory = typeof serviceCategories.$inferInsert;
export type NewService = typeof services.$inferInsert;

/** The catalogue as admins edit it (every market, inactive services too). */
export function createConsoleCatalogRepo(db: DbOrTx) {
  return {
    /** Each category with its services in every market, and its active ones in `market` (if given). */
    categories: (market?: string) =>
      db
        .select({
          category: serviceCategories,
          services:
            sql<number>`(select count(*) from "services" s where s."category_id" = "service_categories"."id")`.mapWith(
              Number,
            ),
          activeInMarket:
            sql<number>`(select count(*) from "services" s where s."category_id" = "service_categories"."id"
              and s."market" = ${market ?? null} and s."active")`.mapWith(Number),
        })
        .from(serviceCategories)
        .orderBy(asc(serviceCategories.sortOrder), asc(serviceCategories.slug)),

    services: (market?: string) =>
      db
        .select()
        .from(services)
        .where(market ? eq(services.market, market) : undefined)
        .orderBy(asc(services.market), asc(services.categoryId), asc(services.sortOrder), asc(services.slug)),

    async category(id: string, opts: { forUpdate?: boolean } = {}): Promise<CategoryRow | undefined> {
      const q = db.select().from(serviceCategories).where(eq(serviceCategories.id, id)).limit(1);
      return (await (opts.forUpdate ? q.for('update') : q))[0];
    },

    async service(id: string, opts: { forUpdate?: boolean } = {}): Promise<ServiceRow | undefined> {
      const q = db.select().from(services).where(eq(services.id, id)).limit(1);
      return (await (opts.forUpdate ? q.for('update') : q))[0];
    },

    async insertCategory(values: NewCategory) {
      return (await db.insert(serviceCategories).values(values).returning())[0]!;
    },
    async updateCategory(id: string, patch: Partial<NewCategory>) {
      return (
        await db.update(serviceCategories).set(patch).where(eq(serviceCategories.id, id)).returning()
      )[0];
    },
    async servicesInCategory(id: string) {
      const [row] = await db.select({ n: count() }).from(services).where(eq(services.categoryId, id));
      return Number(row?.n ?? 0);
    },
    async deleteCategory(id: string) {
      return (await db.delete(serviceCategories).where(eq(serviceCategories.id, id)).returning())[0];
    },

    async insertService(values: NewService) {
      return (await db.insert(services).values(values).returning())[0]!;
    },
    async updateService(id: string, patch: Partial<NewService>) {
      return (await db.update(services).set(patch).where(eq(services.id, id)).returning())[0];
    },
  };
}

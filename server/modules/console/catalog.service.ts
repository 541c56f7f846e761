import type { z } from 'zod';
import type { Db } from '../../../db/client';
import type { CategoryRow, ServiceRow } from '../../../db/schema';
import type {
  AdminCategory,
  AdminService,
  createCategoryInput,
  createServiceInput,
  updateCategoryInput,
  updateServiceInput,
} from '../../contracts/console';
import { DomainError, isUniqueViolation, pgErrorCode } from '../../lib/errors';
import type { Bus } from '../../realtime/bus';
import { createAuditRepo } from '../audit/audit.repo';
import type { CatalogService } from '../catalog/catalog.service';
import type { MarketService } from '../market/market.service';
import { createConsoleCatalogRepo } from './catalog.repo';

type Caller = { id: string };
/** Catalogue changes cross nodes here: each node drops the service from its 30 s cache. */
export const CATALOG_CHANNEL = 'console:catalog';
type CatalogChanged = { serviceId?: string };

const toAdminCategory = (
  c: CategoryRow,
  services = 0,
  activeInMarket: number | null = null,
): AdminCategory => ({
  id: c.id,
  slug: c.slug,
  name: { en: c.nameEn, ar: c.nameAr },
  description: { en: c.descriptionEn, ar: c.descriptionAr },
  icon: c.icon,
  sortOrder: c.sortOrder,
  services,
  activeInMarket,
});

const money = (amount: number | null, currency: string) => (amount == null ? null : { amount, currency });
export const toAdminService = (s: ServiceRow): AdminService => ({
  id: s.id,
  categoryId: s.categoryId,
  market: s.market,
  slug: s.slug,
  name: { en: s.nameEn, ar: s.nameAr },
  description: { en: s.descriptionEn, ar: s.descriptionAr },
  basePrice: { amount: s.basePrice, currency: s.currency },
  minPrice: money(s.minPrice, s.currency),
  maxPrice: money(s.maxPrice, s.currency),
  priceUnit: s.priceUnit,
  durationMinutes: s.durationMinutes,
  emergencySurchargePct: s.emergencySurchargePct,
  requiredCertificates: s.requiredCertificates,
  active: s.active,
  sortOrder: s.sortOrder,
});

/** The fields an audit row compares (the row minus bookkeeping). */
const auditable = (s: ServiceRow | CategoryRow) => {
  const { createdAt: _c, ...rest } = s;
  return rest as Record<string, unknown>;
};
const changedFields = (before: Record<string, unknown>, after: Record<string, unknown>) => {
  const b: Record<string, unknown> = {};
  const a: Record<string, unknown> = {};
  for (const k of Object.keys(after)) {
    if (JSON.stringify(before[k]) !== JSON.stringify(after[k])) {
      b[k] = before[k];
      a[k] = after[k];
    }
  }
  return { before: b, after: a };
};

/** Database refusals a client caused (a slug taken, bounds that contradict each other) as 4xx. */
function refused(e: unknown): never {
  if (isUniqueViolation(e))
    throw new DomainError('CONFLICT', 'That slug is already used.', { reason: 'SLUG_TAKEN' });
  const pg = pgErrorCode(e);
  if (pg.code === '23514') throw new DomainError('VALIDATION', `Rejected by ${pg.constraint ?? 'a check'}.`);
  if (pg.code === '23503') throw new DomainError('NOT_FOUND', 'Category not found.');
  throw e;
}

export function createConsoleCatalogService(deps: {
  db: Db;
  bus: Bus;
  catalog: CatalogService;
  markets: MarketService;
}) {
  const { db, bus } = deps;
  const repo = createConsoleCatalogRepo(db);
  bus.on<CatalogChanged>(CATALOG_CHANNEL, (m) => deps.catalog.forget(m.serviceId));
  // Published after the commit, so no node re-reads the old row into its cache afterwards.
  const changed = (serviceId?: string) => bus.publish<CatalogChanged>(CATALOG_CHANNEL, { serviceId });

  async function currencyOf(market: string) {
    const m = await deps.markets.bySlug(market);
    if (!m) throw new DomainError('VALIDATION', `No market "${market}".`);
    return m.currency;
  }

  return {
    async list(input: { market?: string } | undefined) {
      const [categories, services] = await Promise.all([
        repo.categories(input?.market),
        repo.services(input?.market),
      ]);
      return {
        categories: categories.map((c) =>
          toAdminCategory(c.category, c.services, input?.market ? c.activeInMarket : null),
        ),
        services: services.map(toAdminService),
      };
    },

    async createCategory(admin: Caller, input: z.output<typeof createCategoryInput>) {
      try {
        const row = await db.transaction(async (tx) => {
          const row = await createConsoleCatalogRepo(tx).insertCategory(input);
          await createAuditRepo(tx).record({
            actorId: admin.id,
            action: 'catalog.category.create',
            subject: `category:${row.id}`,
            after: auditable(row),
          });
          return row;
        });
        return toAdminCategory(row);
      } catch (e) {
        refused(e);
      }
    },

    async updateCategory(admin: Caller, input: z.output<typeof updateCategoryInput>) {
      const { id, ...patch } = input;
      try {
        const row = await db.transaction(async (tx) => {
          const r = createConsoleCatalogRepo(tx);
          const before = await r.category(id, { forUpdate: true });
          if (!before) throw new DomainError('NOT_FOUND', 'Category not found.');
          const after = (await r.updateCategory(id, patch))!;
          await createAuditRepo(tx).record({
            actorId: admin.id,
            action: 'catalog.category.update',
            subject: `category:${id}`,
            ...changedFields(auditable(before), auditable(after)),
          });
          return after;
        });
        return toAdminCategory(row);
      } catch (e) {
        refused(e);
      }
    },

    /** Only an empty category goes (services are never deleted: bookings point at them; deactivate those). */
    async deleteCategory(admin: Caller, input: { id: string }) {
      await db.transaction(async (tx) => {
        const r = createConsoleCatalogRepo(tx);
        const before = await r.category(input.id, { forUpdate: true });
        if (!before) throw new DomainError('NOT_FOUND', 'Category not found.');
        if ((await r.servicesInCategory(input.id)) > 0)
          throw new DomainError('CONFLICT', 'Move or deactivate its services first.', {
            reason: 'NOT_EMPTY',
          });
        await r.deleteCategory(input.id);
        await createAuditRepo(tx).record({
          actorId: admin.id,
          action: 'catalog.category.delete',
          subject: `category:${input.id}`,
          before: auditable(before),
        });
      });
      return { id: input.id, deleted: true as const };
    },

    async createService(admin: Caller, input: z.output<typeof createServiceInput>) {
      const currency = await currencyOf(input.market);
      try {
        const row = await db.transaction(async (tx) => {
          const r = createConsoleCatalogRepo(tx);
          if (!(await r.category(input.categoryId)))
            throw new DomainError('NOT_FOUND', 'Category not found.');
          const row = await r.insertService({ ...input, currency });
          await createAuditRepo(tx).record({
            actorId: admin.id,
            action: 'catalog.service.create',
            subject: `service:${row.id}`,
            after: auditable(row),
          });
          return row;
        });
        changed(row.id);
        return toAdminService(row);
      } catch (e) {
        refused(e);
      }
    },

    /**
     * A change applies to quotes made from now on: bookings keep the breakdown they stored when made
     * (price_base, price_surcharge, price_total on the booking row), so nothing here touches them.
     */
    async updateService(admin: Caller, input: z.output<typeof updateServiceInput>) {
      const { id, ...patch } = input;
      try {
        const row = await db.transaction(async (tx) => {
          const r = createConsoleCatalogRepo(tx);
          const before = await r.service(id, { forUpdate: true });
          if (!before) throw new DomainError('NOT_FOUND', 'Service not found.');
          if (patch.categoryId && !(await r.category(patch.categoryId)))
            throw new DomainError('NOT_FOUND', 'Category not found.');
          const after = (await r.updateService(id, patch))!;
          await createAuditRepo(tx).record({
            actorId: admin.id,
            action: 'catalog.service.update',
            subject: `service:${id}`,
            ...changedFields(auditable(before), auditable(after)),
          });
          return after;
        });
        changed(id);
        return toAdminService(row);
      } catch (e) {
        refused(e);
      }
    },

    /** Services are deactivated, not deleted: past bookings keep pointing at them. */
    async deleteService(admin: Caller, input: { id: string }) {
      const row = await db.transaction(async (tx) => {
        const r = createConsoleCatalogRepo(tx);
        const before = await r.service(input.id, { forUpdate: true });
        if (!before) throw new DomainError('NOT_FOUND', 'Service not found.');
        const after = (await r.updateService(input.id, { active: false }))!;
        await createAuditRepo(tx).record({
          actorId: admin.id,
          action: 'catalog.service.delete',
          subject: `service:${input.id}`,
          before: { active: before.active },
          after: { active: false },
        });
        return after;
      });
      changed(input.id);
      return toAdminService(row);
    },
  };
}

export type ConsoleCatalogService = ReturnType<typeof createConsoleCatalogService>;

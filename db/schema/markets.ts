import { sql } from 'drizzle-orm';
import { boolean, check, customType, index, integer, pgTable, text } from 'drizzle-orm/pg-core';
import { createdAt } from './columns';

/**
 * A `geometry(MultiPolygon,4326)`, written as EWKT. Reads go through `ST_AsGeoJSON` in the repo (the
 * driver's hex EWKB of a polygon is not worth parsing by hand), so the column's own read is the raw text.
 */
const multiPolygon = customType<{ data: string; driverData: string }>({
  dataType() {
    return 'geometry(MultiPolygon,4326)';
  },
});

/**
 * A city Fundi works in (issue 13): its currency, time zone, language, commission and the boundary
 * that decides which market a job's pin belongs to. Adding one (Nairobi, Accra) is a row, not code.
 */
export const markets = pgTable(
  'markets',
  {
    /** `lagos`, `cairo`: also `services.market`. */
    slug: text('slug').primaryKey(),
    nameEn: text('name_en').notNull(),
    nameAr: text('name_ar').notNull(),
    currency: text('currency').notNull(),
    timeZone: text('time_zone').notNull(),
    defaultLocale: text('default_locale').notNull(),
    commissionBps: integer('commission_bps').notNull(),
    boundary: multiPolygon('boundary').notNull(),
    active: boolean('active').notNull().default(true),
    sortOrder: integer('sort_order').notNull().default(0),
    createdAt: createdAt(),
  },
  (t) => [
    index('markets_boundary_gist').using('gist', t.boundary),
    check('markets_currency_iso', sql`${t.currency} ~ '^[A-Z]{3}$'`),
    check('markets_locale', sql`${t.defaultLocale} IN ('en', 'ar')`),
    check('markets_commission_range', sql`${t.commissionBps} BETWEEN 0 AND 10000`),
    check('markets_boundary_valid', sql`ST_IsValid(${t.boundary})`),
  ],
);

export type MarketRow = typeof markets.$inferSelect;

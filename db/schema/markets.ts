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
    /**
     * Its money rules (issue 10, read by the payments service through market.repo): the ways to pay the
     * app offers, in order (an online one only when its gateway's keys are configured; cash always works).
     */
    paymentMethods: text('payment_methods').array().notNull().default(sql`'{cash}'::text[]`),
    /** A customer's cancellation is free this long after a technician is assigned (and always before). */
    cancellationGraceMinutes: integer('cancellation_grace_minutes').notNull().default(5),
    /** Once the technician is en route: a fixed fee (minor units) or a percent of the quote. */
    cancellationFeeKind: text('cancellation_fee_kind').notNull().default('fixed'),
    /** Minor units (`fixed`) or percent (`percent`). */
    cancellationFee: integer('cancellation_fee').notNull().default(0),
    /** The technician's part of a cancellation fee (they drove there); the rest is the platform's. */
    cancellationTechnicianSharePct: integer('cancellation_technician_share_pct').notNull().default(80),
    /** A customer with a completed booking unpaid for longer than this cannot book again. */
    unpaidGraceHours: integer('unpaid_grace_hours').notNull().default(24),
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
    check(
      'markets_payment_methods',
      sql`${t.paymentMethods} <@ ARRAY['cash', 'paystack', 'stripe', 'paymob']::text[]`,
    ),
    check('markets_cancellation_fee_kind', sql`${t.cancellationFeeKind} IN ('fixed', 'percent')`),
    check(
      'markets_cancellation_fee_range',
      sql`${t.cancellationFee} >= 0 AND (${t.cancellationFeeKind} = 'fixed' OR ${t.cancellationFee} <= 100)`,
    ),
    check('markets_cancellation_grace', sql`${t.cancellationGraceMinutes} >= 0`),
    check('markets_technician_share', sql`${t.cancellationTechnicianSharePct} BETWEEN 0 AND 100`),
    check('markets_unpaid_grace', sql`${t.unpaidGraceHours} > 0`),
  ],
);

export type MarketRow = typeof markets.$inferSelect;

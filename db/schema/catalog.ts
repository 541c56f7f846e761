import { sql } from 'drizzle-orm';
import {
  boolean,
  check,
  index,
  integer,
  pgEnum,
  pgTable,
  text,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { createdAt } from './columns';

export const priceUnit = pgEnum('price_unit', ['fixed', 'hourly']);

export const serviceCategories = pgTable(
  'service_categories',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    slug: text('slug').notNull(),
    nameEn: text('name_en').notNull(),
    nameAr: text('name_ar').notNull(),
    /** What the category covers, in both languages (shown under its name; empty: nothing shown). */
    descriptionEn: text('description_en').notNull().default(''),
    descriptionAr: text('description_ar').notNull().default(''),
    /** A key of the built-in SVG icon set (client/src/features/console/icons.tsx), never an emoji. */
    icon: text('icon').notNull().default('tools'),
    sortOrder: integer('sort_order').notNull().default(0),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('service_categories_slug_key').on(t.slug)],
);

export const services = pgTable(
  'services',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    categoryId: uuid('category_id')
      .notNull()
      .references(() => serviceCategories.id),
    /** The market (city) this price list belongs to: `lagos`, `cairo`, … */
    market: text('market').notNull(),
    slug: text('slug').notNull(),
    nameEn: text('name_en').notNull(),
    nameAr: text('name_ar').notNull(),
    descriptionEn: text('description_en').notNull().default(''),
    descriptionAr: text('description_ar').notNull().default(''),
    basePrice: integer('base_price').notNull(),
    /** Bounds of technicians' own prices for this service (minor units; null: no bound). */
    minPrice: integer('min_price'),
    maxPrice: integer('max_price'),
    currency: text('currency').notNull(),
    priceUnit: priceUnit('price_unit').notNull().default('fixed'),
    durationMinutes: integer('duration_minutes').notNull(),
    emergencySurchargePct: integer('emergency_surcharge_pct').notNull().default(0),
    /** Certificates a technician must hold to offer it (e.g. `electrical-licence`); for onboarding to check against their documents. */
    requiredCertificates: text('required_certificates').array().notNull().default(sql`'{}'::text[]`),
    active: boolean('active').notNull().default(true),
    sortOrder: integer('sort_order').notNull().default(0),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('services_market_slug_key').on(t.market, t.slug),
    index('services_category_idx').on(t.categoryId),
    check('services_price_positive', sql`${t.basePrice} > 0`),
    check(
      'services_price_bounds',
      sql`(${t.minPrice} IS NULL OR ${t.minPrice} > 0) AND (${t.maxPrice} IS NULL OR ${t.minPrice} IS NULL OR ${t.maxPrice} >= ${t.minPrice})`,
    ),
    check('services_currency_iso', sql`${t.currency} ~ '^[A-Z]{3}$'`),
    check('services_duration_positive', sql`${t.durationMinutes} > 0`),
    check('services_surcharge_range', sql`${t.emergencySurchargePct} BETWEEN 0 AND 200`),
  ],
);

/**
 * What a certificate kind (`services.required_certificates`, e.g. `gas-safety`) is called, in English and
 * Arabic, for the technician's checklist and the admin's review. A kind without a row is shown by its slug.
 */
export const certificateKinds = pgTable('certificate_kinds', {
  slug: text('slug').primaryKey(),
  nameEn: text('name_en').notNull(),
  nameAr: text('name_ar').notNull(),
  createdAt: createdAt(),
});

export type ServiceRow = typeof services.$inferSelect;
export type CategoryRow = typeof serviceCategories.$inferSelect;

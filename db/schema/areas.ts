import { sql } from 'drizzle-orm';
import {
  bigserial,
  check,
  customType,
  index,
  integer,
  pgTable,
  text,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { createdAt } from './columns';
import { markets } from './markets';
import { users } from './users';

/** A `geometry(Polygon,4326)` written as EWKT; read back through `ST_AsGeoJSON` in the repos. */
const polygon = customType<{ data: string; driverData: string }>({
  dataType() {
    return 'geometry(Polygon,4326)';
  },
});

/**
 * Named zones of a market (Yaba, Lekki, Ikeja; Nasr City, Maadi, Zamalek): technicians pick them as
 * service areas, and a zone may carry a surcharge (airport, islands, gated estates).
 */
export const marketZones = pgTable(
  'market_zones',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    market: text('market')
      .notNull()
      .references(() => markets.slug),
    slug: text('slug').notNull(),
    nameEn: text('name_en').notNull(),
    nameAr: text('name_ar').notNull(),
    area: polygon('area').notNull(),
    /** Added to a job's price when its pin is in this zone (percent of the base). */
    surchargePct: integer('surcharge_pct').notNull().default(0),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('market_zones_market_slug_key').on(t.market, t.slug),
    index('market_zones_area_gist').using('gist', t.area),
    check('market_zones_area_valid', sql`ST_IsValid(${t.area})`),
    check('market_zones_surcharge_range', sql`${t.surchargePct} BETWEEN 0 AND 200`),
  ],
);

/** Where a technician works (issue 13 §2): polygons they drew or zones they picked. */
export const technicianAreas = pgTable(
  'technician_areas',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    technicianId: uuid('technician_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** As typed for a drawn area; a picked zone's English name. */
    name: text('name').notNull(),
    /** A picked zone's Arabic name (null for a drawn area: its name is as typed). */
    nameAr: text('name_ar'),
    /** The zone it came from, when picked rather than drawn. */
    zone: text('zone'),
    area: polygon('area').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    index('technician_areas_technician_idx').on(t.technicianId),
    index('technician_areas_area_gist').using('gist', t.area),
    check('technician_areas_valid', sql`ST_IsValid(${t.area})`),
    // At most 2,000 km² each: a city district or a few, not a country.
    check('technician_areas_size', sql`ST_Area(${t.area}::geography) <= 2000000000`),
  ],
);

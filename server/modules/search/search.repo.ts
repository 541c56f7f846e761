import { and, asc, desc, eq, type SQL, sql } from 'drizzle-orm';
import { type DbOrTx, queryRows } from '../../../db/client';
import {
  favorites,
  services,
  technicianLanguages,
  technicianProfiles,
  technicianServices,
} from '../../../db/schema';
import type { PriceUnit } from '../../contracts/catalog';
import type { SearchSort } from '../../contracts/discovery';
import type { VerificationStatus } from '../../contracts/technician';
import { servesAt } from '../area/area.sql';
import { beforeKeyset, type Keyset, microsOf } from '../review/keyset';
import { bayesianScoreSql } from '../review/rating';

/**
 * Where a technician is shown: their last known position snapped to a grid of GRID_DEGREES (~1.1 km at
 * the equator, less east–west away from it). Distances are measured from that point and rounded to
 * 100 m, so neither the position nor a series of searches from different points reveals where they are.
 */
export const GRID_DEGREES = 0.01;
export const AREA_APPROXIMATE_METERS = 1100;
const area = sql`ST_SnapToGrid(tp.location::geometry, ${GRID_DEGREES}::float8)`;
const point = (p: { lat: number; lng: number }) =>
  sql`ST_SetSRID(ST_MakePoint(${p.lng}::float8, ${p.lat}::float8), 4326)::geography`;

/** "Best": the Bayesian score less 0.05 star per km (2 km nearer is worth a tenth of a star). */
export const BEST_KM_PENALTY = 0.05;

export type SearchFilter = {
  at: { lat: number; lng: number };
  radiusMeters: number;
  serviceId?: string | undefined;
  categoryId?: string | undefined;
  /** Already split into words (LIKE wildcards escaped); each must occur in the normalised text. */
  words: string[];
  minRating?: number | undefined;
  maxPrice?: number | undefined;
  sort: SearchSort;
  /** Keyset: the sort keys and id of the last row of the previous page. */
  after?: { k1: string; k2: string; id: string } | undefined;
  /** Online and heard from after this: available now. */
  presentAfter: Date;
};

export type SearchRow = {
  id: string;
  name: string;
  photo_url: string | null;
  rating_sum: number;
  rating_count: number;
  available: boolean;
  distance: number | string;
  amount: number | string;
  currency: string;
  unit: PriceUnit;
  /** The priced service's duration (for availability). */
  duration_minutes: number;
  service_list: unknown;
  area_lat: number | null;
  area_lng: number | null;
  k1: string;
  k2: string;
};

/**
 * The searchable text of a technician: `technician_search.search_text` (name, bio, the English and
 * Arabic names of their services and categories, normalised by fundi_search_norm: lower case, Latin
 * accents folded, Arabic alef/hamza forms, taa marbuta, alef maqsura unified, diacritics and tatweel
 * removed), kept by triggers (migrations 0032, 0038) and indexed with pg_trgm, so `LIKE '%word%'` uses the
 * index. Joined as `tsx` only when the query has words.
 */
const searchText = sql`tsx.search_text`;
/** One word of the query in the technician's text: the predicate the trigram index answers. */
const textMatch = (word: string) => sql`${searchText} LIKE '%' || fundi_search_norm(${word}) || '%'`;

/**
 * Verified technicians within the radius of a point, filtered and sorted in SQL, one page after the
 * keyset `after`. Each row carries its sort keys (k1, k2; then id) for the next cursor: every sort is
 * ascending on (k1, k2, id), descending ones negated, and the keys are rounded numerics so they
 * round-trip exactly. The price is for `serviceId`, else the cheapest matching service ("from").
 */
export function searchQuery(f: SearchFilter, limit: number): SQL {
  const here = point(f.at);
  const serviceFilter = sql.join(
    [
      f.serviceId ? sql`AND s.id = ${f.serviceId}` : sql``,
      f.categoryId ? sql`AND s.category_id = ${f.categoryId}` : sql``,
    ],
    sql` `,
  );
  const score = bayesianScoreSql(sql`tp.rating_sum`, sql`tp.rating_count`);
  const distance = sql`(round(ST_Distance(${area}::geography, ${here}) / 100) * 100)`;
  const conditions = [
    sql`tp.verification = 'verified'`,
    sql`tp.location IS NOT NULL`,
    sql`ST_DWithin(tp.location, ${here}, ${f.radiusMeters})`,
    // Only those whose service areas cover the point (the same rule as dispatch; no areas: anywhere).
    servesAt(f.at),
    f.minRating !== undefined
      ? sql`tp.rating_count > 0 AND tp.rating_sum >= ${f.minRating}::numeric * tp.rating_count`
      : undefined,
    f.maxPrice !== undefined ? sql`price.amount <= ${f.maxPrice}` : undefined,
    ...f.words.map(textMatch),
  ].filter((c) => c !== undefined);

  const keys: Record<SearchSort, { k1: ReturnType<typeof sql>; k2: ReturnType<typeof sql> }> = {
    distance: { k1: sql`c.distance`, k2: sql`0::numeric` },
    rating: { k1: sql`-c.score`, k2: sql`-c.rating_count::numeric` },
    price: { k1: sql`c.amount::numeric`, k2: sql`c.distance` },
    best: {
      k1: sql`-round(c.score - ${BEST_KM_PENALTY}::numeric * c.distance / 1000, 4)`,
      k2: sql`c.distance`,
    },
  };
  const { k1, k2 } = keys[f.sort];
  const after = f.after
    ? sql`WHERE (k.k1, k.k2, k.id) > (${f.after.k1}::numeric, ${f.after.k2}::numeric, ${f.after.id}::uuid)`
    : sql``;

  return sql`WITH c AS (
          SELECT tp.user_id AS id, u.name, tp.photo_url, tp.rating_sum, tp.rating_count,
                 (tp.online AND tp.seen_at > ${f.presentAfter.toISOString()}::timestamptz) AS available,
                 ${distance}::numeric AS distance, ${score} AS score,
                 ST_Y(${area}) AS area_lat, ST_X(${area}) AS area_lng,
                 price.amount, price.currency, price.unit, price.duration_minutes
          FROM technician_profiles tp
          JOIN users u ON u.id = tp.user_id
          ${f.words.length ? sql`JOIN technician_search tsx ON tsx.technician_id = tp.user_id` : sql``}
          CROSS JOIN LATERAL (
            SELECT coalesce(ts.price, s.base_price) AS amount, s.currency, s.price_unit AS unit,
                   s.duration_minutes
            FROM technician_services ts JOIN services s ON s.id = ts.service_id
            WHERE ts.technician_id = tp.user_id AND s.active ${serviceFilter}
            ORDER BY coalesce(ts.price, s.base_price), s.id
            LIMIT 1
          ) price
          WHERE ${sql.join(conditions, sql` AND `)}
        ), k AS (
          SELECT c.*, ${k1} AS k1, ${k2} AS k2 FROM c
        ), page AS (
          SELECT * FROM k ${after} ORDER BY k.k1, k.k2, k.id LIMIT ${limit}
        )
        SELECT page.*,
               (SELECT json_agg(json_build_object('id', s.id, 'en', s.name_en, 'ar', s.name_ar)
                                ORDER BY s.sort_order, s.name_en)
                FROM technician_services ts JOIN services s ON s.id = ts.service_id
                WHERE ts.technician_id = page.id AND s.active) AS service_list
        FROM page ORDER BY page.k1, page.k2, page.id`;
}

export function createSearchRepo(db: DbOrTx) {
  return {
    /** Enough to decide who may see a technician's public profile. */
    async technician(id: string) {
      const [row] = await db
        .select({ id: technicianProfiles.userId, verification: technicianProfiles.verification })
        .from(technicianProfiles)
        .where(eq(technicianProfiles.userId, id))
        .limit(1);
      return row as { id: string; verification: VerificationStatus } | undefined;
    },

    async profile(id: string, presentAfter: Date) {
      const [row] = await queryRows<{
        id: string;
        name: string;
        locale: 'en' | 'ar';
        created_at: Date | string;
        bio: string;
        photo_url: string | null;
        verification: VerificationStatus;
        rating_sum: number;
        rating_count: number;
        available: boolean;
        area_lat: number | null;
        area_lng: number | null;
        jobs: number | string;
      }>(
        db,
        sql`SELECT u.id, u.name, u.locale, u.created_at, tp.bio, tp.photo_url, tp.verification,
                   tp.rating_sum, tp.rating_count,
                   (tp.online AND tp.seen_at > ${presentAfter.toISOString()}::timestamptz) AS available,
                   ST_Y(${area}) AS area_lat, ST_X(${area}) AS area_lng,
                   (SELECT count(*) FROM bookings b
                     WHERE b.technician_id = tp.user_id AND b.status = 'completed') AS jobs
            FROM technician_profiles tp JOIN users u ON u.id = tp.user_id
            WHERE tp.user_id = ${id}`,
      );
      return row;
    },

    /** Their services with their own price, or the catalogue's when they set none. */
    servicesOf: (id: string) =>
      db
        .select({
          id: services.id,
          slug: services.slug,
          categoryId: services.categoryId,
          nameEn: services.nameEn,
          nameAr: services.nameAr,
          priceUnit: services.priceUnit,
          durationMinutes: services.durationMinutes,
          ownPrice: technicianServices.price,
          basePrice: services.basePrice,
          currency: services.currency,
        })
        .from(technicianServices)
        .innerJoin(services, eq(services.id, technicianServices.serviceId))
        .where(and(eq(technicianServices.technicianId, id), eq(services.active, true)))
        .orderBy(asc(services.sortOrder), asc(services.nameEn)),

    async languagesOf(id: string): Promise<string[]> {
      const rows = await db
        .select({ language: technicianLanguages.language })
        .from(technicianLanguages)
        .where(eq(technicianLanguages.technicianId, id))
        .orderBy(asc(technicianLanguages.language));
      return rows.map((r) => r.language);
    },

    async setLanguages(id: string, languages: string[]) {
      await db.transaction(async (tx) => {
        await tx.delete(technicianLanguages).where(eq(technicianLanguages.technicianId, id));
        if (languages.length) {
          await tx
            .insert(technicianLanguages)
            .values(languages.map((language) => ({ technicianId: id, language })));
        }
      });
    },

    search: (f: SearchFilter, limit: number): Promise<SearchRow[]> =>
      queryRows<SearchRow>(db, searchQuery(f, limit)),

    /**
     * The plan of search's text predicate alone (EXPLAIN, text, sequential scans priced out): on a small
     * table the whole search prefers the location index, this shows the trigram index answers the words.
     */
    explainText: (word: string) =>
      db.transaction(async (tx) => {
        await tx.execute(sql`SET LOCAL enable_seqscan = off`);
        const rows = await queryRows<{ 'QUERY PLAN': string }>(
          tx,
          sql`EXPLAIN SELECT tsx.technician_id FROM technician_search tsx WHERE ${textMatch(word)}`,
        );
        return rows.map((r) => r['QUERY PLAN']).join('\n');
      }),

    /**
     * The plan of `search` (EXPLAIN, text), with sequential scans priced out so that a small test table
     * still shows which index the query CAN use: for tests and for checking by hand.
     */
    explainSearch: (f: SearchFilter, limit: number) =>
      db.transaction(async (tx) => {
        await tx.execute(sql`SET LOCAL enable_seqscan = off`);
        const rows = await queryRows<{ 'QUERY PLAN': string }>(tx, sql`EXPLAIN ${searchQuery(f, limit)}`);
        return rows.map((r) => r['QUERY PLAN']).join('\n');
      }),

    async addFavorite(userId: string, technicianId: string) {
      await db.insert(favorites).values({ userId, technicianId }).onConflictDoNothing();
    },

    async removeFavorite(userId: string, technicianId: string) {
      await db
        .delete(favorites)
        .where(and(eq(favorites.userId, userId), eq(favorites.technicianId, technicianId)));
    },

    /** Saved technicians who are still verified, newest first; keyset on (created_at, technician_id). */
    favorites(userId: string, after: Keyset | undefined, limit: number) {
      return db
        .select({
          id: favorites.technicianId,
          savedAt: favorites.createdAt,
          key: microsOf(favorites.createdAt),
        })
        .from(favorites)
        .innerJoin(technicianProfiles, eq(technicianProfiles.userId, favorites.technicianId))
        .where(
          and(
            eq(favorites.userId, userId),
            eq(technicianProfiles.verification, 'verified'),
            after ? beforeKeyset(favorites.createdAt, favorites.technicianId, after) : undefined,
          ),
        )
        .orderBy(desc(favorites.createdAt), desc(favorites.technicianId))
        .limit(limit);
    },

    /** Cards of these technicians (no distance: no point searched), with their cheapest price. */
    cards(ids: string[], presentAfter: Date) {
      if (ids.length === 0)
        return Promise.resolve([] as Omit<SearchRow, 'distance' | 'k1' | 'k2' | 'duration_minutes'>[]);
      const list = sql.join(
        ids.map((id) => sql`${id}::uuid`),
        sql`, `,
      );
      return queryRows<Omit<SearchRow, 'distance' | 'k1' | 'k2' | 'duration_minutes'>>(
        db,
        sql`SELECT tp.user_id AS id, u.name, tp.photo_url, tp.rating_sum, tp.rating_count,
                   (tp.online AND tp.seen_at > ${presentAfter.toISOString()}::timestamptz) AS available,
                   price.amount, price.currency, price.unit,
                   ST_Y(${area}) AS area_lat, ST_X(${area}) AS area_lng,
                   (SELECT json_agg(json_build_object('id', s.id, 'en', s.name_en, 'ar', s.name_ar)
                                    ORDER BY s.sort_order, s.name_en)
                    FROM technician_services ts JOIN services s ON s.id = ts.service_id
                    WHERE ts.technician_id = tp.user_id AND s.active) AS service_list
            FROM technician_profiles tp
            JOIN users u ON u.id = tp.user_id
            LEFT JOIN LATERAL (
              SELECT coalesce(ts.price, s.base_price) AS amount, s.currency, s.price_unit AS unit
              FROM technician_services ts JOIN services s ON s.id = ts.service_id
              WHERE ts.technician_id = tp.user_id AND s.active
              ORDER BY coalesce(ts.price, s.base_price), s.id
              LIMIT 1
            ) price ON true
            WHERE tp.user_id IN (${list})`,
      );
    },

    async isFavorite(userId: string, technicianId: string): Promise<boolean> {
      const [row] = await db
        .select({ id: favorites.technicianId })
        .from(favorites)
        .where(and(eq(favorites.userId, userId), eq(favorites.technicianId, technicianId)))
        .limit(1);
      return Boolean(row);
    },
  };
}

export type SearchRepo = ReturnType<typeof createSearchRepo>;

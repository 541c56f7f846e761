import { sql } from 'drizzle-orm';
import { type DbOrTx, queryRows } from '../../../db/client';
import type { AreaRejectionReason } from '../../contracts/area';

const coords = (geojson: unknown): number[][][] =>
  (typeof geojson === 'string' ? JSON.parse(geojson) : (geojson as { coordinates: number[][][] }))
    .coordinates;

export function createAreaRepo(db: DbOrTx) {
  return {
    async zones(market: string) {
      const rows = await queryRows<{
        slug: string;
        name_en: string;
        name_ar: string;
        surcharge_pct: number;
        geo: string;
      }>(
        db,
        sql`SELECT slug, name_en, name_ar, surcharge_pct, ST_AsGeoJSON(area, 6) AS geo
            FROM market_zones WHERE market = ${market} ORDER BY name_en`,
      );
      return rows.map((r) => ({
        slug: r.slug,
        name: { en: r.name_en, ar: r.name_ar },
        surchargePct: Number(r.surcharge_pct),
        polygon: coords(r.geo),
      }));
    },

    /** The zone containing a point (its surcharge applies to the job), if any. */
    async zoneAt(market: string, at: { lat: number; lng: number }) {
      const [row] = await queryRows<{
        slug: string;
        name_en: string;
        name_ar: string;
        surcharge_pct: number;
      }>(
        db,
        sql`SELECT slug, name_en, name_ar, surcharge_pct FROM market_zones
            WHERE market = ${market} AND ST_Covers(area, ST_SetSRID(ST_MakePoint(${at.lng}, ${at.lat}), 4326))
            ORDER BY surcharge_pct DESC LIMIT 1`,
      );
      return row
        ? {
            slug: row.slug,
            name: { en: row.name_en, ar: row.name_ar },
            surchargePct: Number(row.surcharge_pct),
          }
        : null;
    },

    async areasOf(technicianId: string) {
      const rows = await queryRows<{
        id: string;
        name: string;
        name_ar: string | null;
        zone: string | null;
        geo: string;
      }>(
        db,
        sql`SELECT id, name, name_ar, zone, ST_AsGeoJSON(area, 6) AS geo FROM technician_areas
            WHERE technician_id = ${technicianId} ORDER BY created_at, id`,
      );
      return rows.map((r) => ({
        id: r.id,
        name: r.name,
        localName: { en: r.name, ar: r.name_ar ?? r.name },
        zone: r.zone,
        polygon: coords(r.geo),
      }));
    },

    /**
     * Replaces a technician's areas in one transaction. Each must be a valid, simple polygon inside one
     * market; returns the index of the first that is not (nothing is written then).
     */
    async replace(
      technicianId: string,
      areas: Array<{ name: string; zone: string | null; ewkt: string } | { zone: string; market: string }>,
    ): Promise<{ ok: true } | { ok: false; index: number; reason: AreaRejectionReason }> {
      return db
        .transaction(async (tx) => {
          await tx.execute(sql`DELETE FROM technician_areas WHERE technician_id = ${technicianId}`);
          for (const [index, a] of areas.entries()) {
            if ('ewkt' in a) {
              const [check] = await queryRows<{ valid: boolean; inside: boolean; km2: number }>(
                tx,
                sql`WITH g AS (SELECT ST_GeomFromEWKT(${a.ewkt}) AS area)
                  SELECT ST_IsValid(area) AND ST_IsSimple(area) AS valid,
                         EXISTS (SELECT 1 FROM markets m WHERE m.active AND ST_CoveredBy(g.area, m.boundary)) AS inside,
                         ST_Area(area::geography) / 1e6 AS km2
                  FROM g`,
              );
              if (!check?.valid) throw new AreaRejected(index, 'invalid');
              if (!check.inside) throw new AreaRejected(index, 'outside');
              if (Number(check.km2) > 2000) throw new AreaRejected(index, 'too_large');
              await tx.execute(sql`INSERT INTO technician_areas (technician_id, name, zone, area, created_at)
                                 VALUES (${technicianId}, ${a.name}, ${a.zone}, ST_GeomFromEWKT(${a.ewkt}),
                                         clock_timestamp())`);
            } else {
              const inserted = await queryRows<{ id: string }>(
                tx,
                sql`INSERT INTO technician_areas (technician_id, name, name_ar, zone, area, created_at)
                  SELECT ${technicianId}, z.name_en, z.name_ar, z.slug, z.area, clock_timestamp() FROM market_zones z
                  WHERE z.slug = ${a.zone} AND z.market = ${a.market}
                  RETURNING id`,
              );
              if (!inserted.length) throw new AreaRejected(index, 'zone');
            }
          }
          return { ok: true as const };
        })
        .catch((e: unknown) => {
          if (e instanceof AreaRejected) return { ok: false as const, index: e.index, reason: e.reason };
          throw e;
        });
    },
  };
}

/** Rolls the replacement back; carried out as a result, not as an error. */
class AreaRejected extends Error {
  constructor(
    public readonly index: number,
    public readonly reason: AreaRejectionReason,
  ) {
    super(reason);
  }
}

export type AreaRepo = ReturnType<typeof createAreaRepo>;

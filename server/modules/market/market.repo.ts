import { sql } from 'drizzle-orm';
import { type DbOrTx, queryRows } from '../../../db/client';
import type { PaymentMethod } from '../../contracts/payment';
import type { MarketMoneyPolicy } from '../payments/markets';

export type MarketRecord = {
  slug: string;
  nameEn: string;
  nameAr: string;
  currency: string;
  timeZone: string;
  defaultLocale: 'en' | 'ar';
  commissionBps: number;
  /** GeoJSON MultiPolygon coordinates. */
  boundary: number[][][][];
  center: [number, number];
  /** Payment methods, cancellation fee and unpaid grace (the payments service's rules). */
  money: MarketMoneyPolicy;
};

export function createMarketRepo(db: DbOrTx) {
  return {
    async active(): Promise<MarketRecord[]> {
      const rows = await queryRows<{
        slug: string;
        name_en: string;
        name_ar: string;
        currency: string;
        time_zone: string;
        default_locale: 'en' | 'ar';
        commission_bps: number;
        boundary: string;
        lat: number;
        lng: number;
        payment_methods: PaymentMethod[];
        cancellation_grace_minutes: number;
        cancellation_fee_kind: 'fixed' | 'percent';
        cancellation_fee: number;
        cancellation_technician_share_pct: number;
        unpaid_grace_hours: number;
      }>(
        db,
        sql`SELECT slug, name_en, name_ar, currency, time_zone, default_locale, commission_bps,
                   payment_methods, cancellation_grace_minutes, cancellation_fee_kind, cancellation_fee,
                   cancellation_technician_share_pct, unpaid_grace_hours,
                   ST_AsGeoJSON(boundary, 5) AS boundary,
                   ST_Y(ST_PointOnSurface(boundary)) AS lat, ST_X(ST_PointOnSurface(boundary)) AS lng
            FROM markets WHERE active ORDER BY sort_order, slug`,
      );
      return rows.map((r) => ({
        slug: r.slug,
        nameEn: r.name_en,
        nameAr: r.name_ar,
        currency: r.currency,
        timeZone: r.time_zone,
        defaultLocale: r.default_locale,
        commissionBps: Number(r.commission_bps),
        boundary: (JSON.parse(r.boundary) as { coordinates: number[][][][] }).coordinates,
        center: [Number(r.lat), Number(r.lng)],
        money: {
          market: r.slug,
          currency: r.currency,
          methods: r.payment_methods,
          cancellation: {
            graceMinutes: Number(r.cancellation_grace_minutes),
            fee:
              r.cancellation_fee_kind === 'percent'
                ? { kind: 'percent', pct: Number(r.cancellation_fee) }
                : { kind: 'fixed', amount: Number(r.cancellation_fee) },
            technicianSharePct: Number(r.cancellation_technician_share_pct),
          },
          unpaidGraceHours: Number(r.unpaid_grace_hours),
        },
      }));
    },

    /** PostGIS's answer (the reference the in-memory test is checked against). */
    async containing(at: { lat: number; lng: number }): Promise<string | null> {
      const [row] = await queryRows<{ slug: string }>(
        db,
        sql`SELECT slug FROM markets
            WHERE active AND ST_Covers(boundary, ST_SetSRID(ST_MakePoint(${at.lng}, ${at.lat}), 4326))
            ORDER BY sort_order LIMIT 1`,
      );
      return row?.slug ?? null;
    },
  };
}

export type MarketRepo = ReturnType<typeof createMarketRepo>;

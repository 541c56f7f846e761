import { sql } from 'drizzle-orm';
import type { Db } from '../client';

/** [lng, lat] rings, closed. Rough metropolitan outlines: what matters is land where we have technicians. */
type Ring = Array<[number, number]>;

export const marketSeed: Array<{
  slug: 'lagos' | 'cairo';
  nameEn: string;
  nameAr: string;
  currency: string;
  timeZone: string;
  defaultLocale: 'en' | 'ar';
  commissionBps: number;
  rings: Ring[];
}> = [
  {
    slug: 'lagos',
    nameEn: 'Lagos',
    nameAr: 'لاغوس',
    currency: 'NGN',
    timeZone: 'Africa/Lagos',
    defaultLocale: 'en',
    commissionBps: 1500,
    // Badagry to Lekki–Epe, Ikorodu and Ikeja; the southern edge follows the Atlantic shore.
    rings: [
      [
        [2.95, 6.4],
        [3.38, 6.41],
        [3.6, 6.43],
        [3.9, 6.45],
        [3.95, 6.62],
        [3.55, 6.72],
        [3.25, 6.72],
        [2.95, 6.58],
        [2.95, 6.4],
      ],
    ],
  },
  {
    slug: 'cairo',
    nameEn: 'Cairo',
    nameAr: 'القاهرة',
    currency: 'EGP',
    timeZone: 'Africa/Cairo',
    defaultLocale: 'ar',
    commissionBps: 1500,
    // Greater Cairo: Giza and 6th of October to New Cairo, Helwan to Shubra El Kheima.
    rings: [
      [
        [30.9, 29.85],
        [31.65, 29.8],
        [31.75, 30.05],
        [31.6, 30.25],
        [31.1, 30.25],
        [30.85, 30.05],
        [30.9, 29.85],
      ],
    ],
  },
];

const ewkt = (rings: Ring[]) =>
  `SRID=4326;MULTIPOLYGON(((${rings.map((r) => r.map(([lng, lat]) => `${lng} ${lat}`).join(',')).join('),(')})))`;

/** Lagos and Cairo; a market already there keeps what an admin changed since. */
export async function seedMarkets(db: Db): Promise<void> {
  for (const [order, m] of marketSeed.entries()) {
    await db.execute(sql`
      INSERT INTO markets (slug, name_en, name_ar, currency, time_zone, default_locale, commission_bps, boundary, sort_order)
      VALUES (${m.slug}, ${m.nameEn}, ${m.nameAr}, ${m.currency}, ${m.timeZone}, ${m.defaultLocale},
              ${m.commissionBps}, ST_GeomFromEWKT(${ewkt(m.rings)}), ${order})
      ON CONFLICT (slug) DO NOTHING`);
  }
}

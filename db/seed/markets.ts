/**
 * The markets (cities) Fundi starts with. A market is data, not code: everything about it is its row in
 * `markets` (name in English and Arabic, currency, time zone, first language, commission, outline,
 * payment methods, cancellation fee, unpaid grace), its zones in `market_zones` and its price list in
 * `services` (db/seed/catalog.ts: one price per market for each service).
 *
 * Adding a market, e.g. Nairobi (KES, Africa/Nairobi, English first):
 *   1. add an entry below: slug `nairobi`, names, `currency: 'KES'`, `timeZone: 'Africa/Nairobi'`,
 *      `defaultLocale: 'en'`, commission, an outline ring ([lng, lat] corners, closed) and its `money`
 *      rules (`methods: ['cash', 'stripe']`: an online method is offered once its gateway's keys are set);
 *   2. add its zones to `zoneSeed` (or none: `nairobi: []`);
 *   3. add `nairobi: <price in shillings>` to the `price` of each service it offers in db/seed/catalog.ts.
 * Start the server (or `npm run db:seed`): the rows are inserted, and the booking screens, the admin's
 * boards, quotes, dispatch, payments and the city switch list it from `market.list`. No code changes;
 * an existing deployment may equally insert the rows with SQL (see server/modules/market/market.test.ts,
 * which adds Accra that way).
 */
import { sql } from 'drizzle-orm';
import type { MarketMoneyPolicy } from '../../server/modules/payments/markets';
import type { Db } from '../client';

/** [lng, lat] rings, closed. Rough metropolitan outlines: what matters is land where we have technicians. */
type Ring = Array<[number, number]>;

/** A market's money rules (columns of its row; see db/schema/markets.ts): the payments service's policy. */
export type MarketMoneySeed = Omit<MarketMoneyPolicy, 'market' | 'currency'>;

export const marketSeed: Array<{
  slug: string;
  nameEn: string;
  nameAr: string;
  currency: string;
  timeZone: string;
  defaultLocale: 'en' | 'ar';
  commissionBps: number;
  rings: Ring[];
  money: MarketMoneySeed;
}> = [
  {
    slug: 'lagos',
    nameEn: 'Lagos',
    nameAr: 'لاغوس',
    currency: 'NGN',
    timeZone: 'Africa/Lagos',
    defaultLocale: 'en',
    commissionBps: 1500,
    money: {
      methods: ['cash', 'paystack', 'stripe'],
      // ₦1,000 once the technician is en route (after 5 free minutes), 80% of it theirs.
      cancellation: { graceMinutes: 5, fee: { kind: 'fixed', amount: 1000_00 }, technicianSharePct: 80 },
      unpaidGraceHours: 24,
    },
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
    money: {
      methods: ['cash', 'paymob', 'stripe'],
      // 20% of the quote once the technician is en route (after 5 free minutes), 80% of it theirs.
      cancellation: { graceMinutes: 5, fee: { kind: 'percent', pct: 20 }, technicianSharePct: 80 },
      unpaidGraceHours: 24,
    },
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

/** Named zones: [slug, en, ar, south, west, north, east, surcharge %]. Rough boxes around each district. */
export const zoneSeed: Record<
  string,
  Array<[string, string, string, number, number, number, number, number]>
> = {
  lagos: [
    ['yaba', 'Yaba', 'يابا', 6.49, 3.36, 6.53, 3.395, 0],
    ['ikeja', 'Ikeja', 'إكيجا', 6.57, 3.32, 6.63, 3.37, 0],
    ['lekki', 'Lekki', 'ليكي', 6.42, 3.46, 6.47, 3.6, 0],
    ['victoria-island', 'Victoria Island', 'جزيرة فيكتوريا', 6.418, 3.4, 6.44, 3.44, 10],
    ['airport', 'Murtala Muhammed Airport', 'مطار مرتضى محمد', 6.565, 3.3, 6.595, 3.335, 15],
  ],
  cairo: [
    ['nasr-city', 'Nasr City', 'مدينة نصر', 30.04, 31.3, 30.08, 31.37, 0],
    ['maadi', 'Maadi', 'المعادي', 29.94, 31.24, 29.98, 31.29, 0],
    ['zamalek', 'Zamalek', 'الزمالك', 30.05, 31.215, 30.075, 31.228, 10],
    ['airport', 'Cairo Airport', 'مطار القاهرة', 30.1, 31.38, 30.14, 31.43, 15],
  ],
};

const box = (s: number, w: number, n: number, e: number) =>
  `SRID=4326;POLYGON((${w} ${s},${e} ${s},${e} ${n},${w} ${n},${w} ${s}))`;

const ewkt = (rings: Ring[]) =>
  `SRID=4326;MULTIPOLYGON(((${rings.map((r) => r.map(([lng, lat]) => `${lng} ${lat}`).join(',')).join('),(')})))`;

/** The seeded markets; a market already there keeps what an admin changed since. */
export async function seedMarkets(db: Db): Promise<void> {
  for (const [order, m] of marketSeed.entries()) {
    const fee = m.money.cancellation.fee;
    await db.execute(sql`
      INSERT INTO markets (slug, name_en, name_ar, currency, time_zone, default_locale, commission_bps, boundary, sort_order,
                           payment_methods, cancellation_grace_minutes, cancellation_fee_kind, cancellation_fee,
                           cancellation_technician_share_pct, unpaid_grace_hours)
      VALUES (${m.slug}, ${m.nameEn}, ${m.nameAr}, ${m.currency}, ${m.timeZone}, ${m.defaultLocale},
              ${m.commissionBps}, ST_GeomFromEWKT(${ewkt(m.rings)}), ${order},
              ${`{${m.money.methods.join(',')}}`}::text[], ${m.money.cancellation.graceMinutes}, ${fee.kind},
              ${fee.kind === 'fixed' ? fee.amount : fee.pct}, ${m.money.cancellation.technicianSharePct},
              ${m.money.unpaidGraceHours})
      ON CONFLICT (slug) DO NOTHING`);
    for (const [slug, en, ar, south, west, north, east, pct] of zoneSeed[m.slug] ?? []) {
      await db.execute(sql`
        INSERT INTO market_zones (market, slug, name_en, name_ar, area, surcharge_pct)
        VALUES (${m.slug}, ${slug}, ${en}, ${ar}, ST_GeomFromEWKT(${box(south, west, north, east)}), ${pct})
        ON CONFLICT (market, slug) DO NOTHING`);
    }
  }
}

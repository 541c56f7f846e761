import { type SQL, sql } from 'drizzle-orm';
import { type Db, type DbOrTx, queryRows } from '../../../db/client';
import type { CancelSide } from '../../contracts/analytics';
import {
  cancelRows,
  cellRows,
  type Horizons,
  type MarketScope,
  moneyRows,
  offerRows,
  ROLLUP_VERSION,
  ratingRows,
  type Span,
  statusRows,
  unfulfilledReasonRows,
  waitRows,
} from './analytics.sql';

export type { Horizons } from './analytics.sql';

/** A market and a half-open time range [from, to). */
export type Scope = MarketScope & { from: Date; to: Date };

const iso = (d: Date) => d.toISOString();
const num = (v: unknown) => (v === null || v === undefined ? 0 : Number(v));
const at = (v: Date | string) => new Date(v).toISOString();

/**
 * The market's bookings requested in [from, to) (the hourly cards: the last week, read raw). The range
 * scan is `bookings_created_analytics_idx`; services (a few hundred rows) is hashed.
 */
function requested(s: { market: string }, from: Date, to: Date): SQL {
  return sql`select b.id, b.created_at, b.status, b.assigned_at, b.scheduled_for, b.cancel_reason, b.location
    from bookings b join services sv on sv.id = b.service_id
    where sv.market = ${s.market} and not b.sandbox and b.created_at >= ${iso(from)}::timestamptz and b.created_at < ${iso(to)}::timestamptz`;
}

/** A timestamptz as ISO-8601 UTC text with its microseconds (a JS Date would drop them). */
export const isoText = (expr: SQL) =>
  sql`to_char((${expr}) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/** A list of YYYY-MM-DD days as a PostgreSQL array literal (they come from the database; checked anyway). */
export function dayArray(days: string[]): string {
  for (const d of days) if (!/^\d{4}-\d{2}-\d{2}$/.test(d)) throw new TypeError(`not a day: ${d}`);
  return `{${days.join(',')}}`;
}

/**
 * A range cut at the market's local midnights: every local day it touches (`days`), the whole days read
 * from the rollups (`clean`: rolled up by this ROLLUP_VERSION and not marked dirty since), and the rest as
 * spans read from the raw rows (`raw`: the partial first and last day, today, days not rolled up or dirty;
 * neighbouring pieces merged, so the raw reference without rollups is one span). Local midnight is
 * `day::timestamp at time zone tz`, as the worker's days are, so a whole day here is exactly the rows the
 * worker rolled up for it (also on a day whose summer time starts at midnight).
 */
type Pieces = { days: string[]; clean: string[]; raw: Span[] };

async function cut(db: DbOrTx, s: Scope, rollups: boolean): Promise<Pieces> {
  const tz = s.timeZone;
  const from = sql`${iso(s.from)}::timestamptz`;
  const to = sql`${iso(s.to)}::timestamptz`;
  const rows = await queryRows<{ day: string; lo: string; hi: string; clean: boolean }>(
    db,
    sql`select to_char(sp.day, 'YYYY-MM-DD') as day, ${isoText(sql`sp.lo`)} as lo, ${isoText(sql`sp.hi`)} as hi,
        ${sql.raw(rollups ? 'true' : 'false')} and sp.whole
          and exists (select 1 from analytics_days d
            where d.market = ${s.market} and d.day = sp.day and d.version = ${ROLLUP_VERSION})
          and not exists (select 1 from analytics_dirty_days x where x.market = ${s.market} and x.day = sp.day)
          as clean
      from (
        select g::date as day,
          greatest(${from}, g at time zone ${tz}) as lo,
          least(${to}, (g + interval '1 day') at time zone ${tz}) as hi,
          (g at time zone ${tz}) >= ${from} and ((g + interval '1 day') at time zone ${tz}) <= ${to} as whole
        from generate_series((${from} at time zone ${tz})::date::timestamp,
          ((${to} - interval '1 microsecond') at time zone ${tz})::date::timestamp, interval '1 day') g) sp
      order by sp.day`,
  );
  const out: Pieces = { days: [], clean: [], raw: [] };
  for (const r of rows) {
    out.days.push(r.day);
    if (r.clean) {
      out.clean.push(r.day);
      continue;
    }
    const last = out.raw.at(-1);
    if (last && last.hi === r.lo) last.hi = r.hi;
    else out.raw.push({ lo: r.lo, hi: r.hi });
  }
  return out;
}

/** Hour starts (in the market's zone, so half-hour zones work too) covering [from, to). */
function hours(s: Scope, from: Date): SQL {
  return sql`select generate_series(
      date_trunc('hour', ${iso(from)}::timestamptz, ${s.timeZone}),
      ${iso(s.to)}::timestamptz - interval '1 microsecond',
      interval '1 hour') as at`;
}

/** The only place analytics SQL runs. Every query reads the real tables (see db/schema/analytics.ts). */
export function createAnalyticsRepo(db: Db, opts: { rollups: boolean } = { rollups: true }) {
  /**
   * A card over the whole range: the cut and the card's own statement in one read-only REPEATABLE READ
   * transaction, so the days it reads from the rollups are clean in the snapshot it reads them in.
   */
  const read = <T>(s: Scope, f: (tx: DbOrTx, p: Pieces) => Promise<T>) =>
    db.transaction(async (tx) => f(tx, await cut(tx, s, opts.rollups)), {
      isolationLevel: 'repeatable read',
      accessMode: 'read only',
    });

  /**
   * Count metrics (see analytics.sql.ts) over the range: the clean rolled-up days from
   * `analytics_day_counts`, the rest from the raw rows, in one statement (one snapshot). Most frequent
   * first.
   */
  /**
   * Count metrics (see analytics.sql.ts) over the range: the clean days from `analytics_day_counts`, the
   * raw spans from the raw rows. Most frequent first.
   */
  function counts(s: Scope, metrics: string[], raw: (spans: Span[]) => SQL) {
    return read(s, async (tx, p) => {
      const rows = await queryRows<{ metric: string; key: string; n: string | number }>(
        tx,
        sql`with x as (
            select r.metric, r.key, r.n from analytics_day_counts r
            where r.market = ${s.market} and r.metric in (${sql.join(
              metrics.map((m) => sql`${m}`),
              sql`, `,
            )}) and r.day = any(${dayArray(p.clean)}::date[])
            union all
            select f.metric, f.key, f.n from (${raw(p.raw)}) f)
          select metric, key, sum(n)::bigint as n from x group by 1, 2 order by 3 desc, 2`,
      );
      return rows.map((r) => ({ metric: r.metric, key: r.key, n: num(r.n) }));
    });
  }

  return {
    async market(slug: string) {
      const [row] = await queryRows<{ slug: string; currency: string; time_zone: string }>(
        db,
        sql`select slug, currency, time_zone from markets where slug = ${slug}`,
      );
      return row ? { slug: row.slug, currency: row.currency, timeZone: row.time_zone } : undefined;
    },

    /** Bookings requested per hour from `from` (the last week of the range), zero-filled. */
    async bookingsPerHour(s: Scope, from: Date) {
      const rows = await queryRows<{ at: Date | string; count: number }>(
        db,
        sql`with h as (${hours(s, from)}),
          c as (select date_trunc('hour', r.created_at, ${s.timeZone}) as at, count(*)::int as n
                from (${requested(s, from, s.to)}) r group by 1)
          select h.at, coalesce(c.n, 0)::int as count from h left join c on c.at = h.at order by h.at`,
      );
      return rows.map((r) => ({ at: at(r.at), count: num(r.count) }));
    },

    async fulfilment(s: Scope) {
      const rows = await counts(
        s,
        ['status', 'unfulfilled_reason'],
        (spans) => sql`${statusRows(s, spans)} union all ${unfulfilledReasonRows(s, spans)}`,
      );
      const status = (k: string) => rows.find((r) => r.metric === 'status' && r.key === k)?.n ?? 0;
      return {
        requested: status('requested'),
        unfulfilled: status('unfulfilled'),
        searching: status('searching'),
        cancelledBeforeAssignment: status('cancelled_before'),
        reasons: rows
          .filter((r) => r.metric === 'unfulfilled_reason')
          .map((r) => ({ reason: r.key, count: r.n })),
      };
    },

    /** Offers made for the bookings requested in the range, per offer status. */
    async offers(s: Scope, h: Horizons) {
      const rows = await counts(s, ['offer'], (spans) => offerRows(s, spans, h));
      return new Map(rows.map((r) => [r.key, r.n]));
    },

    /** Cancelled bookings by side (who made the status change) and by reason. */
    async cancellations(s: Scope) {
      const rows = await counts(s, ['cancel_side', 'cancel_reason'], (spans) => cancelRows(s, spans));
      return {
        bySide: rows
          .filter((r) => r.metric === 'cancel_side')
          .map((r) => ({ side: r.key as CancelSide, count: r.n })),
        byReason: rows
          .filter((r) => r.metric === 'cancel_reason')
          .map((r) => ({ reason: r.key, count: r.n })),
      };
    },

    /** Ratings (not hidden) of the bookings requested in the range: counts[i] = stars i+1. */
    async ratings(s: Scope, h: Horizons) {
      const rows = await counts(s, ['rating'], (spans) => ratingRows(s, spans, h));
      const stars = [0, 0, 0, 0, 0];
      for (const r of rows) stars[Number(r.key) - 1] = r.n;
      return stars;
    },

    /** Money per local day of the range (every day, zero-filled), from the ledger lines. */
    moneyPerDay(s: Scope) {
      return read(s, async (tx, p) => {
        const rows = await queryRows<{ day: string; key: string; n: string | number }>(
          tx,
          sql`with x as (
              select r.day, r.key, r.n from analytics_day_counts r
              where r.market = ${s.market} and r.metric = 'money' and r.day = any(${dayArray(p.clean)}::date[])
              union all
              select f.day, f.key, f.n from (${moneyRows(s, p.raw)}) f)
            select to_char(day, 'YYYY-MM-DD') as day, key, sum(n)::bigint as n from x group by 1, 2`,
        );
        const byDay = new Map(
          p.days.map((day) => [day, { day, revenue: 0, commission: 0, tips: 0, refunds: 0 }]),
        );
        for (const r of rows) {
          const d = byDay.get(r.day);
          if (d && (r.key === 'revenue' || r.key === 'commission' || r.key === 'tips' || r.key === 'refunds'))
            d[r.key] += num(r.n);
        }
        return [...byDay.values()];
      });
    },

    /** Time to assignment of on-demand bookings as a histogram of whole seconds, ascending. */
    waits(s: Scope) {
      return read(s, async (tx, p) => {
        const rows = await queryRows<{ seconds: number; n: string | number }>(
          tx,
          sql`with x as (
              select r.seconds, r.n from analytics_day_waits r
              where r.market = ${s.market} and r.day = any(${dayArray(p.clean)}::date[])
              union all
              select f.seconds, f.n from (${waitRows(s, p.raw)}) f)
            select seconds, sum(n)::bigint as n from x group by 1 order by 1`,
        );
        return rows.map((r) => ({ seconds: num(r.seconds), n: num(r.n) }));
      });
    },

    /** Bookings requested per grid cell, busiest first (then by position), at most `limit` cells. */
    heatmap(s: Scope, cell: number, limit: number) {
      return read(s, async (tx, p) => {
        const rows = await queryRows<{ lat: number; lng: number; count: string | number }>(
          tx,
          sql`with x as (
              select r.lat, r.lng, r.n from analytics_day_cells r
              where r.market = ${s.market} and r.day = any(${dayArray(p.clean)}::date[])
              union all
              select f.lat, f.lng, f.n from (${cellRows(s, p.raw, cell)}) f)
            select lat, lng, sum(n)::bigint as count from x group by 1, 2 order by 3 desc, 1, 2
            limit ${limit}`,
        );
        return rows.map((r) => ({ lat: num(r.lat), lng: num(r.lng), count: num(r.count) }));
      });
    },

    /** Per hour from `from`: bookings requested against the averages of the minute presence samples. */
    async supplyDemand(s: Scope, from: Date) {
      const rows = await queryRows<{
        at: Date | string;
        requests: number;
        online: number;
        available: number;
      }>(
        db,
        sql`with h as (${hours(s, from)}),
          d as (select date_trunc('hour', r.created_at, ${s.timeZone}) as at, count(*)::int as n
                from (${requested(s, from, s.to)}) r group by 1),
          p as (select date_trunc('hour', ps.sampled_at, ${s.timeZone}) as at,
                  avg(ps.online)::float8 as online, avg(ps.available)::float8 as available
                from analytics_presence_samples ps
                where ps.market = ${s.market} and ps.sampled_at >= ${iso(from)}::timestamptz
                  and ps.sampled_at < ${iso(s.to)}::timestamptz
                group by 1)
          select h.at, coalesce(d.n, 0)::int as requests,
            round(coalesce(p.online, 0)::numeric, 1)::float8 as online,
            round(coalesce(p.available, 0)::numeric, 1)::float8 as available
          from h left join d on d.at = h.at left join p on p.at = h.at order by h.at`,
      );
      return rows.map((r) => ({
        at: at(r.at),
        requests: num(r.requests),
        online: num(r.online),
        available: num(r.available),
      }));
    },

    /**
     * One presence sample per market for the current minute: online technicians (heard from within
     * `timeoutMs`) whose position is inside the market, how many could take an offer, how many are on a job.
     * Every node may run it: the primary key keeps one sample per market per minute.
     */
    async samplePresence(timeoutMs: number) {
      const rows = await queryRows<{ market: string }>(
        db,
        sql`insert into analytics_presence_samples (market, sampled_at, online, available, busy)
          select m.slug, date_trunc('minute', now()),
            count(t.user_id)::int,
            count(t.user_id) filter (where t.verification = 'verified' and not t.busy)::int,
            count(t.user_id) filter (where t.busy)::int
          from markets m
          left join lateral (
            select tp.user_id, tp.verification, exists (
                select 1 from bookings b where b.technician_id = tp.user_id
                  and b.status in ('assigned', 'en_route', 'arrived', 'in_progress')) as busy
            from technician_profiles tp
            where tp.online and tp.seen_at > now() - ${`${timeoutMs} milliseconds`}::interval
              and st_covers(m.boundary, tp.location::geometry)) t on true
          where m.active
          group by m.slug
          on conflict (market, sampled_at) do nothing
          returning market`,
      );
      return rows.length;
    },
  };
}

export type AnalyticsRepo = ReturnType<typeof createAnalyticsRepo>;

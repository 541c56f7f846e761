import { type SQL, sql } from 'drizzle-orm';
import { type DbOrTx, queryRows } from '../../../db/client';
import type { CancelSide } from '../../contracts/analytics';

/**
 * How long after a request its offers and its review can come (the bound of their range scans):
 * set by the service from the schedule horizon and the review window.
 */
export type Horizons = { offersMs: number; reviewsMs: number };

/** A market and a half-open time range [from, to). */
export type Scope = { market: string; timeZone: string; currency: string; from: Date; to: Date };

const iso = (d: Date) => d.toISOString();
const num = (v: unknown) => (v === null || v === undefined ? 0 : Number(v));
const numOrNull = (v: unknown) => (v === null || v === undefined ? null : Number(v));
const at = (v: Date | string) => new Date(v).toISOString();

/**
 * The market's bookings requested in [from, to). The market is the service's (`services.market`); the
 * range scan is `bookings_created_analytics_idx` (created_at, covering every column read here), so the
 * cards read the index only, and services (a few hundred rows) is hashed.
 */
function requested(s: { market: string }, from: Date, to: Date): SQL {
  return sql`select b.id, b.created_at, b.status, b.assigned_at, b.scheduled_for, b.cancel_reason, b.location
    from bookings b join services sv on sv.id = b.service_id
    where sv.market = ${s.market} and b.created_at >= ${iso(from)}::timestamptz and b.created_at < ${iso(to)}::timestamptz`;
}

/** Hour starts (in the market's zone, so half-hour zones work too) covering [from, to). */
function hours(s: Scope, from: Date): SQL {
  return sql`select generate_series(
      date_trunc('hour', ${iso(from)}::timestamptz, ${s.timeZone}),
      ${iso(s.to)}::timestamptz - interval '1 microsecond',
      interval '1 hour') as at`;
}

/** The only place analytics SQL runs. Every query reads the real tables (see db/schema/analytics.ts). */
export function createAnalyticsRepo(db: DbOrTx) {
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
      const [totals] = await queryRows<Record<string, number>>(
        db,
        sql`select count(*)::int as requested,
            count(*) filter (where r.status = 'unfulfilled')::int as unfulfilled,
            count(*) filter (where r.status = 'searching')::int as searching,
            count(*) filter (where r.status = 'cancelled' and r.assigned_at is null)::int as cancelled_before
          from (${requested(s, s.from, s.to)}) r`,
      );
      // The reason is the one written on the status change to `unfulfilled` (dispatch's words).
      const reasons = await queryRows<{ reason: string; count: number }>(
        db,
        sql`select coalesce(nullif(btrim(h.reason), ''), '') as reason, count(*)::int as count
          from (${requested(s, s.from, s.to)}) r
          left join lateral (
            select reason from booking_status_history h
            where h.booking_id = r.id and h.to_status = 'unfulfilled' order by h.id desc limit 1) h on true
          where r.status = 'unfulfilled'
          group by 1 order by 2 desc, 1`,
      );
      return {
        requested: num(totals?.requested),
        unfulfilled: num(totals?.unfulfilled),
        searching: num(totals?.searching),
        cancelledBeforeAssignment: num(totals?.cancelled_before),
        reasons: reasons.map((r) => ({ reason: r.reason, count: num(r.count) })),
      };
    },

    /** Seconds from request to assignment of on-demand bookings: percentile_cont (interpolated). */
    async timeToAssignment(s: Scope) {
      const [row] = await queryRows<{ count: number; p50: number | null; p90: number | null }>(
        db,
        sql`select count(*)::int as count,
            percentile_cont(0.5) within group (order by extract(epoch from r.assigned_at - r.created_at))::float8 as p50,
            percentile_cont(0.9) within group (order by extract(epoch from r.assigned_at - r.created_at))::float8 as p90
          from (${requested(s, s.from, s.to)}) r
          where r.assigned_at is not null and r.scheduled_for is null`,
      );
      return { count: num(row?.count), p50Seconds: numOrNull(row?.p50), p90Seconds: numOrNull(row?.p90) };
    },

    /**
     * Offers made for the bookings requested in the range, per status. An offer comes after its request
     * and at most `h.offers` later (a booking is scheduled at most 90 days ahead), so the offers are a range
     * scan too (`dispatch_offers_created_analytics_idx`), hashed against the bookings: random probes into
     * the offers by booking id measured several times slower at 500k bookings (npm run bench:analytics).
     */
    async offers(s: Scope, h: Horizons) {
      const rows = await queryRows<{ status: string; count: number }>(
        db,
        sql`select o.status::text as status, count(*)::int as count
          from (${requested(s, s.from, s.to)}) r
          join dispatch_offers o on o.booking_id = r.id
            and o.created_at >= ${iso(s.from)}::timestamptz
            and o.created_at < ${iso(s.to)}::timestamptz + ${`${h.offersMs} milliseconds`}::interval
          group by 1`,
      );
      return new Map(rows.map((r) => [r.status, num(r.count)]));
    },

    /** Cancelled bookings by side (who made the status change) and by reason, in one pass (grouping sets). */
    async cancellations(s: Scope) {
      const rows = await queryRows<{ side: CancelSide | null; reason: string | null; count: number }>(
        db,
        sql`with c as (
            select coalesce(h.actor_role::text, 'system') as side,
                   lower(btrim(coalesce(r.cancel_reason, ''))) as reason
            from (${requested(s, s.from, s.to)}) r
            left join lateral (
              select actor_role from booking_status_history h
              where h.booking_id = r.id and h.to_status = 'cancelled' order by h.id desc limit 1) h on true
            where r.status = 'cancelled')
          select side, reason, count(*)::int as count from c
          group by grouping sets ((side), (reason)) order by count desc, side, reason`,
      );
      const bySide = rows
        .filter((r) => r.side !== null)
        .map((r) => ({ side: r.side as CancelSide, count: num(r.count) }));
      const byReason = rows
        .filter((r) => r.reason !== null)
        .map((r) => ({ reason: r.reason as string, count: num(r.count) }));
      return { bySide, byReason };
    },

    /**
     * Per local day, from the ledger in the market's currency (a market has its own currency: NGN, EGP;
     * `ledger_entries_analytics_idx` covers this scan). Lines: `charge` (customer debited by an invoice),
     * `commission` (platform:commission; refunds post it back), `tip` on technicians' accounts, and
     * `refund`/`credit` (money given back to the card or as account credit).
     */
    async moneyPerDay(s: Scope) {
      const rows = await queryRows<{
        day: string;
        revenue: string | number;
        commission: string | number;
        tips: string | number;
        refunds: string | number;
      }>(
        db,
        sql`with d as (
            select to_char(g, 'YYYY-MM-DD') as day from generate_series(
              (${iso(s.from)}::timestamptz at time zone ${s.timeZone})::date,
              ((${iso(s.to)}::timestamptz - interval '1 microsecond') at time zone ${s.timeZone})::date,
              interval '1 day') g),
          m as (
            select date_trunc('day', e.created_at, ${s.timeZone}) as d,
              coalesce(sum(e.amount) filter (where e.line = 'charge'), 0)::bigint as revenue,
              coalesce(-sum(e.amount) filter (where e.line = 'commission'), 0)::bigint as commission,
              coalesce(-sum(e.amount) filter (where e.line = 'tip' and e.account like 'technician:%'), 0)::bigint as tips,
              coalesce(-sum(e.amount) filter (where e.line in ('refund', 'credit')), 0)::bigint as refunds
            from ledger_entries e
            where e.currency = ${s.currency}
              and e.line in ('charge', 'commission', 'tip', 'refund', 'credit')
              and e.created_at >= ${iso(s.from)}::timestamptz and e.created_at < ${iso(s.to)}::timestamptz
            group by 1)
          select d.day, coalesce(m.revenue, 0) as revenue, coalesce(m.commission, 0) as commission,
            coalesce(m.tips, 0) as tips, coalesce(m.refunds, 0) as refunds
          from d left join m on to_char(m.d at time zone ${s.timeZone}, 'YYYY-MM-DD') = d.day order by d.day`,
      );
      return rows.map((r) => ({
        day: r.day,
        revenue: num(r.revenue),
        commission: num(r.commission),
        tips: num(r.tips),
        refunds: num(r.refunds),
      }));
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
     * Ratings of the bookings requested in the range (hidden reviews excluded), per star. A review is
     * written after its request and at most `h.reviewsMs` later, so reviews are a range scan as well.
     */
    async ratings(s: Scope, h: Horizons) {
      const rows = await queryRows<{ rating: number; count: number }>(
        db,
        sql`select rv.rating, count(*)::int as count
          from (${requested(s, s.from, s.to)}) r
          join reviews rv on rv.booking_id = r.id
            and rv.created_at >= ${iso(s.from)}::timestamptz
            and rv.created_at < ${iso(s.to)}::timestamptz + ${`${h.reviewsMs} milliseconds`}::interval
          where rv.hidden_at is null
          group by rv.rating`,
      );
      const counts = [0, 0, 0, 0, 0];
      for (const r of rows) counts[num(r.rating) - 1] = num(r.count);
      return counts;
    },

    /** Bookings requested per grid cell (ST_SnapToGrid: the cell's centre), busiest first. */
    async heatmap(s: Scope, cell: number, limit: number) {
      const rows = await queryRows<{ lat: number; lng: number; count: number }>(
        db,
        sql`select st_y(c.cell)::float8 as lat, st_x(c.cell)::float8 as lng, c.n as count
          from (select st_snaptogrid(r.location::geometry, ${cell}::float8) as cell, count(*)::int as n
                from (${requested(s, s.from, s.to)}) r group by 1) c
          order by c.n desc, 1, 2 limit ${limit}`,
      );
      return rows.map((r) => ({ lat: num(r.lat), lng: num(r.lng), count: num(r.count) }));
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

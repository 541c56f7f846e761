import { sql } from 'drizzle-orm';
import { type Db, queryRows } from '../../../db/client';
import { HEATMAP_CELL_DEGREES } from '../../contracts/analytics';
import { dayArray as dateArray, isoText } from './analytics.repo';
import {
  bookingCountRows,
  cellRows,
  type Horizons,
  type MarketScope,
  moneyRows,
  ROLLUP_VERSION,
  type Span,
  waitRows,
} from './analytics.sql';

/** The next calendar day of YYYY-MM-DD. */
function nextDay(day: string): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

/** Consecutive days as runs [start, end) of whole days, so each run is one range scan. */
export function runs(days: string[]): { start: string; end: string }[] {
  const out: { start: string; end: string }[] = [];
  for (const day of [...days].sort()) {
    const last = out.at(-1);
    if (last && last.end === day) last.end = nextDay(day);
    else out.push({ start: day, end: nextDay(day) });
  }
  return out;
}

/**
 * The roll-up worker's SQL (db/schema/analytics.ts says how rollups stay equal to the raw rows). A batch of
 * one market's days is rolled up in one REPEATABLE READ transaction: the marks it deletes are exactly
 * those of its snapshot, the rows it rolls up are those of that same snapshot.
 */
export function createRollupRepo(db: Db) {
  return {
    async markets(): Promise<MarketScope[]> {
      const rows = await queryRows<{ slug: string; time_zone: string; currency: string }>(
        db,
        sql`select slug, time_zone, currency from markets order by slug`,
      );
      return rows.map((r) => ({ market: r.slug, timeZone: r.time_zone, currency: r.currency }));
    },

    /**
     * The market's closed local days (before today in its zone) that need rolling up: never rolled up or
     * by another version (from the first booking or ledger line on), or marked dirty. Newest first, since
     * recent ranges are the ones people look at; at most `limit`.
     */
    async pending(m: MarketScope, now: Date, limit: number): Promise<string[]> {
      const rows = await queryRows<{ day: string }>(
        db,
        sql`with today as (select (${now.toISOString()}::timestamptz at time zone ${m.timeZone})::date as d),
          first as (
            select least(
              (select min(created_at) from bookings),
              (select min(created_at) from ledger_entries
                where currency = ${m.currency} and line in ('charge', 'commission', 'tip', 'refund', 'credit'))
            ) as at),
          series as (
            select g::date as day from first, today,
              generate_series((first.at at time zone ${m.timeZone})::date::timestamp,
                (today.d - 1)::timestamp, interval '1 day') g
            where first.at is not null)
          select to_char(c.day, 'YYYY-MM-DD') as day from (
            select s.day from series s
            left join analytics_days r on r.market = ${m.market} and r.day = s.day
            where r.day is null or r.version <> ${ROLLUP_VERSION}
            union
            select x.day from analytics_dirty_days x, today where x.market = ${m.market} and x.day < today.d
          ) c
          order by c.day desc limit ${limit}`,
      );
      return rows.map((r) => r.day);
    },

    /** Rolls up `days` (closed local days of `m`) from the raw rows; returns the marks it cleared. */
    async roll(m: MarketScope, days: string[], h: Horizons): Promise<number> {
      if (!days.length) return 0;
      const list = dateArray(days);
      const ends = runs(days);
      return db.transaction(
        async (tx) => {
          // Each run of days is one span, from the local midnight that starts it to the one that ends it.
          const midnights = await queryRows<{ day: string; at: string }>(
            tx,
            sql`select to_char(d, 'YYYY-MM-DD') as day, ${isoText(sql`d::timestamp at time zone ${m.timeZone}`)} as at
              from unnest(${dateArray(ends.flatMap((r) => [r.start, r.end]))}::date[]) d`,
          );
          const at = new Map(midnights.map((r) => [r.day, r.at]));
          const spans: Span[] = ends.map((r) => ({ lo: at.get(r.start)!, hi: at.get(r.end)! }));
          // The marks this snapshot sees: the changes the rows below include.
          const marks = await queryRows<{ day: string; xid: string }>(
            tx,
            sql`select to_char(day, 'YYYY-MM-DD') as day, xid::text as xid from analytics_dirty_days
              where market = ${m.market} and day = any(${list}::date[])`,
          );
          for (const table of ['analytics_day_counts', 'analytics_day_waits', 'analytics_day_cells'])
            await tx.execute(
              sql`delete from ${sql.identifier(table)} where market = ${m.market} and day = any(${list}::date[])`,
            );
          await tx.execute(sql`insert into analytics_day_counts (market, metric, day, key, n)
            select ${m.market}, f.metric, f.day, f.key, f.n from (${bookingCountRows(m, spans, h)}) f`);
          await tx.execute(sql`insert into analytics_day_counts (market, metric, day, key, n)
            select ${m.market}, f.metric, f.day, f.key, f.n from (${moneyRows(m, spans)}) f`);
          await tx.execute(sql`insert into analytics_day_waits (market, day, seconds, n)
            select ${m.market}, f.day, f.seconds, f.n from (${waitRows(m, spans)}) f`);
          await tx.execute(sql`insert into analytics_day_cells (market, day, lat, lng, n)
            select ${m.market}, f.day, f.lat, f.lng, f.n from (${cellRows(m, spans, HEATMAP_CELL_DEGREES)}) f`);
          await tx.execute(sql`insert into analytics_days (market, day, version, rolled_at)
            select ${m.market}, d, ${ROLLUP_VERSION}, now() from unnest(${list}::date[]) d
            on conflict (market, day) do update set version = excluded.version, rolled_at = excluded.rolled_at`);
          if (marks.length)
            await tx.execute(sql`delete from analytics_dirty_days x
              using unnest(${dateArray(marks.map((k) => k.day))}::date[], ${`{${marks.map((k) => k.xid).join(',')}}`}::bigint[]) as s(day, xid)
              where x.market = ${m.market} and x.day = s.day and x.xid = s.xid`);
          return marks.length;
        },
        { isolationLevel: 'repeatable read' },
      );
    },
  };
}

export type RollupRepo = ReturnType<typeof createRollupRepo>;

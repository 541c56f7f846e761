import { type SQL, sql } from 'drizzle-orm';

/*
 * The per-day SQL behind the analytics cards, shared by the live queries (analytics.repo.ts) and the
 * roll-up worker (analytics.rollup.repo.ts): a day read from the rollups was computed by exactly the SQL
 * that computes it from the raw rows, so the two cannot drift apart.
 *
 * Every fragment reads the raw rows of some spans of time (half-open [lo, hi), as literal timestamps) and
 * returns one row per local day of the market (the day a booking was requested, or a ledger line posted),
 * a metric, a key and a count. The live queries pass the few pieces of a range that are not rolled up (its
 * partial first and last day, today, dirty days), the worker runs of whole days. Each span is its own
 * range scan with constant bounds (a UNION ALL, not a join against a list of spans): the planner then
 * estimates each from the index's statistics. Against a list it guessed a thousand spans of 50k rows
 * each and JIT-compiled the plan, which alone took 1–2 s (measured with `npm run bench:analytics`).
 */

/**
 * Bump when a definition below changes (a metric, a key, the heatmap's cell): days rolled up with another
 * version are not used, and the worker rolls them up again.
 */
export const ROLLUP_VERSION = 1;

/** The market a card is about, with what its rows are read by. */
export type MarketScope = { market: string; timeZone: string; currency: string };

/**
 * How long after a request its offers and its review can come (the bound of their range scans):
 * set by the service from the schedule horizon and the review window.
 */
export type Horizons = { offersMs: number; reviewsMs: number };

/** The ledger lines analytics reads (`ledger_entries_analytics_idx` covers exactly these). */
const MONEY_LINES = sql`('charge', 'commission', 'tip', 'refund', 'credit')`;

const ms = (n: number) => `${n} milliseconds`;

/** A half-open span [lo, hi) of instants, ISO-8601 as PostgreSQL printed them (microseconds kept). */
export type Span = { lo: string; hi: string };

/** One query per span, glued with UNION ALL (an empty span when there is none: a valid, empty relation). */
function perSpan(spans: Span[], q: (lo: SQL, hi: SQL) => SQL): SQL {
  const list = spans.length ? spans : [{ lo: '1970-01-01T00:00:00Z', hi: '1970-01-01T00:00:00Z' }];
  return sql.join(
    list.map((s) => sql`(${q(sql`${s.lo}::timestamptz`, sql`${s.hi}::timestamptz`)})`),
    sql` union all `,
  );
}

/** The local day (in the market's zone) of a timestamptz expression. */
export const localDay = (m: MarketScope, at: SQL) => sql`((${at}) at time zone ${m.timeZone})::date`;

/**
 * The market's bookings requested in the spans, with their local day. The market is the service's
 * (`services.market`); the range scan is `bookings_created_analytics_idx` (created_at, covering every
 * column read here), and services (a few hundred rows) is hashed.
 */
function requested(m: MarketScope, spans: Span[]): SQL {
  return sql`(${perSpan(
    spans,
    (lo, hi) => sql`select ${localDay(m, sql`b.created_at`)} as day, b.id, b.created_at, b.status,
        b.assigned_at, b.scheduled_for, b.cancel_reason, b.location
      from bookings b join services sv on sv.id = b.service_id
      where sv.market = ${m.market} and not b.sandbox and b.created_at >= ${lo} and b.created_at < ${hi}`,
  )}) r`;
}

/** `status`: requested, unfulfilled, still searching, cancelled before a technician was assigned. */
export function statusRows(m: MarketScope, spans: Span[]): SQL {
  return sql`select x.day, 'status' as metric, k.key, k.n from (
      select r.day, count(*) as requested,
        count(*) filter (where r.status = 'unfulfilled') as unfulfilled,
        count(*) filter (where r.status = 'searching') as searching,
        count(*) filter (where r.status = 'cancelled' and r.assigned_at is null) as cancelled_before
      from ${requested(m, spans)} group by r.day) x
    cross join lateral (values ('requested', x.requested), ('unfulfilled', x.unfulfilled),
      ('searching', x.searching), ('cancelled_before', x.cancelled_before)) k(key, n)
    where k.n > 0`;
}

/** `unfulfilled_reason`: the reason written on the status change to `unfulfilled` (dispatch's words). */
export function unfulfilledReasonRows(m: MarketScope, spans: Span[]): SQL {
  return sql`select r.day, 'unfulfilled_reason' as metric,
      coalesce(nullif(btrim(h.reason), ''), '') as key, count(*) as n
    from ${requested(m, spans)}
    left join lateral (
      select reason from booking_status_history h
      where h.booking_id = r.id and h.to_status = 'unfulfilled' order by h.id desc limit 1) h on true
    where r.status = 'unfulfilled'
    group by 1, 3`;
}

/**
 * `offer`: offers made for the bookings requested that day, per offer status. An offer comes after its
 * request and at most `h.offersMs` later (a booking is scheduled at most 90 days ahead), so over a long
 * interval the offers are a range scan (`dispatch_offers_created_analytics_idx`) hashed against the
 * bookings; over a day, probes by booking.
 */
export function offerRows(m: MarketScope, spans: Span[], h: Horizons): SQL {
  return sql`select x.day, 'offer' as metric, x.key, x.n from (${perSpan(
    spans,
    (lo, hi) => sql`select ${localDay(m, sql`b.created_at`)} as day, o.status::text as key, count(*) as n
      from bookings b join services sv on sv.id = b.service_id
      join dispatch_offers o on o.booking_id = b.id
        and o.created_at >= ${lo} and o.created_at < ${hi} + ${ms(h.offersMs)}::interval
      where sv.market = ${m.market} and not b.sandbox and b.created_at >= ${lo} and b.created_at < ${hi}
      group by 1, 2`,
  )}) x`;
}

/** `cancel_side` (who made the status change) and `cancel_reason` (trimmed, case-folded) of cancelled bookings. */
export function cancelRows(m: MarketScope, spans: Span[]): SQL {
  return sql`select c.day, g.metric, g.key, count(*) as n from (
      select r.day, coalesce(h.actor_role::text, 'system') as side,
        lower(btrim(coalesce(r.cancel_reason, ''))) as reason
      from ${requested(m, spans)}
      left join lateral (
        select actor_role from booking_status_history h
        where h.booking_id = r.id and h.to_status = 'cancelled' order by h.id desc limit 1) h on true
      where r.status = 'cancelled') c
    cross join lateral (values ('cancel_side', c.side), ('cancel_reason', c.reason)) g(metric, key)
    group by 1, 2, 3`;
}

/**
 * `rating`: reviews (not hidden) of the bookings requested that day, per star. A review is written after
 * its request and at most `h.reviewsMs` later, so reviews are a range scan as well.
 */
export function ratingRows(m: MarketScope, spans: Span[], h: Horizons): SQL {
  return sql`select x.day, 'rating' as metric, x.key, x.n from (${perSpan(
    spans,
    (lo, hi) => sql`select ${localDay(m, sql`b.created_at`)} as day, rv.rating::text as key, count(*) as n
      from bookings b join services sv on sv.id = b.service_id
      join reviews rv on rv.booking_id = b.id
        and rv.created_at >= ${lo} and rv.created_at < ${hi} + ${ms(h.reviewsMs)}::interval
      where sv.market = ${m.market} and not b.sandbox and b.created_at >= ${lo} and b.created_at < ${hi}
        and rv.hidden_at is null
      group by 1, 2`,
  )}) x`;
}

/**
 * `money`, per day of the ledger lines (not of the bookings), in the market's currency (a market has its
 * own: NGN, EGP): `revenue` (customers debited by invoices), `commission` (platform:commission; refunds
 * post it back), `tips` on technicians' accounts, `refunds` (money given back to the card or as credit).
 */
export function moneyRows(m: MarketScope, spans: Span[]): SQL {
  return sql`select x.day, 'money' as metric, k.key, k.n from (
      select ${localDay(m, sql`e.created_at`)} as day,
        coalesce(sum(e.amount) filter (where e.line = 'charge'), 0) as revenue,
        coalesce(-sum(e.amount) filter (where e.line = 'commission'), 0) as commission,
        coalesce(-sum(e.amount) filter (where e.line = 'tip' and e.account like 'technician:%'), 0) as tips,
        coalesce(-sum(e.amount) filter (where e.line in ('refund', 'credit')), 0) as refunds
      from (${perSpan(
        spans,
        (lo, hi) => sql`select e.created_at, e.line, e.amount, e.account from ledger_entries e
          where e.currency = ${m.currency} and e.line in ${MONEY_LINES}
            and e.created_at >= ${lo} and e.created_at < ${hi}`,
      )}) e
      group by 1) x
    cross join lateral (values ('revenue', x.revenue), ('commission', x.commission), ('tips', x.tips),
      ('refunds', x.refunds)) k(key, n)
    where k.n <> 0`;
}

/** All the count metrics of the bookings requested (not money: that is by ledger day). */
export function bookingCountRows(m: MarketScope, spans: Span[], h: Horizons): SQL {
  return sql`${statusRows(m, spans)} union all ${unfulfilledReasonRows(m, spans)}
    union all ${offerRows(m, spans, h)} union all ${cancelRows(m, spans)} union all ${ratingRows(m, spans, h)}`;
}

/**
 * Time to assignment of on-demand bookings (not scheduled) that got a technician, in whole seconds
 * (floor), as a histogram: percentiles of a year are then a few thousand rows, not every booking.
 */
export function waitRows(m: MarketScope, spans: Span[]): SQL {
  return sql`select r.day, floor(extract(epoch from r.assigned_at - r.created_at))::int as seconds,
      count(*)::int as n
    from ${requested(m, spans)}
    where r.assigned_at is not null and r.scheduled_for is null
    group by 1, 2`;
}

/** Bookings requested per grid cell (ST_SnapToGrid: the cell's centre) of `cell` degrees. */
export function cellRows(m: MarketScope, spans: Span[], cell: number): SQL {
  return sql`select c.day, st_y(c.cell)::float8 as lat, st_x(c.cell)::float8 as lng, count(*)::int as n
    from (select r.day, st_snaptogrid(r.location::geometry, ${cell}::float8) as cell from ${requested(m, spans)}) c
    group by c.day, c.cell`;
}

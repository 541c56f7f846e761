import { and, eq, gt, lte, sql } from 'drizzle-orm';
import { type DbOrTx, queryRows, reusable, rowOfCte } from '../../../db/client';
import {
  type BookingRow,
  bookings,
  dispatchOffers,
  notifications,
  type OfferRow,
  services,
} from '../../../db/schema';
import type { LngLat } from '../../../db/schema/columns';
import type { NotificationData } from '../../contracts/notification';
import { servesAt } from '../area/area.sql';
import { bayesianScoreSql } from '../review/rating';

const point = (p: LngLat) => sql`ST_SetSRID(ST_MakePoint(${p.lng}, ${p.lat}), 4326)::geography`;

/**
 * Available = verified, online, reachable (present: a node heard from them within the presence timeout,
 * with a live offers subscription; or reachable by push: see `pushReachable`), offering the service, not already on an on-demand job, and at work (issue 12 §5).
 * `online AND verification = 'verified'` matches the partial GiST index, so `<->` walks it nearest first.
 */
const available = (serviceId: string, presence: PresenceWindow, at: LngLat, when?: JobWindow) => sql`
  tp.online AND tp.verification = 'verified'
  AND ((tp.seen_at > ${heardAfter(presence)} AND tp.listening_at > ${heardAfter(presence)})
    OR ${pushReachable(presence)})
  AND EXISTS (SELECT 1 FROM technician_services ts WHERE ts.technician_id = tp.user_id AND ts.service_id = ${serviceId})
  AND NOT EXISTS (
    SELECT 1 FROM bookings b WHERE b.technician_id = tp.user_id AND b.scheduled_for IS NULL
      AND b.status IN ('assigned', 'en_route', 'arrived', 'in_progress'))
  AND ${servesAt(at)}
  AND ${documentsValid}
  AND ${onDuty(serviceId, when)}`;

/**
 * Their required documents are in date (issue 13 §4): an ID whose expiry date has passed, or an expired
 * certificate one of their services requires, stops offers at once, not only when the hourly sweep
 * (onboarding.sweepExpired) suspends them. A document is valid through its expiry date (UTC, as the
 * onboarding service counts days). Two primary-key probes per candidate.
 */
const documentsValid = sql`NOT EXISTS (SELECT 1 FROM technician_onboarding ob WHERE ob.technician_id = tp.user_id
      AND ob.id_expires_on < (now() AT TIME ZONE 'UTC')::date)
  AND NOT EXISTS (SELECT 1 FROM technician_certificates c
      JOIN technician_services cts ON cts.technician_id = c.technician_id
      JOIN services cs ON cs.id = cts.service_id AND c.kind = ANY (cs.required_certificates)
     WHERE c.technician_id = tp.user_id AND c.expires_on < (now() AT TIME ZONE 'UTC')::date)`;

/** A scheduled job's time (and the booking itself, whose own reservation does not count against it). */
export type JobWindow = { bookingId: string; from: Date; to: Date };

/**
 * At work for the job (issue 12 §5): within their weekly hours in their zone, if they set any (no
 * schedule row: always, as before hours existed); not on time off; and no reservation of theirs (a
 * scheduled job with its drive) in the way. On demand that is "now" for the service's duration; for a
 * scheduled job its own `[from, to)`. Three index probes per candidate: the schedule's primary key, the
 * time-off (technician, ends_at) index and the reservations' exclusion-constraint GiST index.
 */
const onDuty = (serviceId: string, when?: JobWindow) => {
  const t0 = when ? sql`${when.from.toISOString()}::timestamptz` : sql`now()`;
  const t1 = when
    ? sql`${when.to.toISOString()}::timestamptz`
    : sql`now() + (SELECT sv.duration_minutes FROM services sv WHERE sv.id = ${serviceId}) * interval '1 minute'`;
  const minutes = when ? Math.max(1, Math.ceil((when.to.getTime() - when.from.getTime()) / 60_000)) : 1;
  const local = sql`(${t0} AT TIME ZONE s.time_zone)`;
  return sql`NOT EXISTS (SELECT 1 FROM technician_time_off o WHERE o.technician_id = tp.user_id
      AND o.ends_at > ${t0} AND o.starts_at < ${t1})
    AND COALESCE((SELECT EXISTS (SELECT 1 FROM technician_hours h WHERE h.technician_id = s.technician_id
        AND h.weekday = extract(isodow FROM ${local})
        AND h.start_minute <= extract(hour FROM ${local}) * 60 + extract(minute FROM ${local})
        AND extract(hour FROM ${local}) * 60 + extract(minute FROM ${local}) + ${minutes} <= h.end_minute)
      FROM technician_schedules s WHERE s.technician_id = tp.user_id), true)
    AND NOT EXISTS (SELECT 1 FROM bookings r WHERE r.reserved_for = tp.user_id
      AND r.status IN ('searching', 'assigned', 'en_route', 'arrived', 'in_progress')
      ${when ? sql`AND r.id <> ${when.bookingId}` : sql``}
      AND tstzrange(r.reserved_from, r.reserved_to) && tstzrange(${t0}, ${t1}))`;
};

/** The job window of a booking: its scheduled time, or undefined on demand. */
const windowOf = (b: BookingRef): JobWindow | undefined =>
  b.scheduledFor && b.scheduledEnd
    ? { bookingId: b.id, from: b.scheduledFor, to: b.scheduledEnd }
    : undefined;

type BookingRef = {
  id: string;
  serviceId: string;
  location: LngLat;
  scheduledFor?: Date | null;
  scheduledEnd?: Date | null;
};

/**
 * Ratings as dispatch signals (issue 12: "ratings drive dispatch quality"); see the README.
 * `ratingBandMeters`: among the available technicians no farther than the nearest plus this, the best
 * Bayesian score gets the offer (0: nearest only). A customer whose private average from technicians is
 * below `customerFloor` over at least `customerMinRatings` ratings is offered only technicians with
 * `flaggedMinJobs` completed jobs or more (0: no such rule).
 */
export type DispatchSignals = {
  ratingBandMeters: number;
  customerFloor: number;
  customerMinRatings: number;
  flaggedMinJobs: number;
};
export const DEFAULT_SIGNALS: DispatchSignals = {
  ratingBandMeters: 300,
  customerFloor: 2.5,
  customerMinRatings: 3,
  flaggedMinJobs: 10,
};

/**
 * The booking's customer is rated below the floor by technicians (private ratings, enough of them).
 * Uncorrelated with the candidate row, so PostgreSQL evaluates it once per query (an InitPlan).
 */
const customerFlagged = (bookingId: string, s: DispatchSignals) => sql`COALESCE((
  SELECT count(*) >= ${s.customerMinRatings} AND avg(cr.rating) < ${s.customerFloor}
  FROM customer_ratings cr
  WHERE cr.customer_id = (SELECT customer_id FROM bookings WHERE id = ${bookingId})), false)`;

/** Experienced enough for a flagged customer's booking (or the customer is not flagged). */
const experiencedEnough = (bookingId: string, s: DispatchSignals) =>
  s.flaggedMinJobs <= 0
    ? sql`true`
    : sql`(NOT ${customerFlagged(bookingId, s)}
      OR (SELECT count(*) FROM bookings jb
          WHERE jb.technician_id = tp.user_id AND jb.status = 'completed') >= ${s.flaggedMinJobs})`;

/**
 * Available for this booking: not its own customer, not asked about it before, and not holding another
 * open offer (at most one each: also a unique index, which settles a race between two dispatches); for a
 * customer technicians rated below the floor, experienced technicians only.
 */
const eligibleFor = (b: BookingRef, presence: PresenceWindow, signals: DispatchSignals) => sql`${available(
  b.serviceId,
  presence,
  b.location,
  windowOf(b),
)}
  AND tp.user_id <> (SELECT customer_id FROM bookings WHERE id = ${b.id})
  AND NOT EXISTS (SELECT 1 FROM dispatch_offers o WHERE o.booking_id = ${b.id} AND o.technician_id = tp.user_id)
  AND NOT EXISTS (SELECT 1 FROM dispatch_offers oo WHERE oo.technician_id = tp.user_id AND oo.status = 'offered')
  AND ${experiencedEnough(b.id, signals)}`;

export type Candidate = { technicianId: string; distanceMeters: number; price?: number | null };

/** A candidate as the queries below select it: `distance` in metres, `price` the technician's own (`ownPrice`). */
type CandidateRow = { technician_id: string; distance: number; price: number | null };

/** The driver may hand numerics back as strings; null stays null (the list price). */
const priceOf = (price: number | null) => (price === null ? null : Number(price));

const toCandidate = (row: CandidateRow): Candidate => ({
  technicianId: row.technician_id,
  distanceMeters: Math.round(Number(row.distance)),
  price: priceOf(row.price),
});

/** The technician's own price for the booking's service (null: the list price). */
const ownPrice = (serviceId: string) =>
  sql`(SELECT ts.price FROM technician_services ts WHERE ts.technician_id = tp.user_id AND ts.service_id = ${serviceId})`;

/**
 * Heard from within `timeoutMs`, and not before `since` (this process's start when it is the only one).
 * `pushReachableMs` (PUSH_REACHABLE_MS, 0: off): see `pushReachable`.
 */
export type PresenceWindow = { timeoutMs: number; since: () => number; pushReachableMs?: number };
const heardAfter = (p: PresenceWindow) =>
  sql`greatest(now() - ${`${p.timeoutMs} milliseconds`}::interval, to_timestamp(${p.since() / 1000}::float8))`;

/**
 * Reachable by Web Push though no socket of theirs is open (the app in the background, the phone locked):
 * a push subscription, and heard from (socket, fix, going online) within `pushReachableMs`. The push
 * service keeps the message for them whichever node (or restart) sent it, so `since` does not apply.
 * Technicians without a push subscription stay under the socket rule (no ghost offers).
 */
const pushReachable = (p: PresenceWindow) =>
  p.pushReachableMs
    ? sql`(tp.heard_at > now() - ${`${p.pushReachableMs} milliseconds`}::interval
        AND EXISTS (SELECT 1 FROM push_subscriptions ps WHERE ps.user_id = tp.user_id))`
    : sql`false`;

// Every job runs these: their SQL is built once (db/client.ts `reusable`).
const openOffer = reusable<OfferRow[]>('dispatch_open_offer', (db) =>
  db
    .select()
    .from(dispatchOffers)
    .where(
      and(eq(dispatchOffers.bookingId, sql.placeholder('bookingId')), eq(dispatchOffers.status, 'offered')),
    )
    .limit(1),
);
/**
 * The booking a dispatch round works on, locked, and whether it has an open offer: one statement (issue
 * 18; the check was a statement of its own after the lock), taken without waiting (`SKIP LOCKED`: no row
 * when another transaction holds the booking). The check reads the statement's snapshot: taken at once,
 * that is the lock's moment. After a wait it would not be: see `lockedForRound` below.
 */
type LockedForRound = { booking: BookingRow; openOffer: boolean };
const lockedForRoundNow = reusable<LockedForRound[]>('dispatch_round_booking', (db) =>
  db
    .select({
      booking: bookings,
      // Spelled out: in a one-table select Drizzle writes a column without its table.
      openOffer: sql<boolean>`EXISTS (SELECT 1 FROM ${dispatchOffers} o
          WHERE o.booking_id = "bookings"."id" AND o.status = 'offered')`,
    })
    .from(bookings)
    .where(eq(bookings.id, sql.placeholder('id')))
    .limit(1)
    .for('update', { of: bookings, skipLocked: true }),
);
/** The booking, locked, waiting for whoever holds it (its open offer is read after: see lockedForRound). */
const lockedAfterWait = reusable<BookingRow[]>('dispatch_round_booking_wait', (db) =>
  db
    .select()
    .from(bookings)
    .where(eq(bookings.id, sql.placeholder('id')))
    .limit(1)
    .for('update', { of: bookings }),
);
/**
 * The offer and the technician's notification of it in one statement (issue 11 §2, issue 18 §2): the
 * INSERT … RETURNING as a CTE, the notification (`notice`, worked out before: null for none) inserted from
 * it with the offer's id, distance and expiry, keyed by the offer.
 */
const insertOffer = reusable<OfferRow[]>('dispatch_offer_insert', (db) => {
  const o = db.$with('o').as(
    db
      .insert(dispatchOffers)
      .values({
        bookingId: sql.placeholder('bookingId'),
        technicianId: sql.placeholder('technicianId'),
        distanceMeters: sql.placeholder('distanceMeters'),
        priceBase: sql.placeholder('priceBase'),
        expiresAt: sql`now() + ${sql.placeholder('window')}::interval`,
      })
      .returning(),
  );
  const n = db.$with('n', {}).as(
    sql`INSERT INTO ${notifications} (user_id, kind, data, dedupe_key)
        SELECT o.technician_id, 'offer',
               ${sql.placeholder('notice')}::jsonb || jsonb_build_object(
                 'offerId', o.id::text,
                 'distanceMeters', o.distance_meters,
                 'expiresAt', to_char(o.expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')),
               'offer:' || o.id
          FROM o
         WHERE ${sql.placeholder('notice')}::jsonb IS NOT NULL
        ON CONFLICT DO NOTHING`,
  );
  return db.with(o, n).select(rowOfCte(dispatchOffers, o)).from(o);
});
/** Closes an open, unexpired offer; `verified`: only if the technician is verified (one statement). */
const respondQuery = (db: DbOrTx, verified: boolean) =>
  db
    .update(dispatchOffers)
    .set({
      status: sql.placeholder('status'),
      respondedAt: sql`now()`,
      reason: sql.placeholder('reason'),
    } as never)
    .where(
      and(
        eq(dispatchOffers.bookingId, sql.placeholder('bookingId')),
        eq(dispatchOffers.technicianId, sql.placeholder('technicianId')),
        eq(dispatchOffers.status, 'offered'),
        gt(dispatchOffers.expiresAt, sql`now()`),
        verified
          ? sql`EXISTS (SELECT 1 FROM technician_profiles tp
                         WHERE tp.user_id = ${sql.placeholder('technicianId')} AND tp.verification = 'verified')`
          : undefined,
      ),
    )
    .returning();
const respondAny = reusable<OfferRow[]>('dispatch_respond', (db) => respondQuery(db, false));
const respondIfVerified = reusable<OfferRow[]>('dispatch_respond_verified', (db) => respondQuery(db, true));

/** `presence`: technicians not heard from within this window are away (PRESENCE_TIMEOUT_SECONDS). */
export function createDispatchRepo(
  db: DbOrTx,
  presence: PresenceWindow = { timeoutMs: 60_000, since: () => 0 },
  signals: DispatchSignals = DEFAULT_SIGNALS,
) {
  const eligible = (b: BookingRef) => eligibleFor(b, presence, signals);
  return {
    /**
     * The best-rated available technician no farther than `nearestMeters` plus the rating band (and the
     * radius): the Bayesian score first, then distance, then id. With equal scores that is the nearest,
     * as before. One ST_DWithin probe on the online-and-verified GiST index.
     */
    async bestInBand(b: BookingRef, chosen: Candidate, radiusMeters: number): Promise<Candidate | undefined> {
      const nearestMeters = chosen.distanceMeters;
      if (signals.ratingBandMeters <= 0) return undefined;
      const here = point(b.location);
      const reach = Math.min(nearestMeters + signals.ratingBandMeters, radiusMeters);
      const [row] = await queryRows<CandidateRow>(
        db,
        sql`SELECT tp.user_id AS technician_id, ST_Distance(tp.location, ${here}) AS distance,
                   ${ownPrice(b.serviceId)} AS price
            FROM technician_profiles tp
            WHERE ${eligible(b)} AND ST_DWithin(tp.location, ${here}, ${reach})
            ORDER BY ${bayesianScoreSql(sql`tp.rating_sum`, sql`tp.rating_count`)} DESC,
                     -- A tie keeps the one already chosen (e.g. the app that is open over a locked phone).
                     (tp.user_id = ${chosen.technicianId}) DESC,
                     ST_Distance(tp.location, ${here}), tp.user_id
            LIMIT 1`,
      );
      return row && toCandidate(row);
    },

    /**
     * The nearest available technician not yet asked about this booking, within the radius. The radius
     * is applied after `ORDER BY <-> LIMIT 1`: with `ST_DWithin` in the WHERE clause the planner
     * underestimates the matches and, with custom plans, sorts everyone in range instead of walking the
     * KNN index (130–245 ms vs ~1 ms at 100k online technicians). The `&&` box keeps the scan bounded
     * when nobody nearby qualifies.
     */
    async nextCandidate(b: BookingRef, radiusMeters: number) {
      const here = point(b.location);
      const [row] = await queryRows<CandidateRow>(
        db,
        sql`SELECT technician_id, distance, price FROM (
              SELECT tp.user_id AS technician_id, ST_Distance(tp.location, ${here}) AS distance,
                     ${ownPrice(b.serviceId)} AS price
              FROM technician_profiles tp
              WHERE ${eligible(b)}
                AND tp.location && _ST_Expand(${here}, ${radiusMeters})
              ORDER BY tp.location <-> ${here}
              LIMIT 1) nearest
            WHERE distance <= ${radiusMeters}`,
      );
      return row && toCandidate(row);
    },

    /** The customer's chosen technician, if available for this booking now (any distance: they chose). */
    async chosen(b: BookingRef, technicianId: string) {
      const here = point(b.location);
      const [row] = await queryRows<Omit<CandidateRow, 'technician_id'>>(
        db,
        sql`SELECT ST_Distance(tp.location, ${here}) AS distance, ${ownPrice(b.serviceId)} AS price
            FROM technician_profiles tp
            WHERE tp.user_id = ${technicianId} AND ${eligible(b)}`,
      );
      return row && toCandidate({ ...row, technician_id: technicianId });
    },

    /**
     * The first of `candidates` (nearest first, from the in-memory index) that the database confirms is
     * available and not yet asked about this booking: memory proposes, PostgreSQL decides.
     */
    async firstConfirmed(b: BookingRef, candidates: Candidate[]) {
      if (!candidates.length) return undefined;
      const ids = sql.join(
        candidates.map((c) => sql`${c.technicianId}::uuid`),
        sql`, `,
      );
      const [row] = await queryRows<Omit<CandidateRow, 'distance'>>(
        db,
        sql`SELECT tp.user_id AS technician_id, ${ownPrice(b.serviceId)} AS price
            FROM unnest(ARRAY[${ids}]) WITH ORDINALITY AS c(id, ord)
            JOIN technician_profiles tp ON tp.user_id = c.id
            WHERE ${eligible(b)}
            ORDER BY c.ord
            LIMIT 1`,
      );
      const found = row && candidates.find((c) => c.technicianId === row.technician_id);
      return found && { ...found, price: priceOf(row.price) };
    },

    /**
     * How many are available around a point, and how far the nearest is, by SQL. Quotes answer this from the live index
     * (tracking.availability); this stays as the SQL oracle schedule.test checks the index against.
     */
    async availability(serviceId: string, at: LngLat, radiusMeters: number) {
      const here = point(at);
      const [row] = await queryRows<{ n: number | string; nearest: number | null }>(
        db,
        sql`SELECT count(*) AS n, min(ST_Distance(tp.location, ${here})) AS nearest
            FROM technician_profiles tp
            WHERE ${available(serviceId, presence, at)} AND ST_DWithin(tp.location, ${here}, ${radiusMeters})`,
      );
      return {
        count: Number(row?.n ?? 0),
        nearestMeters: row?.nearest == null ? null : Math.round(Number(row.nearest)),
      };
    },

    /**
     * `notice`: the technician's notification of it, written by the same statement, which adds the offer's
     * id, distance and expiry (`offerId`, `distanceMeters`, `expiresAt`).
     */
    async insertOffer(
      bookingId: string,
      c: Candidate,
      windowMs: number,
      priceBase: number | null = null,
      notice: NotificationData | null = null,
    ) {
      const [row] = await insertOffer(db, {
        bookingId,
        technicianId: c.technicianId,
        distanceMeters: c.distanceMeters,
        priceBase,
        window: `${windowMs} milliseconds`,
        notice: notice && JSON.stringify(notice),
      });
      return row!;
    },

    /**
     * The booking, locked for a dispatch round, and whether it has an open offer: one statement when nobody
     * else holds the booking. Otherwise the round waits for the lock and then asks again for the open
     * offer, from a snapshot taken after the wait: the locked read's own was taken before it, and would
     * miss an offer another round (on another node) committed meanwhile. A round that offered on that
     * belief would wait, on the offers' unique index, for the technician accepting the missed offer, who
     * waits for this round's lock on the booking: a deadlock, which PostgreSQL breaks after a second by
     * failing one of them.
     */
    async lockedForRound(bookingId: string): Promise<LockedForRound | undefined> {
      const [now] = await lockedForRoundNow(db, { id: bookingId });
      if (now) return now;
      const [booking] = await lockedAfterWait(db, { id: bookingId });
      if (!booking) return undefined;
      const [open] = await openOffer(db, { bookingId });
      return { booking, openOffer: open !== undefined };
    },

    async openOfferOf(bookingId: string) {
      const [row] = await openOffer(db, { bookingId });
      return row;
    },

    async offerFor(bookingId: string, technicianId: string) {
      const [row] = await db
        .select()
        .from(dispatchOffers)
        .where(and(eq(dispatchOffers.bookingId, bookingId), eq(dispatchOffers.technicianId, technicianId)))
        .limit(1);
      return row;
    },

    /** Closes an open, unexpired offer as accepted/declined; undefined when it was no longer open. */
    async respond(
      bookingId: string,
      technicianId: string,
      status: 'accepted' | 'declined',
      reason: string | null,
      /** Only a verified technician's answer counts (an acceptance): checked in the same statement. */
      onlyIfVerified = false,
    ) {
      const [row] = await (onlyIfVerified ? respondIfVerified : respondAny)(db, {
        bookingId,
        technicianId,
        status,
        reason,
      });
      return row;
    },

    /** Expires every open offer whose window has passed (also those that lapsed while the server was down). */
    expireDue: () =>
      db
        .update(dispatchOffers)
        .set({ status: 'expired', respondedAt: sql`now()` })
        .where(and(eq(dispatchOffers.status, 'offered'), lte(dispatchOffers.expiresAt, sql`now()`)))
        .returning(),

    withdrawOpen: (bookingId: string) =>
      db
        .update(dispatchOffers)
        .set({ status: 'withdrawn', respondedAt: sql`now()` })
        .where(and(eq(dispatchOffers.bookingId, bookingId), eq(dispatchOffers.status, 'offered')))
        .returning(),

    /** A technician's open offers with what the offer card shows. */
    openOffersOfTechnician: (technicianId: string) =>
      db
        .select({ offer: dispatchOffers, booking: bookings, service: services })
        .from(dispatchOffers)
        .innerJoin(bookings, eq(bookings.id, dispatchOffers.bookingId))
        .innerJoin(services, eq(services.id, bookings.serviceId))
        .where(
          and(
            eq(dispatchOffers.technicianId, technicianId),
            eq(dispatchOffers.status, 'offered'),
            gt(dispatchOffers.expiresAt, sql`now()`),
          ),
        ),

    /** Bookings waiting for dispatch with nobody currently asked: new, handed back, or missed by a crash. */
    async searchingWithoutOpenOffer(scheduleLeadMs: number) {
      const rows = await queryRows<{ id: string }>(
        db,
        sql`SELECT b.id FROM bookings b
            WHERE b.status = 'searching' AND NOT b.sandbox
              AND (b.scheduled_for IS NULL OR b.scheduled_for <= now() + ${`${scheduleLeadMs} milliseconds`}::interval)
              AND NOT EXISTS (SELECT 1 FROM dispatch_offers o WHERE o.booking_id = b.id AND o.status = 'offered')
            ORDER BY b.created_at
            LIMIT 500`,
      );
      return rows.map((r) => r.id);
    },

    /**
     * A technician stopped listening for offers (app closed) and nobody got them back within the grace:
     * their open offers expire now, unless a subscription of theirs is live on another node or they are
     * reachable by push (then the offer's own window applies: the push may wake them).
     */
    expireUnheard: (technicianId: string) =>
      db
        .update(dispatchOffers)
        .set({ status: 'expired', respondedAt: sql`now()`, reason: 'not reachable' })
        .where(
          and(
            eq(dispatchOffers.technicianId, technicianId),
            eq(dispatchOffers.status, 'offered'),
            sql`NOT EXISTS (SELECT 1 FROM technician_profiles tp WHERE tp.user_id = ${technicianId}
                  AND (tp.listening_at > ${heardAfter(presence)} OR ${pushReachable(presence)}))`,
          ),
        )
        .returning(),

    /** Open offers with their expiry, to re-arm timers after a restart. */
    openOffers: () =>
      db
        .select({
          id: dispatchOffers.id,
          bookingId: dispatchOffers.bookingId,
          expiresAt: dispatchOffers.expiresAt,
        })
        .from(dispatchOffers)
        .where(eq(dispatchOffers.status, 'offered')),

    /**
     * Searching bookings on a technician's doorstep, to offer at once when they are free: those that have
     * waited longer than `waitedMs` first, longest wait first, then the rest nearest first. Nearest-only
     * starved a booking at the edge of a busy area: every technician freed near it had a nearer one
     * waiting, so it waited out its whole search window in a rush while newer bookings were served.
     */
    async searchingNear(technicianId: string, radiusMeters: number, limit: number, waitedMs: number) {
      const waitedSince = sql`now() - ${`${waitedMs} milliseconds`}::interval`;
      const rows = await queryRows<{ id: string }>(
        db,
        sql`SELECT b.id FROM bookings b, technician_profiles tp
            WHERE tp.user_id = ${technicianId} AND b.status = 'searching' AND NOT b.sandbox
              AND NOT EXISTS (SELECT 1 FROM dispatch_offers o WHERE o.booking_id = b.id AND o.status = 'offered')
              AND ST_DWithin(b.location, tp.location, ${radiusMeters})
            ORDER BY b.created_at >= ${waitedSince},
                     CASE WHEN b.created_at < ${waitedSince} THEN 0 ELSE ST_Distance(b.location, tp.location) END,
                     b.created_at
            LIMIT ${limit}`,
      );
      return rows.map((r) => r.id);
    },
  };
}

export type DispatchRepo = ReturnType<typeof createDispatchRepo>;

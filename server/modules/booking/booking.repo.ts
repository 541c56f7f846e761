import { and, desc, eq, type SQL, sql } from 'drizzle-orm';
import { alias, type WithSubqueryWithSelection } from 'drizzle-orm/pg-core';
import type { Actor } from '#shared/booking';
import { type BookingStatus, OPEN_STATUSES } from '#shared/booking';
import { EARTH_RADIUS_M } from '#shared/geo';
import { type DbOrTx, queryRows, reusableByShape, reusableLockable, rowOfCte } from '../../../db/client';
import {
  type BookingHistoryRow,
  type BookingRow,
  bookingStatusHistory,
  bookings,
  notifications,
  type ServiceRow,
  services,
  type TechnicianProfileRow,
  technicianProfiles,
  users,
} from '../../../db/schema';
import type { NoticeSpec } from '../notification/notification.hooks';

const customer = alias(users, 'customer');
const tech = alias(users, 'tech');

const withPartiesColumns = {
  booking: bookings,
  service: {
    id: services.id,
    nameEn: services.nameEn,
    nameAr: services.nameAr,
    durationMinutes: services.durationMinutes,
    market: services.market,
    // What a completion's bill is priced by (payments.service.ts onCompleted), with the booking it moved.
    priceUnit: services.priceUnit,
  },
  customer: { id: customer.id, name: customer.name, phone: customer.phone },
  technician: { id: tech.id, name: tech.name, phone: tech.phone },
  techProfile: {
    // Read with the locked booking: a change by the assigned technician checks it there (issue 15 §3)
    // instead of reading their profile again in the same transaction (issue 18: one statement fewer).
    // First, and never null: Drizzle nulls a left-joined object whose FIRST column is null, so a
    // technician without a photo (photo_url first) lost their whole profile part, rating included.
    verification: technicianProfiles.verification,
    photoUrl: technicianProfiles.photoUrl,
    ratingSum: technicianProfiles.ratingSum,
    ratingCount: technicianProfiles.ratingCount,
  },
};

/** A booking with its service, customer and technician joined: what the API output is made from. */
export type BookingWithParties = {
  booking: BookingRow;
  service: {
    id: string;
    nameEn: string;
    nameAr: string;
    durationMinutes: number;
    market: string;
    priceUnit: ServiceRow['priceUnit'];
  };
  customer: { id: string; name: string; phone: string | null };
  technician: { id: string; name: string; phone: string | null } | null;
  techProfile: {
    photoUrl: string | null;
    ratingSum: number;
    ratingCount: number;
    verification: TechnicianProfileRow['verification'];
  } | null;
};

export type NewBooking = typeof bookings.$inferInsert;

const withPartiesOf = (db: DbOrTx) =>
  db
    .select(withPartiesColumns)
    .from(bookings)
    .innerJoin(services, eq(services.id, bookings.serviceId))
    .innerJoin(customer, eq(customer.id, bookings.customerId))
    .leftJoin(tech, eq(tech.id, bookings.technicianId))
    .leftJoin(technicianProfiles, eq(technicianProfiles.userId, bookings.technicianId));

// Every status change runs these: their SQL is built once (db/client.ts `reusable`).
const withPartiesById = reusableLockable(
  'booking_view',
  (db) =>
    withPartiesOf(db)
      .where(eq(bookings.id, sql.placeholder('id')))
      .limit(1),
  (q) => q.for('update', { of: bookings }),
);
const rowById = reusableLockable(
  'booking_row',
  (db) =>
    db
      .select()
      .from(bookings)
      .where(eq(bookings.id, sql.placeholder('id')))
      .limit(1),
  (q) => q.for('update'),
);
type BookingCte = WithSubqueryWithSelection<typeof bookings._.columns, string>;
/** The columns of a CTE made of `… bookings … RETURNING *`, selected as a booking row. */
const bookingRowOf = (cte: BookingCte) => rowOfCte(bookings, cte);

/**
 * The CTE `h` writing the history row of the booking another CTE wrote (no booking written: no row), and
 * returning its id and time. Drizzle's INSERT … SELECT takes every column, in the table's order: id and
 * created_at as their defaults would give them.
 */
function historyOf(
  db: DbOrTx,
  moved: BookingCte,
  given: { from: SQL; actorId: SQL; actorRole: SQL; reason: SQL },
) {
  return db.$with('h').as(
    db
      .insert(bookingStatusHistory)
      .select(
        db
          .select({
            id: sql`nextval('booking_status_history_id_seq')`.as('id'),
            bookingId: moved.id,
            fromStatus: sql`${given.from}::booking_status`.as('from_status'),
            toStatus: moved.status,
            actorId: sql`${given.actorId}::uuid`.as('actor_id'),
            actorRole: sql`${given.actorRole}::actor_role`.as('actor_role'),
            reason: sql`${given.reason}::text`.as('reason'),
            createdAt: sql`now()`.as('created_at'),
          })
          .from(moved) as never,
      )
      .returning({ id: bookingStatusHistory.id, createdAt: bookingStatusHistory.createdAt }),
  );
}

/**
 * A status change and its history row in ONE statement (issue 18 §2): the UPDATE … WHERE status = from
 * RETURNING * as a CTE, the history INSERT selecting from it (no row moved: nothing written), both
 * returned; one statement and one round trip less per change than the two apart. One statement per set
 * of columns the change writes (a status with its milestone, an assignment, a hand-back: a handful of
 * shapes), each built once: building the UPDATE with its 43-column RETURNING was 5 % of the server's
 * CPU in a rush.
 */
const statusChange = reusableByShape<
  Array<
    { u: BookingRow; h: { id: number; createdAt: Date } } & Pick<
      BookingWithParties,
      'technician' | 'techProfile'
    >
  >
>('booking_status_change', (db, columns) => {
  const u = db.$with('u').as(
    db
      .update(bookings)
      .set(columns as Partial<NewBooking>)
      .where(and(eq(bookings.id, sql.placeholder('_id')), eq(bookings.status, sql.placeholder('_from'))))
      .returning(),
  );
  const h = historyOf(db, u, {
    from: sql`${sql.placeholder('_from')}`,
    actorId: sql`${sql.placeholder('_actorId')}`,
    actorRole: sql`${sql.placeholder('_actorRole')}`,
    reason: sql`${sql.placeholder('_reason')}`,
  });
  // The change's notifications (`_notices`, worked out before it: notification.hooks.ts `notices`), each
  // keyed by the history row and naming the technician the booking now has; none when nothing moved.
  const n = db.$with('n', {}).as(
    sql`INSERT INTO ${notifications} (user_id, kind, data, dedupe_key, available_at)
        SELECT x.user_id, x.kind, x.data || jsonb_build_object('technicianName', t.name),
               'booking:' || h.id || ':' || x.kind || ':' || x.user_id, coalesce(x.available_at, now())
          FROM h CROSS JOIN u
         CROSS JOIN jsonb_to_recordset(${sql.placeholder('_notices')}::jsonb)
               AS x(user_id uuid, kind text, data jsonb, available_at timestamptz)
          LEFT JOIN ${users} t ON t.id = u.technician_id
        ON CONFLICT DO NOTHING`,
  );
  // The booking's technician part comes with it: an assignment needs no read of who was assigned.
  const moved = db
    .with(u, h, n)
    .select({
      u: bookingRowOf(u),
      h: { id: h.id, createdAt: h.createdAt },
      technician: withPartiesColumns.technician,
      techProfile: withPartiesColumns.techProfile,
    })
    .from(u)
    .crossJoin(h)
    .leftJoin(tech, eq(tech.id, u.technicianId))
    .leftJoin(technicianProfiles, eq(technicianProfiles.userId, u.technicianId));
  return moved as never;
});

/**
 * A technician's own next step on their job (en_route, arrived, in_progress, completed) in ONE statement
 * (issue 18 §2): the general path reads the booking with its parties, locked, to check and word the change,
 * then changes it; here the checks are the UPDATE's own WHERE (still in `_from`, their job, and they are
 * verified: issue 15 §3), its history row and notifications are CTEs as in statusChange, the
 * notifications found from their parties (`_notices`: notification.hooks.ts `noticeSpecs`, the same data
 * as `notices` gives the general path), and the booking with its parties, as it now is, is what it
 * returns. No row: nothing was written, and the caller takes the general path, which says why.
 */
const technicianStep = reusableByShape<
  Array<{ u: BookingRow; h: { id: number; createdAt: Date } } & Omit<BookingWithParties, 'booking'>>
>('booking_technician_step', (db, columns) => {
  const me = sql.placeholder('_me');
  const [lat, lng] = [sql.placeholder('_lat'), sql.placeholder('_lng')];
  const u = db.$with('u').as(
    db
      .update(bookings)
      .set(columns as Partial<NewBooking>)
      .where(
        and(
          eq(bookings.id, sql.placeholder('_id')),
          eq(bookings.status, sql.placeholder('_from')),
          eq(bookings.technicianId, me),
          sql`EXISTS (SELECT 1 FROM ${technicianProfiles} p
                       WHERE p.user_id = ${me}::uuid AND p.verification = 'verified')`,
          // An arrival judged by a fresh fix: within the radius of the address, by the same haversine as
          // #shared/geo `distanceMeters` (a far one takes the general path, which refuses or records it).
          sql`(${lat}::float8 IS NULL OR 2 * ${EARTH_RADIUS_M}::float8 * asin(least(1, sqrt(
                power(sin(radians(ST_Y(${bookings.location}::geometry) - ${lat}::float8) / 2), 2)
                + cos(radians(${lat}::float8)) * cos(radians(ST_Y(${bookings.location}::geometry)))
                  * power(sin(radians(ST_X(${bookings.location}::geometry) - ${lng}::float8) / 2), 2))))
                <= ${sql.placeholder('_radius')}::float8)`,
        ),
      )
      .returning(),
  );
  const h = historyOf(db, u, {
    from: sql`${sql.placeholder('_from')}`,
    actorId: sql`${me}`,
    actorRole: sql`'technician'`,
    reason: sql`null`,
  });
  const n = db.$with('n', {}).as(
    sql`INSERT INTO ${notifications} (user_id, kind, data, dedupe_key, available_at)
        SELECT r.user_id, x.kind,
               jsonb_build_object('bookingId', u.id, 'serviceEn', s.name_en, 'serviceAr', s.name_ar)
                 || CASE WHEN x.address THEN jsonb_build_object('address', u.address) ELSE '{}'::jsonb END
                 || jsonb_build_object('technicianName', t.name),
               'booking:' || h.id || ':' || x.kind || ':' || r.user_id, coalesce(x.available_at, now())
          FROM h CROSS JOIN u
          JOIN ${services} s ON s.id = u.service_id
         CROSS JOIN jsonb_to_recordset(${sql.placeholder('_notices')}::jsonb)
               AS x(party text, kind text, address boolean, available_at timestamptz)
         CROSS JOIN LATERAL (SELECT CASE x.party WHEN 'customer' THEN u.customer_id ELSE u.technician_id END
                               AS user_id) r
          LEFT JOIN ${users} t ON t.id = u.technician_id
         WHERE r.user_id IS NOT NULL
        ON CONFLICT DO NOTHING`,
  );
  const { booking: _, ...parties } = withPartiesColumns;
  return db
    .with(u, h, n)
    .select({ u: bookingRowOf(u), h: { id: h.id, createdAt: h.createdAt }, ...parties })
    .from(u)
    .crossJoin(h)
    .innerJoin(services, eq(services.id, u.serviceId))
    .innerJoin(customer, eq(customer.id, u.customerId))
    .leftJoin(tech, eq(tech.id, u.technicianId))
    .leftJoin(technicianProfiles, eq(technicianProfiles.userId, u.technicianId)) as never;
});

/**
 * A new booking and its first history row in one statement, built once per set of columns given (see
 * statusChange): building this INSERT with its two 43-column CTE selections was the costliest SQL text
 * the server made per job (about 1.2 ms of CPU; issue 18).
 */
const bookingInsert = reusableByShape<Array<{ b: BookingRow; h: { id: number; createdAt: Date } }>>(
  'booking_insert',
  (db, columns) => {
    // When the booking's analytics day closes, from its service's market (migration 0043): until then its
    // changes do not call the analytics trigger.
    // (The function's arguments plain columns, so that PostgreSQL inlines it.)
    const closes = sql`(SELECT analytics_day_closes_at(now(), m.time_zone)
      FROM services s JOIN markets m ON m.slug = s.market WHERE s.id = ${columns.serviceId})`;
    const b = db.$with('b').as(
      db
        .insert(bookings)
        .values({ ...(columns as NewBooking), analyticsDayClosesAt: closes })
        .onConflictDoNothing()
        .returning(),
    );
    const h = historyOf(db, b, {
      from: sql`null`,
      actorId: sql`${sql.placeholder('_actorId')}`,
      actorRole: sql`${sql.placeholder('_actorRole')}`,
      reason: sql`null`,
    });
    return db
      .with(b, h)
      .select({ b: bookingRowOf(b), h: { id: h.id, createdAt: h.createdAt } })
      .from(b)
      .crossJoin(h) as never;
  },
);

/** A status change's SET: `patch` as Drizzle's .set() takes it (undefined leaves a column alone), updated_at now. */
function changedColumns(patch: Partial<NewBooking>): Record<string, unknown> {
  const values: Record<string, unknown> = { updatedAt: new Date() };
  for (const [column, value] of Object.entries(patch)) if (value !== undefined) values[column] = value;
  return values;
}

/** The history row a status change's statement wrote, from what it was given and what it returned. */
const historyRow = (
  h: { id: number; createdAt: Date },
  bookingId: string,
  from: BookingStatus,
  to: BookingStatus,
  actor: { id: string | null; role: Actor },
  reason: string | null,
): BookingHistoryRow => ({
  id: h.id,
  bookingId,
  fromStatus: from,
  toStatus: to,
  actorId: actor.id,
  actorRole: actor.role,
  reason,
  createdAt: h.createdAt,
});

/** A technician's fix an arrival is judged by: the step moves only within `radiusMeters` of the address. */
export type NearFix = { lat: number; lng: number; radiusMeters: number };

export function createBookingRepo(db: DbOrTx) {
  const withPartiesQuery = () => withPartiesOf(db);

  return {
    /** Serialises one customer's booking creations (idempotency check + open-booking limit). */
    async lockCustomer(customerId: string) {
      await queryRows(db, sql`select pg_advisory_xact_lock(hashtextextended(${customerId}, 42))`);
    },

    /**
     * What a new booking is judged by, in one read: the booking this customer already made with this
     * idempotency key (its id and request hash), and how many open bookings they have.
     */
    async admission(
      customerId: string,
      key: string,
    ): Promise<{ existing: { id: string; requestHash: string } | null; open: number }> {
      const [row] = await queryRows<{ id: string | null; request_hash: string | null; open: number }>(
        db,
        sql`SELECT b.id, b.request_hash,
                   (SELECT count(*)::int FROM bookings o
                     WHERE o.customer_id = ${customerId} AND o.status IN ${[...OPEN_STATUSES]}) AS open
              FROM (SELECT 1) AS one
              LEFT JOIN bookings b ON b.customer_id = ${customerId} AND b.idempotency_key = ${key}`,
      );
      return {
        existing: row?.id ? { id: row.id, requestHash: row.request_hash ?? '' } : null,
        open: Number(row?.open ?? 0),
      };
    },

    /**
     * A new booking and its first history row in one statement (no row when the idempotency key is
     * taken meanwhile: then neither is written).
     */
    async insertWithHistory(
      values: NewBooking,
      actor: { id: string | null; role: Actor },
    ): Promise<{ booking: BookingRow; history: BookingHistoryRow } | undefined> {
      const [row] = await bookingInsert(db, values as Record<string, unknown>, {
        _actorId: actor.id,
        _actorRole: actor.role,
      });
      if (!row) return undefined;
      return {
        booking: row.b as BookingRow,
        history: {
          id: row.h.id,
          bookingId: row.b.id,
          fromStatus: null,
          toStatus: row.b.status,
          actorId: actor.id,
          actorRole: actor.role,
          reason: null,
          createdAt: row.h.createdAt,
        },
      };
    },

    async row(id: string, opts: { forUpdate?: boolean } = {}) {
      const [row] = await rowById(db, { id }, opts.forUpdate);
      return row;
    },

    /**
     * Moves a booking only if it is still in `from` (the conditional update is the race guard) and writes
     * its history row: both, or undefined and nothing written. As Drizzle's .set(): an undefined value
     * leaves a column alone, and updated_at is now unless given.
     */
    async changeStatus(
      id: string,
      from: BookingStatus,
      patch: Partial<NewBooking> & { status: BookingStatus },
      actor: { id: string | null; role: Actor },
      reason: string | null,
      /** Written by the same statement (see statusChange); the key and the technician's name are added. */
      notices: ReadonlyArray<{
        userId: string;
        kind: string;
        data: Record<string, unknown>;
        availableAt?: Date | undefined;
      }> = [],
    ): Promise<
      | ({ booking: BookingRow; history: BookingHistoryRow } & Pick<
          BookingWithParties,
          'technician' | 'techProfile'
        >)
      | undefined
    > {
      const [row] = await statusChange(db, changedColumns(patch), {
        _id: id,
        _from: from,
        _actorId: actor.id,
        _actorRole: actor.role,
        _reason: reason,
        _notices: JSON.stringify(
          notices.map((x) => ({
            user_id: x.userId,
            kind: x.kind,
            data: x.data,
            available_at: x.availableAt?.toISOString() ?? null,
          })),
        ),
      });
      if (!row) return undefined;
      return {
        booking: row.u,
        technician: row.technician,
        techProfile: row.techProfile,
        history: historyRow(row.h, id, from, patch.status, actor, reason),
      };
    },

    /** See technicianStep: the booking with its parties and the history row, or undefined (nothing written). */
    async technicianStep(
      id: string,
      technicianId: string,
      from: BookingStatus,
      patch: Partial<NewBooking> & { status: BookingStatus },
      /** notification.hooks.ts `noticeSpecs` of the step (none of a step carries a reason). */
      notices: ReadonlyArray<Omit<NoticeSpec, 'reason'>>,
      near?: NearFix,
    ): Promise<{ withParties: BookingWithParties; history: BookingHistoryRow } | undefined> {
      const [row] = await technicianStep(db, changedColumns(patch), {
        _id: id,
        _from: from,
        _me: technicianId,
        _lat: near?.lat ?? null,
        _lng: near?.lng ?? null,
        _radius: near?.radiusMeters ?? null,
        _notices: JSON.stringify(
          notices.map((x) => ({
            party: x.party,
            kind: x.kind,
            address: x.address ?? false,
            available_at: x.availableAt?.toISOString() ?? null,
          })),
        ),
      });
      if (!row) return undefined;
      const { u, h, ...parties } = row;
      return {
        withParties: { booking: u, ...parties },
        history: historyRow(h, id, from, patch.status, { id: technicianId, role: 'technician' }, null),
      };
    },

    history: (bookingId: string) =>
      db
        .select()
        .from(bookingStatusHistory)
        .where(eq(bookingStatusHistory.bookingId, bookingId))
        .orderBy(bookingStatusHistory.id),

    async latestHistory(bookingId: string) {
      const [row] = await db
        .select()
        .from(bookingStatusHistory)
        .where(eq(bookingStatusHistory.bookingId, bookingId))
        .orderBy(desc(bookingStatusHistory.id))
        .limit(1);
      return row;
    },

    /** `forUpdate` locks the booking row (only it: the joined rows are read, not locked). */
    async withParties(
      id: string,
      opts: { forUpdate?: boolean } = {},
    ): Promise<BookingWithParties | undefined> {
      const [row] = await withPartiesById(db, { id }, opts.forUpdate);
      return row as BookingWithParties | undefined;
    },

    /** A verified technician who offers this service (someone a customer may choose for it). */
    /** A verified technician's own unit price for a service (null: the list price); undefined: they do not offer it. */
    async ownPrice(technicianId: string, serviceId: string): Promise<{ price: number | null } | undefined> {
      const [row] = await queryRows<{ price: number | null }>(
        db,
        sql`SELECT ts.price FROM technician_services ts
            JOIN technician_profiles tp ON tp.user_id = ts.technician_id
            WHERE ts.technician_id = ${technicianId} AND ts.service_id = ${serviceId}
              AND tp.verification = 'verified'`,
      );
      return row;
    },

    async offersService(technicianId: string, serviceId: string): Promise<boolean> {
      const rows = await queryRows<{ ok: number }>(
        db,
        sql`SELECT 1 AS ok FROM technician_services ts
            JOIN technician_profiles tp ON tp.user_id = ts.technician_id
            WHERE ts.technician_id = ${technicianId} AND ts.service_id = ${serviceId}
              AND tp.verification = 'verified'`,
      );
      return rows.length > 0;
    },

    /**
     * Why this account may not be given work now ('deleted', 'banned', 'suspended'), or null when it may.
     * The users row is share-locked for the transaction: a suspension or ban being written (it locks that
     * row) either committed before this read or waits until the caller's transaction ends.
     */
    async accountStanding(userId: string): Promise<'deleted' | 'banned' | 'suspended' | null> {
      const rows = await queryRows<{ standing: 'deleted' | 'banned' | 'suspended' | null }>(
        db,
        sql`SELECT CASE
                 WHEN EXISTS (SELECT 1 FROM user_erasures e WHERE e.user_id = u.id) THEN 'deleted'
                 WHEN r.kind = 'ban' THEN 'banned'
                 WHEN r.kind = 'suspend' THEN 'suspended'
               END AS standing
            FROM users u
            LEFT JOIN user_restrictions r
              ON r.user_id = u.id AND r.lifted_at IS NULL AND (r.until IS NULL OR r.until > now())
           WHERE u.id = ${userId}
             FOR SHARE OF u`,
      );
      return rows[0]?.standing ?? null;
    },

    async customerPart(customerId: string): Promise<BookingWithParties['customer'] | undefined> {
      const [row] = await db
        .select(withPartiesColumns.customer)
        .from(customer)
        .where(eq(customer.id, customerId))
        .limit(1);
      return row;
    },

    /** Newest first, keyset-paginated on (created_at, id). */
    async list(filter: {
      customerId?: string;
      technicianId?: string;
      status?: BookingStatus;
      /** Only test-mode (true) or only live (false) bookings; absent: both. */
      sandbox?: boolean | undefined;
      before?: { at: Date; id: string };
      limit: number;
    }): Promise<BookingWithParties[]> {
      const rows = await withPartiesQuery()
        .where(
          and(
            filter.customerId ? eq(bookings.customerId, filter.customerId) : undefined,
            filter.technicianId ? eq(bookings.technicianId, filter.technicianId) : undefined,
            filter.status ? eq(bookings.status, filter.status) : undefined,
            filter.sandbox === undefined ? undefined : eq(bookings.sandbox, filter.sandbox),
            filter.before
              ? sql`(${bookings.createdAt}, ${bookings.id}) < (${filter.before.at}, ${filter.before.id})`
              : undefined,
          ),
        )
        .orderBy(desc(bookings.createdAt), desc(bookings.id))
        .limit(filter.limit);
      return rows as BookingWithParties[];
    },
  };
}

export type BookingRepo = ReturnType<typeof createBookingRepo>;

import { type AnyColumn, and, asc, desc, eq, gte, inArray, lt, ne, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import { type DbOrTx, isoMicros, queryRows } from '../../../db/client';
import {
  bookings,
  type DisputeRow,
  dispatchOffers,
  disputeMessages,
  disputes,
  ledgerEntries,
  ledgerJournals,
  payments,
  services,
  users,
} from '../../../db/schema';
import type { BookingStatus } from '../../contracts/booking';
import type { DisputeKind, DisputeStatus, MessageParty } from '../../contracts/cases';

const customer = alias(users, 'customer');
const tech = alias(users, 'tech');
const opener = alias(users, 'opener');
const author = alias(users, 'author');

/** The last row of the previous page: its exact `created_at` (microseconds, see lib/cursor.ts) and id. */
type Before = { instant: string; id: string } | undefined;

/** Newest-first keyset: the rows after `before` (none: the first page). */
const olderThan = (createdAt: AnyColumn, id: AnyColumn, before: Before) =>
  before ? sql`(${createdAt}, ${id}) < (${before.instant}::timestamptz, ${before.id}::uuid)` : undefined;

/** The booking's service name and its two parties, as the board and the queue list them. */
const serviceAndParties = {
  serviceEn: services.nameEn,
  serviceAr: services.nameAr,
  customerId: customer.id,
  customerName: customer.name,
  technicianId: tech.id,
  technicianName: tech.name,
};

/** A listed row's parties as the console shows them (`serviceAndParties`). */
export const partiesOf = (r: {
  customerId: string;
  customerName: string;
  technicianId: string | null;
  technicianName: string | null;
}) => ({
  customer: { id: r.customerId, name: r.customerName },
  technician: r.technicianId ? { id: r.technicianId, name: r.technicianName ?? '' } : null,
});

/** SQL of the operations console's bookings board and dispute cases (reads of other modules' tables too). */
export function createCasesRepo(db: DbOrTx) {
  return {
    /** The board: newest first, keyset-paginated on (created_at, id); never test-mode (sandbox) bookings. */
    boardPage(f: {
      status?: BookingStatus | undefined;
      market?: string | undefined;
      serviceId?: string | undefined;
      from?: Date | undefined;
      to?: Date | undefined;
      customerId?: string | undefined;
      technicianId?: string | undefined;
      before: Before;
      limit: number;
    }) {
      return db
        .select({
          id: bookings.id,
          status: bookings.status,
          market: services.market,
          serviceId: services.id,
          ...serviceAndParties,
          address: bookings.address,
          location: bookings.location,
          priceTotal: bookings.priceTotal,
          currency: bookings.currency,
          scheduledFor: bookings.scheduledFor,
          createdAt: bookings.createdAt,
          cursorAt: isoMicros(bookings.createdAt),
          openDisputeId: disputes.id,
        })
        .from(bookings)
        .innerJoin(services, eq(services.id, bookings.serviceId))
        .innerJoin(customer, eq(customer.id, bookings.customerId))
        .leftJoin(tech, eq(tech.id, bookings.technicianId))
        .leftJoin(disputes, and(eq(disputes.bookingId, bookings.id), ne(disputes.status, 'closed')))
        .where(
          and(
            eq(bookings.sandbox, false),
            f.status ? eq(bookings.status, f.status) : undefined,
            f.market ? eq(services.market, f.market) : undefined,
            f.serviceId ? eq(bookings.serviceId, f.serviceId) : undefined,
            f.from ? gte(bookings.createdAt, f.from) : undefined,
            f.to ? lt(bookings.createdAt, f.to) : undefined,
            f.customerId ? eq(bookings.customerId, f.customerId) : undefined,
            f.technicianId ? eq(bookings.technicianId, f.technicianId) : undefined,
            olderThan(bookings.createdAt, bookings.id, f.before),
          ),
        )
        .orderBy(desc(bookings.createdAt), desc(bookings.id))
        .limit(f.limit);
    },

    async marketOf(bookingId: string) {
      const [row] = await db
        .select({ market: services.market })
        .from(bookings)
        .innerJoin(services, eq(services.id, bookings.serviceId))
        .where(eq(bookings.id, bookingId));
      return row?.market;
    },

    async contact(userId: string) {
      const [row] = await db
        .select({ id: users.id, name: users.name, phone: users.phone, email: users.email })
        .from(users)
        .where(eq(users.id, userId));
      return row;
    },

    offers: (bookingId: string) =>
      db
        .select({ offer: dispatchOffers, name: users.name })
        .from(dispatchOffers)
        .innerJoin(users, eq(users.id, dispatchOffers.technicianId))
        .where(eq(dispatchOffers.bookingId, bookingId))
        .orderBy(asc(dispatchOffers.id)),

    payments: (bookingId: string) =>
      db.select().from(payments).where(eq(payments.bookingId, bookingId)).orderBy(asc(payments.createdAt)),

    ledger: (bookingId: string) =>
      db
        .select({ journal: ledgerJournals, entry: ledgerEntries })
        .from(ledgerJournals)
        .innerJoin(ledgerEntries, eq(ledgerEntries.journalId, ledgerJournals.id))
        .where(eq(ledgerJournals.bookingId, bookingId))
        .orderBy(asc(ledgerEntries.id)),

    /** Names of the people who wrote in a booking's chat (its customer and technicians). */
    /**
     * Who may be given this job: verified technicians offering its service (a service belongs to one
     * market, so they work in the job's market), not suspended, banned or deleted, matching `q` in their
     * name; nearest to the job first (their last known position), then by name.
     */
    async eligibleTechnicians(f: {
      serviceId: string;
      at: { lat: number; lng: number };
      exclude: string | null;
      q?: string;
      limit: number;
    }) {
      const like = f.q ? `%${f.q.replace(/[\\%_]/g, '\\$&')}%` : null;
      return queryRows<{
        id: string;
        name: string;
        online: boolean;
        distance_m: number | null;
        busy: boolean;
      }>(
        db,
        sql`SELECT u.id, u.name, tp.online,
                   ST_Distance(tp.location, ST_SetSRID(ST_MakePoint(${f.at.lng}, ${f.at.lat}), 4326)::geography)::float8 AS distance_m,
                   EXISTS (SELECT 1 FROM bookings b
                            WHERE b.technician_id = u.id AND b.scheduled_for IS NULL
                              AND b.status IN ('assigned','en_route','arrived','in_progress')) AS busy
              FROM technician_services ts
              JOIN technician_profiles tp ON tp.user_id = ts.technician_id AND tp.verification = 'verified'
              JOIN users u ON u.id = ts.technician_id
             WHERE ts.service_id = ${f.serviceId}
               AND (${f.exclude}::uuid IS NULL OR u.id <> ${f.exclude}::uuid)
               AND NOT EXISTS (SELECT 1 FROM user_erasures e WHERE e.user_id = u.id)
               AND NOT EXISTS (SELECT 1 FROM user_restrictions r
                                WHERE r.user_id = u.id AND r.lifted_at IS NULL
                                  AND (r.until IS NULL OR r.until > now()))
               AND (${like}::text IS NULL OR u.name ILIKE ${like}::text)
             ORDER BY distance_m ASC NULLS LAST, u.name, u.id
             LIMIT ${f.limit}`,
      );
    },

    async names(ids: string[]) {
      if (!ids.length) return new Map<string, string>();
      const rows = await db
        .select({ id: users.id, name: users.name })
        .from(users)
        .where(inArray(users.id, ids));
      return new Map(rows.map((r) => [r.id, r.name]));
    },

    // ── disputes ──────────────────────────────────────────────────────────
    async insertDispute(v: {
      bookingId: string;
      kind: DisputeKind;
      openedBy: string;
      reason: string;
      details: string;
    }) {
      const [row] = await db.insert(disputes).values(v).returning();
      return row!;
    },

    async dispute(id: string, opts: { forUpdate?: boolean } = {}) {
      const q = db.select().from(disputes).where(eq(disputes.id, id)).limit(1);
      const [row] = await (opts.forUpdate ? q.for('update') : q);
      return row;
    },

    disputesOf: (bookingId: string) =>
      db.select().from(disputes).where(eq(disputes.bookingId, bookingId)).orderBy(desc(disputes.createdAt)),

    /** Moves a case only if it is still in `from`: the conditional update is the race guard. */
    async updateDisputeIf(id: string, from: DisputeStatus, patch: Partial<typeof disputes.$inferInsert>) {
      const [row] = await db
        .update(disputes)
        .set(patch)
        .where(and(eq(disputes.id, id), eq(disputes.status, from)))
        .returning();
      return row;
    },

    /** The queue: oldest open first is what people work through; here newest first, filterable. */
    queuePage(f: {
      status?: DisputeStatus | undefined;
      kind?: DisputeKind | undefined;
      before: Before;
      limit: number;
    }) {
      const last = sql<Date | null>`(SELECT max(m.created_at) FROM dispute_messages m WHERE m.dispute_id = ${disputes.id})`;
      return db
        .select({
          dispute: disputes,
          ...serviceAndParties,
          openerName: opener.name,
          lastMessageAt: last,
          cursorAt: isoMicros(disputes.createdAt),
        })
        .from(disputes)
        .innerJoin(bookings, eq(bookings.id, disputes.bookingId))
        .innerJoin(services, eq(services.id, bookings.serviceId))
        .innerJoin(customer, eq(customer.id, bookings.customerId))
        .leftJoin(tech, eq(tech.id, bookings.technicianId))
        .innerJoin(opener, eq(opener.id, disputes.openedBy))
        .where(
          and(
            f.status ? eq(disputes.status, f.status) : undefined,
            f.kind ? eq(disputes.kind, f.kind) : undefined,
            olderThan(disputes.createdAt, disputes.id, f.before),
          ),
        )
        .orderBy(desc(disputes.createdAt), desc(disputes.id))
        .limit(f.limit);
    },

    async insertMessage(v: {
      disputeId: string;
      party: MessageParty;
      authorId: string;
      authorRole: 'customer' | 'technician' | 'admin';
      body: string;
    }) {
      const [row] = await db.insert(disputeMessages).values(v).returning();
      return row!;
    },

    /** A case's messages, oldest first; `party` limits them to one side's thread. */
    messages: (disputeId: string, party?: MessageParty) =>
      db
        .select({ message: disputeMessages, name: author.name })
        .from(disputeMessages)
        .innerJoin(author, eq(author.id, disputeMessages.authorId))
        .where(
          and(eq(disputeMessages.disputeId, disputeId), party ? eq(disputeMessages.party, party) : undefined),
        )
        .orderBy(asc(disputeMessages.id)),

    async openerName(d: DisputeRow) {
      const [row] = await db.select({ name: users.name }).from(users).where(eq(users.id, d.openedBy));
      return row?.name ?? '';
    },
  };
}

export type CasesRepo = ReturnType<typeof createCasesRepo>;

import type { z } from 'zod';
import type { Db, DbOrTx } from '../../../db/client';
import type { UserRow } from '../../../db/schema';
import type {
  AdminBookingDetail,
  AdminBookingPage,
  adminBookingsListInput,
  DisputeSummary,
  EligibleTechnician,
  EvidenceChatMessage,
} from '../../contracts/cases';
import { decodeCursor, encodeCursor, pageOf } from '../../lib/cursor';
import { DomainError, pgErrorCode } from '../../lib/errors';
import { money } from '../../lib/money';
import { createAuditRepo } from '../audit/audit.repo';
import type { BookingLifecycle, Change } from '../booking/booking.lifecycle';
import { HANDED_BACK } from '../booking/booking.machine';
import { toBooking, toHistoryEntry } from '../booking/booking.output';
import type { BookingRecords } from '../booking/booking.records';
import type { BookingService } from '../booking/booking.service';
import type { ChatService } from '../chat/chat.service';
import type { DispatchService } from '../dispatch/dispatch.service';
import type { ScheduleService } from '../schedule/schedule.service';
import type { TrackingService } from '../tracking/tracking.service';
import type { UploadService } from '../upload/upload.service';
import { createCasesRepo, partiesOf } from './cases.repo';

export type Caller = Pick<UserRow, 'id' | 'role'>;

/** Statuses an admin can take a job back from (the technician has not started it). */
const TAKEABLE = new Set(['assigned', 'en_route', 'arrived']);

export const toSummary = (d: {
  id: string;
  bookingId: string;
  kind: DisputeSummary['kind'];
  reason: string;
  status: DisputeSummary['status'];
  outcome: DisputeSummary['outcome'];
  createdAt: Date;
}): DisputeSummary => ({
  id: d.id,
  bookingId: d.bookingId,
  kind: d.kind,
  reason: d.reason,
  status: d.status,
  outcome: d.outcome,
  createdAt: d.createdAt.toISOString(),
});

/** The job's exclusion constraints, worded as accept words them. */
function assignmentConflict(e: unknown): DomainError | null {
  const pg = pgErrorCode(e);
  if (pg.code === '23505' && pg.constraint === 'bookings_one_active_job_per_technician')
    return new DomainError('CONFLICT', 'That technician already has an active job.');
  if (pg.code === '23P01') return new DomainError('CONFLICT', 'This job overlaps another job of theirs.');
  return null;
}

/**
 * admin.bookings (issue 14 §1): the board, a booking's whole picture, and the actions on it. The actions
 * go through the booking lifecycle and the dispatch service (the state machine, the conditional update,
 * the offer and job constraints), each with its audit row in the same transaction.
 */
export function createAdminBookingsService(deps: {
  db: Db;
  lifecycle: BookingLifecycle;
  bookings: BookingService;
  /** The booking module's reads and row locks, inside this service's transactions. */
  bookingRecords: Pick<BookingRecords, 'withParties' | 'history' | 'offersService' | 'accountStanding'>;
  /** A disputed booking's chat, read with its audit row. */
  chat: Pick<ChatService, 'transcript'>;
  /** The stored route of a job. */
  tracking: Pick<TrackingService, 'breadcrumbs'>;
  dispatch: DispatchService;
  uploads: Pick<UploadService, 'jobPhotos'>;
  /** A scheduled job reserves the chosen technician's time, as an accepted offer does (issue 12 §5). */
  schedule: Pick<ScheduleService, 'reserve' | 'obstaclesAt'>;
}) {
  const { db, lifecycle, dispatch } = deps;
  const repo = createCasesRepo(db);

  async function requireBooking(id: string) {
    const withParties = await deps.bookingRecords.withParties(id);
    if (!withParties) throw new DomainError('NOT_FOUND', 'Booking not found.');
    return withParties;
  }

  /**
   * The booking's chat, for a case open on it: read and audited in one transaction (the read is on the
   * record, or it did not happen). Null when no case is open: a private conversation stays private.
   */
  async function chatEvidence(
    admin: Caller,
    bookingId: string,
    via: string,
  ): Promise<EvidenceChatMessage[] | null> {
    const open = (await repo.disputesOf(bookingId)).find((d) => d.status !== 'closed');
    if (!open) return null;
    return db.transaction(async (tx) => {
      const { rows, customerId } = await deps.chat.transcript(tx, bookingId, 500);
      const names = await createCasesRepo(tx).names([...new Set(rows.map((r) => r.senderId))]);
      await createAuditRepo(tx).record({
        actorId: admin.id,
        action: 'chat.read',
        subject: `booking:${bookingId}`,
        detail: { via, disputeId: open.id, messages: rows.length },
      });
      return rows.reverse().map((m) => ({
        id: String(m.id),
        from: m.senderId === customerId ? ('customer' as const) : ('technician' as const),
        senderName: names.get(m.senderId) ?? '',
        body: m.body,
        at: m.createdAt.toISOString(),
      }));
    });
  }

  async function detail(admin: Caller, id: string, via: string): Promise<AdminBookingDetail> {
    const withParties = await requireBooking(id);
    const b = withParties.booking;
    const [history, offers, trail, pays, ledger, photos, market, cust, techContact, cases] =
      await Promise.all([
        deps.bookingRecords.history(id),
        repo.offers(id),
        deps.tracking.breadcrumbs(id),
        repo.payments(id),
        repo.ledger(id),
        deps.uploads.jobPhotos(admin, id),
        repo.marketOf(id),
        repo.contact(b.customerId),
        b.technicianId ? repo.contact(b.technicianId) : Promise.resolve(undefined),
        repo.disputesOf(id),
      ]);
    const chat = await chatEvidence(admin, id, via);
    return {
      booking: toBooking(withParties),
      market: market ?? '',
      customer: cust!,
      technician: techContact ?? null,
      timeline: history.map(toHistoryEntry),
      offers: offers.map(({ offer: o, name }) => ({
        id: String(o.id),
        technician: { id: o.technicianId, name },
        status: o.status,
        distanceMeters: o.distanceMeters,
        offeredAt: o.offeredAt.toISOString(),
        respondedAt: o.respondedAt?.toISOString() ?? null,
        reason: o.reason,
      })),
      trail: trail.map((t) => ({ lat: t.location.lat, lng: t.location.lng, at: t.recordedAt.toISOString() })),
      payments: pays.map((p) => ({
        id: p.id,
        method: p.method,
        status: p.status,
        amount: money(p.amount, p.currency),
        refunded: money(p.refundedAmount, p.currency),
        paidAt: p.paidAt?.toISOString() ?? null,
        createdAt: p.createdAt.toISOString(),
      })),
      ledger: ledger.map(({ journal, entry }) => ({
        id: entry.id,
        journalId: journal.id,
        kind: journal.kind,
        account: entry.account,
        line: entry.line,
        amount: money(entry.amount, entry.currency),
        at: entry.createdAt.toISOString(),
      })),
      photos,
      chat,
      disputes: cases.map(toSummary),
    };
  }

  /** Runs an admin's change of a booking with its audit row; constraint violations become CONFLICT. */
  async function inTx<T>(work: (tx: DbOrTx) => Promise<T>): Promise<T> {
    try {
      return await db.transaction(work);
    } catch (e) {
      throw assignmentConflict(e) ?? e;
    }
  }

  return {
    detail,

    /** Technicians who may be given the job (server-side: service, market, verified, in good standing). */
    async eligible(input: { id: string; q?: string }): Promise<EligibleTechnician[]> {
      const withParties = await requireBooking(input.id);
      const b = withParties.booking;
      const rows = await repo.eligibleTechnicians({
        serviceId: b.serviceId,
        at: { lat: b.location.lat, lng: b.location.lng },
        exclude: b.technicianId,
        q: input.q || undefined,
        limit: 20,
      });
      // A scheduled job: each one's calendar at its time, as reassign's reserve will check it.
      const obstacles =
        b.scheduledFor && b.scheduledEnd
          ? await deps.schedule.obstaclesAt(
              rows.map((r) => r.id),
              {
                bookingId: b.id,
                location: b.location,
                start: b.scheduledFor,
                end: b.scheduledEnd,
              },
            )
          : null;
      const out = rows.map((r) => ({
        id: r.id,
        name: r.name,
        online: r.online,
        distanceMeters: r.distance_m == null ? null : Math.round(Number(r.distance_m)),
        busy: r.busy,
        unavailable: obstacles?.get(r.id) ?? null,
      }));
      // Those free at its time first (nearest first within each group: the sort is stable).
      return out.sort((x, y) => Number(x.unavailable !== null) - Number(y.unavailable !== null));
    },

    async list(input: z.output<typeof adminBookingsListInput>): Promise<AdminBookingPage> {
      const limit = input?.limit ?? 25;
      const rows = await repo.boardPage({
        status: input?.status,
        market: input?.market,
        serviceId: input?.serviceId,
        from: input?.from ? new Date(input.from) : undefined,
        to: input?.to ? new Date(input.to) : undefined,
        customerId: input?.customerId,
        technicianId: input?.technicianId,
        before: decodeCursor(input?.cursor),
        limit: limit + 1,
      });
      const { page, nextCursor } = pageOf(rows, limit, (last) => encodeCursor(last.cursorAt, last.id));
      return {
        items: page.map((r) => ({
          id: r.id,
          status: r.status,
          market: r.market,
          service: { id: r.serviceId, name: { en: r.serviceEn, ar: r.serviceAr } },
          ...partiesOf(r),
          address: r.address,
          location: { lat: r.location.lat, lng: r.location.lng },
          total: money(r.priceTotal, r.currency),
          scheduledFor: r.scheduledFor?.toISOString() ?? null,
          createdAt: r.createdAt.toISOString(),
          openDisputeId: r.openDisputeId,
        })),
        nextCursor,
      };
    },

    /** Cancelled by an admin, with the reason; the booking service's cancel (fees, offers withdrawn). */
    async cancel(admin: Caller, input: { id: string; reason: string }) {
      await requireBooking(input.id);
      return deps.bookings.cancel(input.id, admin, input.reason, async (tx, changed) => {
        await createAuditRepo(tx).record({
          actorId: admin.id,
          action: 'booking.cancel',
          subject: `booking:${input.id}`,
          detail: {
            from: changed.history.fromStatus,
            technicianId: changed.withParties.booking.technicianId,
          },
          reason: input.reason,
          before: { status: changed.history.fromStatus },
          after: { status: changed.history.toStatus },
        });
      });
    },

    /**
     * Back to dispatch: a job waiting with an open offer moves on to the next technician; an assigned job
     * (not yet started) is taken from its technician and offered again.
     */
    async redispatch(admin: Caller, input: { id: string }) {
      const actor = { id: admin.id, role: 'admin' as const };
      // The booking is locked here; its open offer is withdrawn after the commit (as a cancel does), so an
      // accept holding that offer's row never waits on us while we wait on it.
      const done = await inTx(async (tx) => {
        const withParties = await deps.bookingRecords.withParties(input.id, { tx, forUpdate: true });
        if (!withParties) throw new DomainError('NOT_FOUND', 'Booking not found.');
        const b = withParties.booking;
        const audit = (detail: Record<string, unknown>) =>
          createAuditRepo(tx).record({
            actorId: admin.id,
            action: 'booking.redispatch',
            subject: `booking:${input.id}`,
            detail: { from: b.status, ...detail },
            before: { status: b.status, technicianId: b.technicianId },
            after: { status: 'searching', technicianId: null },
          });
        if (b.status === 'searching') {
          await audit({});
          return { change: null as Change | null, previous: null as string | null };
        }
        if (!TAKEABLE.has(b.status))
          throw new DomainError(
            'CONFLICT',
            `A booking that is ${b.status.replace('_', ' ')} cannot be re-dispatched.`,
          );
        const change = await lifecycle.transition(
          tx,
          withParties,
          'searching',
          actor,
          'Re-dispatched by an admin',
          HANDED_BACK,
        );
        await audit({ technicianId: b.technicianId });
        return { change, previous: b.technicianId };
      });
      // The open offer (if any) closes for its technician; dispatch asks the next one.
      await dispatch.withdraw(input.id);
      if (done.change) lifecycle.publish(done.change);
      if (done.previous) dispatch.onTechnicianAvailable(done.previous);
      void dispatch.kick(input.id);
      return deps.bookings.get(input.id, admin);
    },

    /**
     * To a chosen technician (verified, offering the service), exactly once: the booking row is locked,
     * the state machine checked, the conditional update made, and the job constraints (one active job
     * per technician, no overlapping scheduled jobs) hold as for an accepted offer. An accept racing this
     * waits on the booking's lock and then finds it no longer searching (CONFLICT); one that committed
     * first has its job taken back (two history rows). The price stays the booking's: the customer was
     * quoted it, and the admin, not the technician's own price list, chose who goes.
     */
    async reassign(admin: Caller, input: { id: string; technicianId: string }) {
      const actor = { id: admin.id, role: 'admin' as const };
      const done = await inTx(async (tx) => {
        const withParties = await deps.bookingRecords.withParties(input.id, { tx, forUpdate: true });
        if (!withParties) throw new DomainError('NOT_FOUND', 'Booking not found.');
        const b = withParties.booking;
        if (b.technicianId === input.technicianId)
          throw new DomainError('CONFLICT', 'The booking is already assigned to that technician.');
        if (b.status !== 'searching' && !TAKEABLE.has(b.status))
          throw new DomainError(
            'CONFLICT',
            `A booking that is ${b.status.replace('_', ' ')} cannot be reassigned.`,
          );
        if (!(await deps.bookingRecords.offersService(input.technicianId, b.serviceId, { tx })))
          throw new DomainError('NOT_FOUND', 'No verified technician offers this service under that id.');
        const standing = await deps.bookingRecords.accountStanding(input.technicianId, { tx });
        if (standing)
          throw new DomainError(
            'CONFLICT',
            standing === 'deleted'
              ? 'That technician’s account was deleted: choose another technician.'
              : `That technician is ${standing}: lift the ${standing === 'banned' ? 'ban' : 'suspension'} or choose another technician.`,
            { standing },
          );
        const changes: Change[] = [];
        let current = withParties;
        if (b.status !== 'searching') {
          const back = await lifecycle.transition(
            tx,
            current,
            'searching',
            actor,
            'Taken back by an admin',
            HANDED_BACK,
          );
          changes.push(back);
          current = back.withParties;
        }
        // A scheduled job: the chosen technician's hours, time off and drive from their previous job are
        // checked and their time reserved (CONFLICT with SLOT_UNAVAILABLE otherwise), as for an accepted
        // offer. A slot still held for someone else (the customer's chosen technician) goes either way.
        const sb = current.booking;
        const reservation =
          sb.scheduledFor && sb.scheduledEnd
            ? await deps.schedule.reserve(tx, {
                bookingId: sb.id,
                technicianId: input.technicianId,
                location: sb.location,
                start: sb.scheduledFor,
                end: sb.scheduledEnd,
              })
            : { reservedFor: null, reservedFrom: null, reservedTo: null };
        changes.push(
          await lifecycle.transition(tx, current, 'assigned', actor, 'Assigned by an admin', {
            technicianId: input.technicianId,
            ...reservation,
          }),
        );
        await createAuditRepo(tx).record({
          actorId: admin.id,
          action: 'booking.reassign',
          subject: `booking:${input.id}`,
          detail: { from: b.status, previousTechnicianId: b.technicianId, technicianId: input.technicianId },
          before: { status: b.status, technicianId: b.technicianId },
          after: { status: 'assigned', technicianId: input.technicianId },
        });
        return { changes, previous: b.technicianId };
      });
      // Whatever was still offered to someone closes for them (after the commit, as a customer's cancel).
      await dispatch.withdraw(input.id);
      let booking = null;
      for (const c of done.changes) booking = lifecycle.publish(c);
      if (done.previous) dispatch.onTechnicianAvailable(done.previous);
      return booking!;
    },
  };
}

export type AdminBookingsService = ReturnType<typeof createAdminBookingsService>;

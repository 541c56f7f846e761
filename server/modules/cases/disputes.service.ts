import type { z } from 'zod';
import type { Db, DbOrTx } from '../../../db/client';
import type { DisputeRow } from '../../../db/schema';
import type {
  AdminDisputeCase,
  AdminDisputePage,
  adminDisputesListInput,
  DisputeCase,
  DisputeMessage,
  MessageParty,
  openDisputeInput,
  reportCustomerInput,
  resolveDisputeInput,
} from '../../contracts/cases';
import type { MeEvent } from '../../contracts/me';
import { decodeCursor, encodeCursor, pageOf } from '../../lib/cursor';
import { DomainError, isUniqueViolation } from '../../lib/errors';
import { log } from '../../lib/log';
import { money } from '../../lib/money';
import type { Bus } from '../../realtime/bus';
import { createAuditRepo } from '../audit/audit.repo';
import type { BookingRecords } from '../booking/booking.records';
import type { BookingService } from '../booking/booking.service';
import { meChannel } from '../me/me.channel';
import type { NotificationHooks } from '../notification/notification.hooks';
import type { PaymentsService } from '../payments/payments.service';
import type { AdminBookingsService, Caller } from './bookings.service';
import { toSummary } from './bookings.service';
import { createCasesRepo, partiesOf } from './cases.repo';

const ONE_OPEN = 'disputes_one_open_per_booking';
const alreadyOpen = () =>
  new DomainError('CONFLICT', 'A case is already open on this booking. Write in it instead.');
const notFound = () => new DomainError('NOT_FOUND', 'Case not found.');

/** A refund can be made from these payment states (what is left: amount − refunded). */
const REFUNDABLE = new Set(['paid', 'partially_refunded']);

/**
 * Where both parties hear of a case's outcome: their live screens now (`me.events` → the booking screen
 * refetches its case). The notifications engine (issue 14's neighbour) plugs its `notify()` in here, and
 * only here: one call per party, after the outcome committed.
 */
export function notifyDisputeOutcome(
  bus: Bus,
  d: DisputeRow,
  parties: { customerId: string; technicianId: string | null },
) {
  const event: MeEvent = { type: 'dispute', bookingId: d.bookingId, disputeId: d.id, status: d.status };
  for (const userId of new Set([parties.customerId, parties.technicianId])) {
    if (userId) bus.publish<MeEvent>(meChannel(userId), event);
  }
}

/**
 * Dispute cases (issue 14 §2). A customer's dispute (the booking becomes `disputed`) or a technician's
 * report about a customer opens a case; admins message each party in that party's own thread, decide an
 * outcome (a refund goes through the payments service) and close it. Every step has its audit row in the
 * step's own transaction. One case that is not closed per booking: a database constraint.
 */
export function createDisputesService(deps: {
  db: Db;
  bus: Bus;
  bookings: BookingService;
  /** The booking module's reads and row locks, inside this service's transactions. */
  bookingRecords: Pick<BookingRecords, 'row' | 'withParties'>;
  adminBookings: AdminBookingsService;
  payments: Pick<PaymentsService, 'refund'>;
  /** Notifies both parties of an outcome, in the transaction that records it (notification hooks). */
  outcomeDecided: NotificationHooks['disputeDecided'];
}) {
  const { db, bus } = deps;
  const repo = createCasesRepo(db);

  const audit = (
    tx: DbOrTx,
    actorId: string,
    action: string,
    d: { id: string; bookingId: string },
    detail = {},
    columns: {
      reason?: string | null;
      before?: Record<string, unknown> | null;
      after?: Record<string, unknown> | null;
    } = {},
  ) =>
    createAuditRepo(tx).record({
      actorId,
      action,
      subject: `dispute:${d.id}`,
      detail: { bookingId: d.bookingId, ...detail },
      ...columns,
    });

  /** Inside a transaction, pass it (a read on the pool from inside one can deadlock the pool). */
  async function parties(bookingId: string, tx?: DbOrTx) {
    const row = await deps.bookingRecords.row(bookingId, tx ? { tx } : undefined);
    return { customerId: row!.customerId, technicianId: row!.technicianId };
  }

  /** Which side of the case `user` is on; NOT_FOUND to anyone else (a case's existence does not leak). */
  async function sideOf(d: DisputeRow | undefined, user: Caller): Promise<MessageParty> {
    if (!d) throw notFound();
    const p = await parties(d.bookingId);
    if (user.id === p.customerId) return 'customer';
    if (user.id === p.technicianId) return 'technician';
    throw notFound();
  }

  const toMessage = ({
    message: m,
    name,
  }: {
    message: {
      id: number;
      party: MessageParty;
      authorId: string;
      authorRole: 'customer' | 'technician' | 'admin';
      body: string;
      createdAt: Date;
    };
    name: string;
  }): DisputeMessage => ({
    id: String(m.id),
    party: m.party,
    author: { id: m.authorId, name, role: m.authorRole },
    body: m.body,
    at: m.createdAt.toISOString(),
  });

  async function toCase(
    d: DisputeRow,
    as: MessageParty | null,
    viewerId: string | null,
  ): Promise<DisputeCase> {
    const messages = await repo.messages(d.id, as ?? undefined);
    const refundCurrency = d.refundAmount ? (await deps.bookingRecords.row(d.bookingId))?.currency : null;
    return {
      ...toSummary(d),
      details: as === null || d.openedBy === viewerId ? d.details : null,
      outcomeNote: d.outcomeNote,
      refund: d.refundAmount && refundCurrency ? money(d.refundAmount, refundCurrency) : null,
      resolvedAt: d.resolvedAt?.toISOString() ?? null,
      closedAt: d.closedAt?.toISOString() ?? null,
      as,
      messages: messages.map(toMessage),
      canMessage: d.status !== 'closed',
    };
  }

  async function refundable(bookingId: string) {
    const p = (await repo.payments(bookingId)).find((x) => REFUNDABLE.has(x.status));
    return p ? { payment: p, left: p.amount - p.refundedAmount } : null;
  }

  /** A case's status change with its audit row, only from `from` (two admins at once: one wins). */
  async function step(
    admin: Caller,
    id: string,
    from: DisputeRow['status'],
    patch: Partial<DisputeRow>,
    action: string,
    detail: Record<string, unknown>,
    reason: string | null = null,
    also?: (tx: DbOrTx, after: DisputeRow) => Promise<void>,
  ) {
    return db.transaction(async (tx) => {
      const r = createCasesRepo(tx);
      const before = await r.dispute(id, { forUpdate: true });
      if (!before) throw notFound();
      const after = await r.updateDisputeIf(id, from, patch);
      if (!after) throw new DomainError('CONFLICT', `This case is ${before.status} now. Reload it.`);
      await audit(
        tx,
        admin.id,
        action,
        after,
        { from: before.status, to: after.status, ...detail },
        {
          reason,
          before: { status: before.status, outcome: before.outcome, refundAmount: before.refundAmount },
          after: { status: after.status, outcome: after.outcome, refundAmount: after.refundAmount },
        },
      );
      await also?.(tx, after);
      return after;
    });
  }

  /** Both parties hear the decided outcome, in the transaction `tx` that records it. */
  async function tellOutcome(tx: DbOrTx, d: DisputeRow) {
    if (!d.outcome || !d.resolvedAt) return;
    const withParties = await deps.bookingRecords.withParties(d.bookingId, { tx });
    if (!withParties) return;
    await deps.outcomeDecided(tx, {
      disputeId: d.id,
      bookingId: d.bookingId,
      outcome: d.outcome,
      note: d.outcomeNote,
      refundAmount: d.refundAmount,
      currency: withParties.booking.currency,
      decidedAt: d.resolvedAt,
      serviceEn: withParties.service.nameEn,
      serviceAr: withParties.service.nameAr,
      parties: [withParties.booking.customerId, withParties.booking.technicianId],
    });
  }

  return {
    /** A customer disputes a completed job (within the dispute window): the booking becomes `disputed`. */
    async open(user: Caller, input: z.output<typeof openDisputeInput>): Promise<DisputeCase> {
      let created: DisputeRow | undefined;
      try {
        await deps.bookings.dispute(
          input.bookingId,
          user,
          `Dispute: ${input.reason.replace('_', ' ')}`,
          async (tx, changed) => {
            created = await createCasesRepo(tx).insertDispute({
              bookingId: input.bookingId,
              kind: 'customer_dispute',
              openedBy: user.id,
              reason: input.reason,
              details: input.details,
            });
            await audit(
              tx,
              user.id,
              'dispute.open',
              created,
              { reason: input.reason, kind: created.kind },
              {
                reason: input.reason,
                before: { bookingStatus: changed.history.fromStatus },
                after: { status: created.status, bookingStatus: changed.history.toStatus },
              },
            );
          },
        );
      } catch (e) {
        if (isUniqueViolation(e, ONE_OPEN)) throw alreadyOpen();
        throw e;
      }
      return toCase(created!, 'customer', user.id);
    },

    /** A technician reports the customer of a job that is (or was) theirs. */
    async reportCustomer(user: Caller, input: z.output<typeof reportCustomerInput>): Promise<DisputeCase> {
      try {
        const created = await db.transaction(async (tx) => {
          // The booking row first, as a customer's dispute takes it: the two queue on it instead of
          // deadlocking (this insert's foreign-key check would wait on their lock while they wait on ours).
          const b = await deps.bookingRecords.row(input.bookingId, { tx, forUpdate: true });
          if (!b || b.technicianId !== user.id) throw new DomainError('NOT_FOUND', 'Booking not found.');
          const d = await createCasesRepo(tx).insertDispute({
            bookingId: input.bookingId,
            kind: 'customer_report',
            openedBy: user.id,
            reason: input.reason,
            details: input.details,
          });
          await audit(
            tx,
            user.id,
            'dispute.report',
            d,
            { reason: input.reason, kind: d.kind },
            { reason: input.reason, before: null, after: { status: d.status } },
          );
          return d;
        });
        return toCase(created, 'technician', user.id);
      } catch (e) {
        if (isUniqueViolation(e, ONE_OPEN)) throw alreadyOpen();
        throw e;
      }
    },

    async get(user: Caller, id: string): Promise<DisputeCase> {
      const d = await repo.dispute(id);
      return toCase(d!, await sideOf(d, user), user.id);
    },

    /** The newest case on a booking the caller is a party of (null when there is none). */
    async forBooking(user: Caller, bookingId: string): Promise<DisputeCase | null> {
      const b = await deps.bookingRecords.row(bookingId);
      const side = b?.customerId === user.id ? 'customer' : b?.technicianId === user.id ? 'technician' : null;
      if (!side) throw new DomainError('NOT_FOUND', 'Booking not found.');
      const [latest] = await repo.disputesOf(bookingId);
      return latest ? toCase(latest, side, user.id) : null;
    },

    /** A party writes to the admins in their own thread. */
    async message(user: Caller, input: { id: string; body: string }): Promise<DisputeMessage> {
      const d = await repo.dispute(input.id);
      const party = await sideOf(d, user);
      const row = await db.transaction(async (tx) => {
        const r = createCasesRepo(tx);
        const locked = (await r.dispute(input.id, { forUpdate: true }))!;
        if (locked.status === 'closed') throw new DomainError('CONFLICT', 'This case is closed.');
        const m = await r.insertMessage({
          disputeId: d!.id,
          party,
          authorId: user.id,
          authorRole: party,
          body: input.body,
        });
        await audit(tx, user.id, 'dispute.message', locked, { party });
        return m;
      });
      bus.publish<MeEvent>(meChannel(user.id), {
        type: 'dispute',
        bookingId: d!.bookingId,
        disputeId: d!.id,
        status: d!.status,
      });
      return toMessage({ message: row, name: '' });
    },

    admin: {
      async list(input: z.output<typeof adminDisputesListInput>): Promise<AdminDisputePage> {
        const limit = input?.limit ?? 25;
        const rows = await repo.queuePage({
          status: input?.status,
          kind: input?.kind,
          before: decodeCursor(input?.cursor),
          limit: limit + 1,
        });
        const { page, nextCursor } = pageOf(rows, limit, (last) =>
          encodeCursor(last.cursorAt, last.dispute.id),
        );
        return {
          items: page.map((r) => ({
            ...toSummary(r.dispute),
            service: { en: r.serviceEn, ar: r.serviceAr },
            ...partiesOf(r),
            openedBy: { id: r.dispute.openedBy, name: r.openerName },
            lastMessageAt: r.lastMessageAt ? new Date(r.lastMessageAt).toISOString() : null,
          })),
          nextCursor,
        };
      },

      /** The case with its evidence (timeline, offers, trail, photos, payments; the chat read is audited). */
      async get(admin: Caller, id: string): Promise<AdminDisputeCase> {
        const d = await repo.dispute(id);
        if (!d) throw notFound();
        const [base, booking, left, openerName] = await Promise.all([
          toCase(d, null, admin.id),
          deps.adminBookings.detail(admin, d.bookingId, 'admin.disputes.get'),
          refundable(d.bookingId),
          repo.openerName(d),
        ]);
        return {
          ...base,
          openedBy: { id: d.openedBy, name: openerName },
          booking,
          refundable: left ? money(left.left, left.payment.currency) : null,
        };
      },

      async message(
        admin: Caller,
        input: { id: string; to: MessageParty; body: string },
      ): Promise<DisputeMessage> {
        const { row, d } = await db.transaction(async (tx) => {
          const r = createCasesRepo(tx);
          const d = await r.dispute(input.id, { forUpdate: true });
          if (!d) throw notFound();
          if (d.status === 'closed') throw new DomainError('CONFLICT', 'This case is closed.');
          if (input.to === 'technician' && !(await parties(d.bookingId, tx)).technicianId)
            throw new DomainError('CONFLICT', 'No technician is on this booking.');
          const row = await r.insertMessage({
            disputeId: d.id,
            party: input.to,
            authorId: admin.id,
            authorRole: 'admin',
            body: input.body,
          });
          await audit(tx, admin.id, 'dispute.message', d, { to: input.to });
          return { row, d };
        });
        const p = await parties(d.bookingId);
        const to = input.to === 'customer' ? p.customerId : p.technicianId;
        if (to)
          bus.publish<MeEvent>(meChannel(to), {
            type: 'dispute',
            bookingId: d.bookingId,
            disputeId: d.id,
            status: d.status,
          });
        return toMessage({ message: row, name: '' });
      },

      /**
       * Decides the outcome. The case is claimed (open → resolved, with its audit row) before any money
       * moves, so two admins resolving at once refund at most once; a refund the provider refuses puts the
       * case back to open (audited) and says so.
       */
      async resolve(admin: Caller, input: z.output<typeof resolveDisputeInput>) {
        const d = await repo.dispute(input.id);
        if (!d) throw notFound();
        const refunding = input.outcome === 'partial_refund' || input.outcome === 'full_refund';
        let amount: number | null = null;
        let paymentId: string | null = null;
        if (refunding) {
          const left = await refundable(d.bookingId);
          if (!left || left.left <= 0)
            throw new DomainError('CONFLICT', 'Nothing was paid on this booking that could be refunded.');
          amount = input.outcome === 'full_refund' ? left.left : input.refundAmount!;
          if (amount > left.left)
            throw new DomainError('CONFLICT', 'That is more than what is left to refund.', {
              refundable: left.left,
            });
          paymentId = left.payment.id;
        }
        let resolved = await step(
          admin,
          d.id,
          'open',
          {
            status: 'resolved',
            outcome: input.outcome,
            outcomeNote: input.note,
            refundAmount: amount,
            resolvedBy: admin.id,
            resolvedAt: new Date(),
          },
          'dispute.resolve',
          { outcome: input.outcome, refundAmount: amount, note: input.note },
          input.note,
          // A refund outcome is told once the refund is recorded (below): if the provider refuses it,
          // the case goes back to open and nobody was told of a refund that did not happen.
          refunding ? undefined : tellOutcome,
        );
        if (paymentId && amount) {
          try {
            const refund = await deps.payments.refund(admin, {
              paymentId,
              amount,
              reason: `Dispute ${d.id}: ${input.note}`,
            });
            resolved = await db.transaction(async (tx) => {
              const row = (await createCasesRepo(tx).updateDisputeIf(d.id, 'resolved', {
                refundId: refund.refundId,
              }))!;
              await audit(
                tx,
                admin.id,
                'dispute.refund',
                row,
                { refundId: refund.refundId, amount, status: refund.status },
                {
                  reason: input.note,
                  before: { refundId: null },
                  after: { refundId: refund.refundId, refundAmount: amount },
                },
              );
              await tellOutcome(tx, row);
              return row;
            });
          } catch (e) {
            await step(
              admin,
              d.id,
              'resolved',
              {
                status: 'open',
                outcome: null,
                outcomeNote: null,
                refundAmount: null,
                resolvedBy: null,
                resolvedAt: null,
              },
              'dispute.reopen',
              { because: 'refund failed', error: e instanceof Error ? e.message : String(e) },
              'The refund failed',
            ).catch((err: Error) =>
              log.error('dispute: reopening after a failed refund', { error: err.message }),
            );
            throw e;
          }
        }
        notifyDisputeOutcome(bus, resolved, await parties(d.bookingId));
        return toCase(resolved, null, admin.id);
      },

      async close(admin: Caller, id: string) {
        const closed = await step(
          admin,
          id,
          'resolved',
          { status: 'closed', closedBy: admin.id, closedAt: new Date() },
          'dispute.close',
          {},
        );
        notifyDisputeOutcome(bus, closed, await parties(closed.bookingId));
        return toCase(closed, null, admin.id);
      },
    },
  };
}

export type DisputesService = ReturnType<typeof createDisputesService>;

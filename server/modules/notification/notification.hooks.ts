import type { DbOrTx } from '../../../db/client';
import type { BookingHistoryRow } from '../../../db/schema';
import type { NotificationData, NotificationKind } from '../../contracts/notification';
import type { BookingRecords, BookingWithParties } from '../booking/booking.records';
import type { MoneyEvent } from '../payments/payments.service';
import { createNotificationRepo, type NewNotification } from './notification.repo';
import type { Notify } from './notification.service';

/** What `webhookDisabled` needs (the developer module finds the recipients). */
export type WebhookDisabledNotice = {
  userIds: string[];
  orgId: string;
  orgName: string;
  endpointId: string;
  url: string;
  reason: string;
  status: number | null;
  disabledAt: Date;
};

/** A status change as its notifications need it: known before its statement runs. */
export type NoticeChange = Pick<BookingHistoryRow, 'toStatus' | 'fromStatus' | 'actorRole' | 'reason'> & {
  /** The booking's technician after the change. */
  technicianId: string | null;
};
/** One notification of a status change, less the technician's name (added from the changed row). */
export type BookingNotice = {
  userId: string;
  kind: NotificationKind;
  data: NotificationData;
  availableAt?: Date;
};

/**
 * A retried change never notifies twice: the key is the history row's. The status change's statement
 * builds the same key in SQL (booking.repo.ts `statusChange`); booking-notices.test.ts checks the two agree.
 */
const bookingNoticeKey = (historyId: number, kind: string, userId: string) =>
  `booking:${historyId}:${kind}:${userId}`;

/**
 * Whom a booking's status change tells, and what (issue 11 §2), by party: a technician's own step on
 * their job (booking.repo.ts `technicianStep`) resolves these in its SQL; every other change in
 * `bookingNotices` below, from the booking before it.
 */
export type NoticeSpec = {
  party: 'customer' | 'technician';
  kind: NotificationKind;
  /** The booking's address goes with it. */
  address?: true;
  /** The change's reason goes with it. */
  reason?: true;
  availableAt?: Date;
};

export function noticeSpecs(
  change: Pick<NoticeChange, 'toStatus' | 'fromStatus' | 'actorRole'>,
  reviewRequestDelayMs: number,
): NoticeSpec[] {
  switch (change.toStatus) {
    case 'assigned':
    case 'en_route':
      return [{ party: 'customer', kind: change.toStatus }];
    case 'completed':
      return [
        { party: 'customer', kind: 'completed' },
        {
          party: 'customer',
          kind: 'review_request',
          availableAt: new Date(Date.now() + reviewRequestDelayMs),
        },
      ];
    case 'arrived':
      return [{ party: 'customer', kind: 'arrived', address: true }];
    case 'unfulfilled':
      return [{ party: 'customer', kind: 'unfulfilled' }];
    case 'cancelled':
      // The party who did not cancel hears of it (both, when an admin or the system did).
      return [
        ...(change.actorRole !== 'customer'
          ? [{ party: 'customer', kind: 'cancelled', reason: true } as const]
          : []),
        ...(change.actorRole !== 'technician' && change.fromStatus !== 'searching'
          ? [{ party: 'technician', kind: 'cancelled', reason: true } as const]
          : []),
      ];
    default:
      return [];
  }
}

function bookingNotices(
  before: Pick<BookingWithParties, 'booking' | 'service'>,
  change: NoticeChange,
  reviewRequestDelayMs: number,
): BookingNotice[] {
  const b = before.booking;
  const base: NotificationData = {
    bookingId: b.id,
    serviceEn: before.service.nameEn,
    serviceAr: before.service.nameAr,
  };
  return noticeSpecs(change, reviewRequestDelayMs).flatMap((s) => {
    const userId = s.party === 'customer' ? b.customerId : change.technicianId;
    if (!userId) return [];
    const data: NotificationData = {
      ...base,
      ...(s.address ? { address: b.address } : {}),
      ...(s.reason ? { reason: change.reason ?? null } : {}),
    };
    return [{ userId, kind: s.kind, data, ...(s.availableAt ? { availableAt: s.availableAt } : {}) }];
  });
}

/**
 * What other modules call, each inside the transaction of its own change (so the notification commits
 * with it): the booking lifecycle for every status change, dispatch for each offer, chat for each message.
 */
export function createNotificationHooks(
  notify: Notify,
  opts: { chatDelayMs: number; reviewRequestDelayMs: number },
  /** The booking module's reads and row locks, inside the hook's transaction. */
  bookings: Pick<BookingRecords, 'withParties'>,
) {
  return {
    /**
     * What a status change will tell whom, worked out before its statement (booking.lifecycle.ts
     * `transition`), which writes them: the history row's id (the dedupe key) and the technician's name
     * are the statement's own (issue 18: one statement a change fewer).
     */
    notices: (before: BookingWithParties, change: NoticeChange): BookingNotice[] =>
      bookingNotices(before, change, opts.reviewRequestDelayMs),

    /** The same by party, for a change whose statement finds the parties itself (`technicianStep`). */
    noticeSpecs: (change: Pick<NoticeChange, 'toStatus' | 'fromStatus' | 'actorRole'>): NoticeSpec[] =>
      noticeSpecs(change, opts.reviewRequestDelayMs),

    /**
     * A booking's status changed (booking.lifecycle.ts `transition`). `noticesWritten`: the change's own
     * statement wrote this many of its notifications (`notices`), so only the worker is woken.
     */
    async bookingChanged(
      tx: DbOrTx,
      change: { withParties: BookingWithParties; history: BookingHistoryRow },
      noticesWritten?: number,
    ) {
      if (noticesWritten !== undefined) {
        // Nothing to write: `notify` with no rows only wakes the worker.
        if (noticesWritten > 0) await notify(tx, []);
        return;
      }
      const { withParties, history } = change;
      const technicianName = withParties.technician?.name ?? null;
      const items: NewNotification[] = bookingNotices(
        withParties,
        { ...history, technicianId: withParties.booking.technicianId },
        opts.reviewRequestDelayMs,
      ).map((n) => ({
        ...n,
        data: { ...n.data, technicianName },
        dedupeKey: bookingNoticeKey(history.id, n.kind, n.userId),
      }));
      if (items.length) await notify(tx, items);
    },

    /**
     * The technician's notification of a job about to be offered to them (dispatch): the offer's own
     * statement writes it and adds the offer's id, distance and expiry (dispatch.repo.ts `insertOffer`).
     */
    offerNotice: (offer: {
      bookingId: string;
      serviceEn: string;
      serviceAr: string;
      /** What the technician earns, in the booking's currency. */
      price: number;
      currency: string;
    }): NotificationData => ({ ...offer }),

    /** After an offer's statement wrote its notification: wakes the worker. */
    async offered(tx: DbOrTx) {
      await notify(tx, []);
    },

    /**
     * The technician on the way is under 2 minutes from the address (tracking's ETA). Only while the
     * booking is en_route (its row locked, so a concurrent "arrived" comes first or after, never between),
     * and once per booking: the outbox's unique key, whichever node or restart tries again.
     */
    async arriving(tx: DbOrTx, bookingId: string) {
      const withParties = await bookings.withParties(bookingId, { tx, forUpdate: true });
      const b = withParties?.booking;
      if (!withParties || b?.status !== 'en_route') return;
      await notify(tx, {
        userId: b.customerId,
        kind: 'arriving',
        data: {
          bookingId: b.id,
          serviceEn: withParties.service.nameEn,
          serviceAr: withParties.service.nameAr,
          technicianName: withParties.technician?.name ?? null,
        },
        dedupeKey: `arriving:${b.id}`,
      });
    },

    /** A payment was received (in the transaction that records it): the customer's receipt. */
    async paid(tx: DbOrTx, e: MoneyEvent & { paymentId: string; at: Date }) {
      await notify(tx, {
        userId: e.customerId,
        kind: 'receipt',
        data: {
          bookingId: e.bookingId,
          amount: e.amount,
          currency: e.currency,
          at: e.at.toISOString(),
          serviceEn: e.service.nameEn,
          serviceAr: e.service.nameAr,
        },
        dedupeKey: `receipt:${e.paymentId}`,
      });
    },

    /**
     * A webhook endpoint was switched off after failing for too long (in the transaction that did it):
     * the organisation's owners and developers, once per switch-off.
     */
    async webhookDisabled(tx: DbOrTx, n: WebhookDisabledNotice) {
      if (n.userIds.length === 0) return;
      await notify(
        tx,
        n.userIds.map((userId) => ({
          userId,
          kind: 'webhook_disabled' as const,
          data: {
            orgId: n.orgId,
            orgName: n.orgName,
            endpointId: n.endpointId,
            url: n.url,
            reason: n.reason,
            status: n.status,
          },
          dedupeKey: `webhook_disabled:${n.endpointId}:${n.disabledAt.getTime()}:${userId}`,
        })),
      );
    },

    /** A refund was issued (in the transaction that records it). */
    async refunded(tx: DbOrTx, e: MoneyEvent & { refundId: string }) {
      await notify(tx, {
        userId: e.customerId,
        kind: 'refund',
        data: {
          bookingId: e.bookingId,
          amount: e.amount,
          currency: e.currency,
          serviceEn: e.service.nameEn,
          serviceAr: e.service.nameAr,
        },
        dedupeKey: `refund:${e.refundId}`,
      });
    },

    /**
     * A dispute's outcome was decided (in the transaction that records it): both parties hear it, each
     * once per decision (a case reopened after a failed refund and decided again is a new decision).
     */
    async disputeDecided(
      tx: DbOrTx,
      e: {
        disputeId: string;
        bookingId: string;
        outcome: string;
        note: string | null;
        refundAmount: number | null;
        currency: string;
        decidedAt: Date;
        serviceEn: string;
        serviceAr: string;
        parties: Array<string | null>;
      },
    ) {
      const data: NotificationData = {
        bookingId: e.bookingId,
        disputeId: e.disputeId,
        outcome: e.outcome,
        note: e.note,
        refundAmount: e.refundAmount,
        currency: e.currency,
        serviceEn: e.serviceEn,
        serviceAr: e.serviceAr,
      };
      const to = [...new Set(e.parties.filter((id): id is string => !!id))];
      if (!to.length) return;
      await notify(
        tx,
        to.map((userId) => ({
          userId,
          kind: 'dispute_outcome' as const,
          data,
          dedupeKey: `dispute-outcome:${e.disputeId}:${e.decidedAt.getTime()}:${userId}`,
        })),
      );
    },

    /** A technician's verification was decided (in the decision's transaction). */
    async verificationDecided(tx: DbOrTx, technicianId: string, status: string, note: string | null) {
      await notify(tx, { userId: technicianId, kind: 'verification', data: { status, note } });
    },

    /** A chat message (in its transaction): told later, and only if not read by then. */
    async chatMessage(
      tx: DbOrTx,
      m: { bookingId: string; messageId: number; senderId: string; recipientId: string },
    ) {
      const senderName = await createNotificationRepo(tx).nameOf(m.senderId);
      await notify(tx, {
        userId: m.recipientId,
        kind: 'chat',
        data: { bookingId: m.bookingId, messageId: String(m.messageId), senderName },
        dedupeKey: `chat:${m.messageId}:${m.recipientId}`,
        availableAt: new Date(Date.now() + opts.chatDelayMs),
      });
    },
  };
}

export type NotificationHooks = ReturnType<typeof createNotificationHooks>;

import type { DbOrTx } from '../../../db/client';
import type { BookingHistoryRow } from '../../../db/schema';
import type { NotificationData, NotificationKind } from '../../contracts/notification';
import type { Offer } from '../../contracts/technician';
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
    /** A booking's status changed (booking.lifecycle.ts `transition`). */
    async bookingChanged(
      tx: DbOrTx,
      change: { withParties: BookingWithParties; history: BookingHistoryRow },
    ) {
      const { withParties, history } = change;
      const b = withParties.booking;
      const base: NotificationData = {
        bookingId: b.id,
        serviceEn: withParties.service.nameEn,
        serviceAr: withParties.service.nameAr,
        technicianName: withParties.technician?.name ?? null,
      };
      const to = (
        userId: string | null | undefined,
        kind: NotificationKind,
        extra: Partial<NewNotification> = {},
      ) =>
        userId
          ? [{ userId, kind, data: base, dedupeKey: `booking:${history.id}:${kind}:${userId}`, ...extra }]
          : [];
      const items: NewNotification[] = [];
      switch (history.toStatus) {
        case 'assigned':
        case 'en_route':
        case 'completed':
          items.push(...to(b.customerId, history.toStatus));
          if (history.toStatus === 'completed')
            items.push(
              ...to(b.customerId, 'review_request', {
                availableAt: new Date(Date.now() + opts.reviewRequestDelayMs),
              }),
            );
          break;
        case 'arrived':
          items.push(...to(b.customerId, 'arrived', { data: { ...base, address: b.address } }));
          break;
        case 'unfulfilled':
          items.push(...to(b.customerId, 'unfulfilled'));
          break;
        case 'cancelled': {
          const reason = history.reason ?? null;
          const withReason = { data: { ...base, reason } };
          // The party who did not cancel hears of it (both, when an admin or the system did).
          if (history.actorRole !== 'customer') items.push(...to(b.customerId, 'cancelled', withReason));
          const tech = b.technicianId ?? null;
          if (history.actorRole !== 'technician' && history.fromStatus !== 'searching')
            items.push(...to(tech, 'cancelled', withReason));
          break;
        }
      }
      if (items.length) await notify(tx, items);
    },

    /** A job was offered to a technician (dispatch, in the offer's transaction). */
    async offered(tx: DbOrTx, technicianId: string, offer: Offer) {
      await notify(tx, {
        userId: technicianId,
        kind: 'offer',
        data: {
          bookingId: offer.bookingId,
          offerId: offer.offerId,
          serviceEn: offer.service.name.en,
          serviceAr: offer.service.name.ar,
          distanceMeters: offer.distanceMeters,
          expiresAt: offer.expiresAt,
          price: offer.earnings.amount,
          currency: offer.earnings.currency,
        },
        dedupeKey: `offer:${offer.offerId}`,
      });
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

import type { Actor } from '#shared/booking';
import type { DbOrTx } from '../../../db/client';
import type { BookingHistoryRow, BookingRow } from '../../../db/schema';
import type { Booking, BookingEvent, BookingStatus } from '../../contracts/booking';
import { DomainError } from '../../lib/errors';
import { type Bus, channels } from '../../realtime/bus';
import type { BookingChangeMessage } from '../tracking/tracking.service';
import { assertTransition, milestoneOf } from './booking.machine';
import { toBooking, toHistoryEntry } from './booking.output';
import { type BookingWithParties, createBookingRepo, type NewBooking } from './booking.repo';

export type ActorRef = { id: string | null; role: Actor };
/** A committed change: the booking as it now is (with its parties) and its history row. */
export type Change = { booking: BookingRow; view: BookingWithParties; history: BookingHistoryRow };
/** What `booking.events` subscribers receive: the event and its id (the history row's id). */
export type PublishedBookingEvent = { id: string; event: BookingEvent };

/**
 * Status changes, shared by the booking and dispatch services: the state-machine check, the conditional
 * update and the history row, always inside the caller's transaction; publishing after it commits.
 * The change carries the booking's new view, so neither the caller nor the subscribers read it again
 * (issue 18: a job used to cost about 35 transactions, mostly re-reads of what was just written).
 */
/** Work committed with every booking change (issue 17: the webhook outbox rows). */
export type ChangeOutbox = {
  bookingChanged(tx: DbOrTx, change: Pick<Change, 'view' | 'history'>): Promise<void>;
};

export function createBookingLifecycle(bus: Bus, outbox?: ChangeOutbox) {
  return {
    /** A new booking's first history row was written (`transition` does this itself for every change). */
    async recorded(tx: DbOrTx, change: Pick<Change, 'view' | 'history'>) {
      await outbox?.bookingChanged(tx, change);
    },

    /**
     * `current` is the locked row, or better its locked view: then the new view is the old one with the
     * updated row (and the technician's part read only when who is assigned changed).
     */
    async transition(
      tx: DbOrTx,
      current: BookingRow | BookingWithParties,
      to: BookingStatus,
      actor: ActorRef,
      reason: string | null,
      patch: Partial<NewBooking> = {},
    ): Promise<Change> {
      const row = 'booking' in current ? current.booking : current;
      assertTransition(row.status, to, actor.role);
      const repo = createBookingRepo(tx);
      const milestone = milestoneOf[to];
      const updated = await repo.updateIfStatus(row.id, row.status, {
        ...patch,
        status: to,
        ...(milestone ? { [milestone]: new Date() } : {}),
      });
      if (!updated) throw new DomainError('CONFLICT', 'The booking changed meanwhile. Reload and try again.');
      const history = await repo.insertHistory({
        bookingId: row.id,
        from: row.status,
        to,
        actorId: actor.id,
        actorRole: actor.role,
        reason,
      });
      let view: BookingWithParties | undefined;
      if (!('booking' in current)) view = await repo.withParties(row.id);
      else if (updated.technicianId === row.technicianId) view = { ...current, booking: updated };
      else if (!updated.technicianId)
        view = { ...current, booking: updated, technician: null, techProfile: null };
      else {
        const part = await repo.technicianPart(updated.technicianId);
        view = {
          ...current,
          booking: updated,
          technician: part?.technician ?? null,
          techProfile: part?.techProfile ?? null,
        };
      }
      await outbox?.bookingChanged(tx, { view: view!, history });
      return { booking: updated, view: view!, history };
    },

    /**
     * After commit: tells every live `booking.events` subscriber, and returns the booking as published
     * (callers answer with it instead of reading it again).
     */
    publish({ view, history }: Pick<Change, 'view' | 'history'>): Booking {
      const bookingId = view.booking.id;
      const published: PublishedBookingEvent = {
        id: String(history.id),
        event: { booking: toBooking(view), change: toHistoryEntry(history) },
      };
      bus.publish(channels.booking(bookingId), published);
      // Every node's live-location pipeline follows active jobs with this.
      bus.publish<BookingChangeMessage>(channels.bookingChanges, {
        node: bus.nodeId,
        bookingId,
        status: view.booking.status,
        technicianId: view.booking.technicianId,
      });
      return published.event.booking;
    },
  };
}

export type BookingLifecycle = ReturnType<typeof createBookingLifecycle>;

import type { Db, DbOrTx } from '../../../db/client';
import type { BookingHistoryRow, BookingRow } from '../../../db/schema';
import type { Booking, BookingEvent, BookingStatus } from '../../contracts/booking';
import { DomainError } from '../../lib/errors';
import { type Bus, channels } from '../../realtime/bus';
import type { BookingChangeMessage } from '../tracking/tracking.service';
import { type Actor, assertTransition, milestoneOf } from './booking.machine';
import { createBookingRepo, type NewBooking } from './booking.repo';
import { toBooking, toHistoryEntry } from './booking.views';

export type ActorRef = { id: string | null; role: Actor };
export type Change = { booking: BookingRow; history: BookingHistoryRow };
/** What `booking.events` subscribers receive: the event and its id (the history row's id). */
export type PublishedBookingEvent = { id: string; event: BookingEvent };

/**
 * Status changes, shared by the booking and dispatch services: the state-machine check, the conditional
 * update and the history row, always inside the caller's transaction; publishing after it commits.
 */
export function createBookingLifecycle(db: Db, bus: Bus) {
  return {
    async transition(
      tx: DbOrTx,
      row: BookingRow,
      to: BookingStatus,
      actor: ActorRef,
      reason: string | null,
      patch: Partial<NewBooking> = {},
    ): Promise<Change> {
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
      return { booking: updated, history };
    },

    /**
     * After commit: tells every live `booking.events` subscriber, and returns the booking as published
     * (callers answer with it instead of reading it again).
     */
    async publish(bookingId: string, history: BookingHistoryRow): Promise<Booking | undefined> {
      const view = await createBookingRepo(db).view(bookingId);
      if (!view) return undefined;
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

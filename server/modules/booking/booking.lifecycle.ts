import type { Actor } from '#shared/booking';
import type { DbOrTx } from '../../../db/client';
import type { BookingHistoryRow, BookingRow } from '../../../db/schema';
import type { Booking, BookingEvent, BookingStatus } from '../../contracts/booking';
import { DomainError } from '../../lib/errors';
import { type Bus, channels } from '../../realtime/bus';
import type { BookingNotice, NoticeChange, NoticeSpec } from '../notification/notification.hooks';
import type { BookingChangeMessage } from '../tracking/tracking.service';
import { assertTransition, milestoneOf, type TechnicianStep, technicianStepFrom } from './booking.machine';
import { toBooking, toHistoryEntry } from './booking.output';
import { type BookingWithParties, createBookingRepo, type NearFix, type NewBooking } from './booking.repo';

export type ActorRef = { id: string | null; role: Actor };
/** A committed change: the booking as it now is (with its parties) and its history row. */
export type Change = { booking: BookingRow; withParties: BookingWithParties; history: BookingHistoryRow };
/** What `booking.events` subscribers receive: the event and its id (the history row's id). */
export type PublishedBookingEvent = { id: string; event: BookingEvent };

/**
 * Status changes, shared by the booking and dispatch services: the state-machine check, the conditional
 * update and the history row, always inside the caller's transaction; publishing after it commits.
 * The change carries the booking with its parties (`withParties`), so neither the caller nor the
 * subscribers read it again (issue 18: a job used to cost about 35 transactions, mostly re-reads of
 * what was just written).
 */
/** Work committed with every booking change (issue 17: the webhook outbox rows). */
export type ChangeOutbox = {
  /**
   * The notifications a change will write, worked out from the booking before it: the change's own
   * statement writes them (issue 18: a status change and what it tells people, one statement).
   */
  notices?(before: BookingWithParties, change: NoticeChange): BookingNotice[];
  /** The same by party, for a change whose own statement finds the parties (`technicianStep`). */
  noticeSpecs?(change: Pick<NoticeChange, 'toStatus' | 'fromStatus' | 'actorRole'>): NoticeSpec[];
  /** After the change's statement; `noticesWritten`: how many of `notices` it wrote. */
  bookingChanged(
    tx: DbOrTx,
    change: Pick<Change, 'withParties' | 'history'>,
    noticesWritten?: number,
  ): Promise<void>;
};

export function createBookingLifecycle(bus: Bus, outbox?: ChangeOutbox) {
  return {
    /** A new booking's first history row was written (`transition` does this itself for every change). */
    async recorded(tx: DbOrTx, change: Pick<Change, 'withParties' | 'history'>) {
      await outbox?.bookingChanged(tx, change);
    },

    /**
     * `current` is the locked row, or better the locked booking with its parties: then the new one is the
     * old one with the updated row and its technician part, both returned by the change's one statement.
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
      // Known before the statement when the parties are: then it writes the notifications itself.
      const notices =
        'booking' in current
          ? outbox?.notices?.(current, {
              toStatus: to,
              fromStatus: row.status,
              actorRole: actor.role,
              reason,
              technicianId: patch.technicianId !== undefined ? patch.technicianId : row.technicianId,
            })
          : undefined;
      const changed = await repo.changeStatus(
        row.id,
        row.status,
        { ...patch, status: to, ...(milestone ? { [milestone]: new Date() } : {}) },
        actor,
        reason,
        notices,
      );
      if (!changed) throw new DomainError('CONFLICT', 'The booking changed meanwhile. Reload and try again.');
      const { booking: updated, history, technician, techProfile } = changed;
      // The new one is the old one with the moved row and its technician part (the statement's own).
      const withParties: BookingWithParties =
        'booking' in current
          ? { ...current, booking: updated, technician, techProfile }
          : (await repo.withParties(row.id))!;
      await outbox?.bookingChanged(tx, { withParties, history }, notices?.length);
      return { booking: updated, withParties, history };
    },

    /**
     * A technician's own next step on their job (en_route … completed) in one statement, checked by the
     * statement itself (booking.repo.ts `technicianStep`): no locked read of the booking first (issue 18
     * §2: four statements fewer per job). Undefined when the booking is not as that step needs (another
     * status, not their job, they are not verified): nothing was written, and the caller takes the
     * general path (`transition` after a locked read), which says why.
     */
    async technicianStep(
      tx: DbOrTx,
      bookingId: string,
      technicianId: string,
      to: TechnicianStep,
      /** An arrival judged by a fresh fix: only within the radius (see the repo's technicianStep). */
      near?: NearFix,
    ): Promise<Change | undefined> {
      const from = technicianStepFrom(to);
      // Without its notifications' parties the step cannot write them: the general path does.
      if (!from || (outbox && !outbox.noticeSpecs)) return undefined;
      const specs = outbox?.noticeSpecs?.({ toStatus: to, fromStatus: from, actorRole: 'technician' }) ?? [];
      const milestone = milestoneOf[to];
      const stepped = await createBookingRepo(tx).technicianStep(
        bookingId,
        technicianId,
        from,
        { status: to, ...(milestone ? { [milestone]: new Date() } : {}) },
        specs,
        near,
      );
      if (!stepped) return undefined;
      await outbox?.bookingChanged(tx, stepped, specs.length);
      return { booking: stepped.withParties.booking, ...stepped };
    },

    /**
     * After commit: tells every live `booking.events` subscriber, and returns the booking as published
     * (callers answer with it instead of reading it again).
     */
    publish({ withParties, history }: Pick<Change, 'withParties' | 'history'>): Booking {
      const bookingId = withParties.booking.id;
      const published: PublishedBookingEvent = {
        id: String(history.id),
        event: { booking: toBooking(withParties), change: toHistoryEntry(history) },
      };
      bus.publish(channels.booking(bookingId), published);
      // Every node's live-location pipeline follows active jobs with this.
      bus.publish<BookingChangeMessage>(channels.bookingChanges, {
        node: bus.nodeId,
        bookingId,
        status: withParties.booking.status,
        technicianId: withParties.booking.technicianId,
        scheduled: withParties.booking.scheduledFor !== null,
      });
      return published.event.booking;
    },
  };
}

export type BookingLifecycle = ReturnType<typeof createBookingLifecycle>;

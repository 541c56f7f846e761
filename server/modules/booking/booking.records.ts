import type { Db, DbOrTx } from '../../../db/client';
import { createBookingRepo } from './booking.repo';

export type { BookingWithParties } from './booking.repo';

/** `tx`: read (and lock) inside the caller's transaction; without it, on its own. */
type In = { tx?: DbOrTx };

/**
 * Bookings as other modules' services read them (dispatch, tracking, cases, notifications, the sandbox):
 * they call this, not booking.repo, so the booking module decides what the others may touch. Each takes
 * the caller's transaction where the read must be part of it (a row lock before a change).
 * Has no dependencies, so it is made first in services.ts and handed to whoever needs it.
 */
export function createBookingRecords(db: Db) {
  const repo = (o?: In) => createBookingRepo(o?.tx ?? db);
  return {
    /** The booking with its service and parties; `forUpdate` locks the booking's row. */
    withParties: (id: string, o?: In & { forUpdate?: boolean }) => repo(o).withParties(id, o),
    /** The booking's own row; `forUpdate` locks it. */
    row: (id: string, o?: In & { forUpdate?: boolean }) => repo(o).row(id, o),
    /** Its status changes, oldest first. */
    history: (id: string, o?: In) => repo(o).history(id),
    /** Whether a verified technician offers the service (a reassignment's target). */
    offersService: (technicianId: string, serviceId: string, o?: In) =>
      repo(o).offersService(technicianId, serviceId),
    /** Why an account may not take work (deleted, banned, suspended), or null. */
    accountStanding: (userId: string, o?: In) => repo(o).accountStanding(userId),
  };
}

export type BookingRecords = ReturnType<typeof createBookingRecords>;

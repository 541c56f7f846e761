import type { BookingStatus } from '../../contracts/booking';
import { DomainError } from '../../lib/errors';

export type Actor = 'customer' | 'technician' | 'admin' | 'system';

type Rule = { from: readonly BookingStatus[]; to: BookingStatus; by: readonly Actor[] };

/** Who may move a booking from where to where. Anything not listed here is a CONFLICT. */
export const transitions: readonly Rule[] = [
  // Only through booking.accept of an open offer, or an admin's reassignment (admin.bookings.reassign).
  { from: ['searching'], to: 'assigned', by: ['technician', 'admin'] },
  { from: ['assigned'], to: 'en_route', by: ['technician'] },
  { from: ['en_route'], to: 'arrived', by: ['technician'] },
  { from: ['arrived'], to: 'in_progress', by: ['technician'] },
  { from: ['in_progress'], to: 'completed', by: ['technician'] },
  { from: ['searching', 'assigned', 'en_route', 'arrived'], to: 'cancelled', by: ['customer', 'admin'] },
  { from: ['in_progress'], to: 'cancelled', by: ['admin'] },
  // A technician who drops a job before starting it hands it back to dispatch (or an admin takes it back:
  // admin.bookings.redispatch and reassign).
  { from: ['assigned', 'en_route', 'arrived'], to: 'searching', by: ['technician', 'admin'] },
  { from: ['searching'], to: 'unfulfilled', by: ['system'] },
  { from: ['completed'], to: 'disputed', by: ['customer'] },
];

export const DISPUTE_WINDOW_MS = 48 * 3600_000;

export function canTransition(from: BookingStatus, to: BookingStatus, actor: Actor): boolean {
  return transitions.some((r) => r.to === to && r.from.includes(from) && r.by.includes(actor));
}

export function assertTransition(from: BookingStatus, to: BookingStatus, actor: Actor): void {
  if (!canTransition(from, to, actor)) {
    throw new DomainError(
      'CONFLICT',
      `A booking that is ${from.replace('_', ' ')} cannot become ${to.replace('_', ' ')} (as ${actor}).`,
    );
  }
}

/** The milestone column each status stamps. */
export const milestoneOf: Partial<
  Record<
    BookingStatus,
    'assignedAt' | 'enRouteAt' | 'arrivedAt' | 'startedAt' | 'completedAt' | 'cancelledAt'
  >
> = {
  assigned: 'assignedAt',
  en_route: 'enRouteAt',
  arrived: 'arrivedAt',
  in_progress: 'startedAt',
  completed: 'completedAt',
  cancelled: 'cancelledAt',
};

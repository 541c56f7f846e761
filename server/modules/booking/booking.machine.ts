import { type Actor, type BookingStatus, canTransition } from '#shared/booking';
import { DomainError } from '../../lib/errors';

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

import { type Actor, type BookingStatus, canTransition, transitions } from '#shared/booking';
import { DomainError } from '../../lib/errors';

export function assertTransition(from: BookingStatus, to: BookingStatus, actor: Actor): void {
  if (!canTransition(from, to, actor)) {
    throw new DomainError(
      'CONFLICT',
      `A booking that is ${from.replace('_', ' ')} cannot become ${to.replace('_', ' ')} (as ${actor}).`,
    );
  }
}

/**
 * A job taken back from its technician (their own hand-back, or an admin's take-back or reassignment):
 * the assignment's columns are cleared, and their reservation goes with them (issue 12 §5).
 */
export const HANDED_BACK = {
  technicianId: null,
  assignedAt: null,
  enRouteAt: null,
  arrivedAt: null,
  reservedFor: null,
  reservedFrom: null,
  reservedTo: null,
} as const;

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

/** A technician's own steps on their job (booking.advance). */
export type TechnicianStep = 'en_route' | 'arrived' | 'in_progress' | 'completed';
/** The one status a step starts from (en_route from assigned, … completed from in_progress). */
export function technicianStepFrom(to: TechnicianStep): BookingStatus | undefined {
  const rules = transitions.filter((r) => r.to === to && r.by.includes('technician'));
  return rules.length === 1 && rules[0]!.from.length === 1 ? rules[0]!.from[0] : undefined;
}

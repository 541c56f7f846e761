/**
 * The booking's life, shared by the server (which enforces it) and the PWA (which shows it): statuses,
 * who may move a booking from where to where, the status groups screens and rules use, and its time
 * windows. No zod and no Node here: the client's first screen imports this.
 */

export const bookingStatuses = [
  'searching',
  'assigned',
  'en_route',
  'arrived',
  'in_progress',
  'completed',
  'cancelled',
  'unfulfilled',
  'disputed',
] as const;
export type BookingStatus = (typeof bookingStatuses)[number];

/** Waiting for a technician or being worked on. */
export const OPEN_STATUSES: readonly BookingStatus[] = [
  'searching',
  'assigned',
  'en_route',
  'arrived',
  'in_progress',
];
/** A technician has the job and has not finished it: contact details, chat and the live map are on. */
export const ACTIVE_JOB_STATUSES: readonly BookingStatus[] = [
  'assigned',
  'en_route',
  'arrived',
  'in_progress',
];
/** The customer may cancel until the work starts. */
export const CUSTOMER_CANCELLABLE: readonly BookingStatus[] = [
  'searching',
  'assigned',
  'en_route',
  'arrived',
];
/** The assigned technician may hand a job back until they start it. */
export const TECHNICIAN_CANCELLABLE: readonly BookingStatus[] = ['assigned', 'en_route', 'arrived'];
/** The steps a job goes through once a technician has it. */
export const PROGRESS_STEPS = ['assigned', 'en_route', 'arrived', 'in_progress', 'completed'] as const;
/** The technician's next step from each working status. */
export const NEXT_STEP: Partial<Record<BookingStatus, 'en_route' | 'arrived' | 'in_progress' | 'completed'>> =
  {
    assigned: 'en_route',
    en_route: 'arrived',
    arrived: 'in_progress',
    in_progress: 'completed',
  };

/** How long after completion the customer may open a dispute. */
export const DISPUTE_WINDOW_MS = 48 * 3600_000;

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
  { from: CUSTOMER_CANCELLABLE, to: 'cancelled', by: ['customer', 'admin'] },
  { from: ['in_progress'], to: 'cancelled', by: ['admin'] },
  // A technician who drops a job before starting it hands it back to dispatch (or an admin takes it back:
  // admin.bookings.redispatch and reassign).
  { from: TECHNICIAN_CANCELLABLE, to: 'searching', by: ['technician', 'admin'] },
  { from: ['searching'], to: 'unfulfilled', by: ['system'] },
  { from: ['completed'], to: 'disputed', by: ['customer'] },
];

export function canTransition(from: BookingStatus, to: BookingStatus, actor: Actor): boolean {
  return transitions.some((r) => r.to === to && r.from.includes(from) && r.by.includes(actor));
}

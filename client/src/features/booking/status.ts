import type { BookingStatus } from '../../../../server/contracts/booking';

// Local copies of the contract's lists: importing values from the contract would pull zod into this chunk.
export const OPEN_STATUSES = [
  'searching',
  'assigned',
  'en_route',
  'arrived',
  'in_progress',
] as const satisfies readonly BookingStatus[];
/** The customer may cancel until the work starts. */
export const CUSTOMER_CANCELLABLE: readonly BookingStatus[] = [
  'searching',
  'assigned',
  'en_route',
  'arrived',
];
/** The assigned technician may hand a job back until they start it. */
export const TECHNICIAN_CANCELLABLE: readonly BookingStatus[] = ['assigned', 'en_route', 'arrived'];
/** A technician's job in progress (assigned to them, not finished). */
export const ACTIVE_JOB_STATUSES: readonly BookingStatus[] = [
  'assigned',
  'en_route',
  'arrived',
  'in_progress',
];
/** The steps a job goes through once a technician has it. */
export const PROGRESS_STEPS = ['assigned', 'en_route', 'arrived', 'in_progress', 'completed'] as const;

export const NEXT_STEP: Partial<Record<BookingStatus, 'en_route' | 'arrived' | 'in_progress' | 'completed'>> =
  {
    assigned: 'en_route',
    en_route: 'arrived',
    arrived: 'in_progress',
    in_progress: 'completed',
  };

export const DISPUTE_WINDOW_MS = 48 * 3600_000;

export function isOpen(status: BookingStatus): boolean {
  return (OPEN_STATUSES as readonly BookingStatus[]).includes(status);
}

/** Chip colour group for a status. */
export function statusTone(status: BookingStatus): 'active' | 'done' | 'problem' | 'neutral' {
  if (status === 'completed') return 'done';
  if (status === 'cancelled' || status === 'unfulfilled') return 'neutral';
  if (status === 'disputed') return 'problem';
  return 'active';
}

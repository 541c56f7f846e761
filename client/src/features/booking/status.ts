import { type BookingStatus, OPEN_STATUSES } from '#shared/booking';

export function isOpen(status: BookingStatus): boolean {
  return OPEN_STATUSES.includes(status);
}

/** Chip colour group for a status. */
export function statusTone(status: BookingStatus): 'active' | 'done' | 'problem' | 'neutral' {
  if (status === 'completed') return 'done';
  if (status === 'cancelled' || status === 'unfulfilled') return 'neutral';
  if (status === 'disputed') return 'problem';
  return 'active';
}

import { skipToken } from '@tanstack/react-query';
import { useEffect } from 'react';
import type { Booking } from '../../../../server/contracts/booking';
import type { BookingPayment, Extra } from '../../../../server/contracts/payment';
import { trpc } from '../../lib/trpc';

export type PaymentView = BookingPayment & { extras: Extra[] };

/** While the technician is there, extras come and go; answers are polled (extras send no booking event). */
export const WORKING: readonly Booking['status'][] = ['arrived', 'in_progress'];
/** Statuses in which a booking may have money on it: extras while working, the bill after, a fee. */
const WITH_MONEY: readonly Booking['status'][] = [
  'arrived',
  'in_progress',
  'completed',
  'disputed',
  'cancelled',
];

/**
 * A booking's money (extras, the bill, the payment's state), kept fresh: refetched whenever the booking
 * itself changes (its live events), and polled while something can change without a booking event —
 * extras waiting for an answer, a payment pending at a gateway or in the technician's hand.
 */
export function useBookingPayment(booking: Booking) {
  const enabled = WITH_MONEY.includes(booking.status);
  const utils = trpc.useUtils();
  const query = trpc.payment.get.useQuery(enabled ? { bookingId: booking.id } : skipToken, {
    staleTime: 2_000,
    refetchInterval: (q) => {
      const data = q.state.data as PaymentView | undefined;
      if (WORKING.includes(booking.status)) return 4_000;
      // A completed job always has a bill; a read that raced the completion (no bill yet) is repeated
      // for up to a minute after it rather than left without one.
      const sinceCompleted = booking.completedAt ? Date.now() - Date.parse(booking.completedAt) : Infinity;
      if (booking.status === 'completed' && !data?.due && sinceCompleted < 60_000) return 2_000;
      if (data?.status === 'pending') return 3_000;
      // The bill is open: the technician may record cash at any moment.
      if (data?.due && (data.status === 'unpaid' || data.status === 'failed')) return 10_000;
      return false;
    },
  });
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new booking version is the trigger.
  useEffect(() => {
    if (enabled) void utils.payment.get.invalidate({ bookingId: booking.id });
  }, [booking.status, booking.updatedAt]);
  return { query, payment: query.data as PaymentView | undefined, enabled };
}

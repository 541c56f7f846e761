import type { inferRouterInputs } from '@trpc/server';
import { useRef } from 'react';
import type { AppRouter } from '../../../../server/trpc/root';
import { isRetryable, retryAfterMs } from '../../lib/apiErrors';
import { newId } from '../../lib/ids';
import { navigate } from '../../lib/router';
import { trpc } from '../../lib/trpc';
import { enqueue } from './outbox';

export type CreateBookingInput = Omit<inferRouterInputs<AppRouter>['booking']['create'], 'idempotencyKey'>;

/**
 * booking.create with an idempotency key per attempt: a retry after a lost answer (flaky data) reuses the
 * key, so the server returns the booking it may already have made instead of a second one. A definite
 * answer (success, or a 4xx that created nothing) ends the attempt; the next request is a new one.
 */
export function useCreateBooking() {
  const utils = trpc.useUtils();
  const attemptKey = useRef<string | null>(null);
  const attemptLabel = useRef('');
  const mutation = trpc.booking.create.useMutation({
    onSuccess: (booking) => {
      attemptKey.current = null;
      utils.booking.get.setData({ id: booking.id }, booking);
      void utils.booking.list.invalidate();
      navigate(`/bookings/${booking.id}`);
    },
    onError: (error, input) => {
      if (!isRetryable(error)) attemptKey.current = null;
      // Shed in a rush (OVERLOADED): the outbox keeps it and sends it again after the server's Retry-After,
      // with the same idempotency key, so the customer need not press again (and cannot book twice).
      const wait = retryAfterMs(error);
      if (wait !== null) {
        attemptKey.current = null;
        void enqueue({ kind: 'create', input, label: attemptLabel.current }, wait).then(() =>
          navigate('/bookings'),
        );
      }
    },
  });

  /** `label` names the booking while it waits in the outbox (no connection now: sent when it returns). */
  const create = (input: CreateBookingInput, label: string) => {
    attemptKey.current ??= newId();
    attemptLabel.current = label;
    const full = { ...input, idempotencyKey: attemptKey.current };
    if (!navigator.onLine) {
      attemptKey.current = null;
      void enqueue({ kind: 'create', input: full, label }).then(() => navigate('/bookings'));
      return;
    }
    mutation.mutate(full);
  };

  return { create, mutation };
}

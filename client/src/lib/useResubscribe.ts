import { useEffect } from 'react';

/** After a subscription the server ended with an error (not a dropped socket: wsLink handles those). */
export const RESUBSCRIBE_AFTER_MS = 5_000;

/**
 * Subscribes again a few seconds after the server ended the subscription with an error, unless that
 * error is `final` (it would not get better by retrying: not found, the job moved on…).
 */
export function useResubscribe(subscription: { status: string; reset: () => void }, final = false): void {
  const { status, reset } = subscription;
  useEffect(() => {
    if (status !== 'error' || final) return;
    const timer = setTimeout(reset, RESUBSCRIBE_AFTER_MS);
    return () => clearTimeout(timer);
  }, [status, reset, final]);
}

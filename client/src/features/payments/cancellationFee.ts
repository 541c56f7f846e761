import { skipToken } from '@tanstack/react-query';
import type { Booking } from '../../../../server/contracts/booking';
import { useI18n } from '../../i18n/I18nProvider';
import { trpc } from '../../lib/trpc';

/**
 * What cancelling costs now, worded for the cancel dialog (asked when it opens, never from cache: the
 * grace period may have run out meanwhile). `body` is the sentence to add, `confirm` the button's label
 * when there is a fee; both undefined when cancelling is free.
 */
export function useCancellationFee(booking: Booking, open: boolean) {
  const { t, formatMoney } = useI18n();
  const quote = trpc.payment.cancellationQuote.useQuery(
    open && booking.technician ? { bookingId: booking.id } : skipToken,
    {
      staleTime: 0,
      gcTime: 0,
    },
  );
  const fee = quote.data?.fee;
  return {
    checking: quote.isFetching && !quote.data,
    body:
      quote.isFetching && !quote.data
        ? t('pay.cancelFee.checking')
        : fee
          ? t('pay.cancelFee.body', { fee: formatMoney(fee) })
          : undefined,
    confirm: fee ? t('pay.cancelFee.confirm', { fee: formatMoney(fee) }) : undefined,
  };
}

import { type FormEvent, useId, useState } from 'react';
import type { Booking } from '../../../../server/contracts/booking';
import { Spinner } from '../../components/Spinner';
import { TextField } from '../../components/TextField';
import { useI18n } from '../../i18n/I18nProvider';
import { INTL_LOCALES } from '../../i18n/locale';
import { problemKey } from '../../lib/apiErrors';
import { trpc } from '../../lib/trpc';
import { AddExtra, ExtrasList } from './Extras';
import { amountInput, currencySymbol, parseAmount } from './money';
import { LineItems, PaymentBadge, useMethodLabel } from './PaymentBits';
import { type PaymentView, useBookingPayment, WORKING } from './usePayment';

const FINISHED: readonly Booking['status'][] = ['completed', 'disputed'];

/**
 * The technician's side of a job's money: extras while working (with the customer's answers), and once
 * the job is done the bill, its state, and "Cash received" when the customer pays in hand.
 */
export function JobMoney({ booking }: { booking: Booking }) {
  const { t } = useI18n();
  const { payment } = useBookingPayment(booking);
  const working = WORKING.includes(booking.status);
  // A customer's late cancellation leaves a fee, most of it the technician's: its bill shows here too.
  const finished =
    FINISHED.includes(booking.status) || (booking.status === 'cancelled' && Boolean(payment?.due));
  if (!working && !finished) return null;
  if (!payment) return null;
  return (
    <div className="job-money" data-testid="job-money">
      {working && (
        <>
          <ExtrasList bookingId={booking.id} extras={payment.extras} canAnswer={false} />
          <AddExtra bookingId={booking.id} currency={booking.price.total.currency} />
        </>
      )}
      {finished && payment.due && (
        <>
          <div className="card-heading">
            <h3>{t('pay.bill')}</h3>
            <PaymentBadge status={payment.status} />
          </div>
          <LineItems
            items={payment.items}
            total={{
              amount: payment.due.amount + (payment.tip?.amount ?? 0),
              currency: payment.due.currency,
            }}
            totalLabel={t('pay.total')}
          />
          <Collection booking={booking} payment={payment} />
        </>
      )}
    </div>
  );
}

function Collection({ booking, payment }: { booking: Booking; payment: PaymentView }) {
  const { t, formatMoney } = useI18n();
  const method = useMethodLabel();
  if (payment.status === 'paid' || payment.status === 'refunded' || payment.status === 'partially_refunded') {
    return (
      <p className="success-text" role="status" data-testid="job-paid">
        {t('pay.tech.paid', {
          amount: formatMoney(payment.paid ?? payment.due!),
          method: method(payment.method ?? 'cash'),
        })}
      </p>
    );
  }
  if (payment.status === 'pending' && payment.method && payment.method !== 'cash') {
    return (
      <p className="muted" role="status">
        {t('pay.tech.payingOnline', { method: method(payment.method) })}
      </p>
    );
  }
  return <CashReceived booking={booking} payment={payment} />;
}

/** "Cash received": the amount prefilled with what is due; anything above it is the customer's tip. */
function CashReceived({ booking, payment }: { booking: Booking; payment: PaymentView }) {
  const { t, formatMoney, locale } = useI18n();
  const id = useId();
  const utils = trpc.useUtils();
  const due = payment.due!;
  const [text, setText] = useState(() => amountInput(due.amount));
  const [problem, setProblem] = useState<string | undefined>();
  const confirm = trpc.payment.confirmCash.useMutation({
    onSuccess: (view) => {
      utils.payment.get.setData({ bookingId: booking.id }, (old) => (old ? { ...old, ...view } : old));
      void utils.payment.get.invalidate({ bookingId: booking.id });
      void utils.earnings.invalidate();
    },
  });
  const amount = parseAmount(text);
  const tip = amount !== null && amount > due.amount ? amount - due.amount : 0;

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (amount === null || amount < due.amount) {
      setProblem(t('pay.cash.tooLittle', { due: formatMoney(due) }));
      return;
    }
    setProblem(undefined);
    confirm.mutate({ bookingId: booking.id, amount });
  };

  return (
    <form
      className="form"
      noValidate
      onSubmit={submit}
      aria-labelledby={`${id}-title`}
      data-testid="cash-form"
    >
      <h3 id={`${id}-title`}>{t('pay.cash.title')}</h3>
      <p className="muted small">{t('pay.cash.hint', { due: formatMoney(due) })}</p>
      <TextField
        name="amount"
        label={t('pay.cash.amount', { currency: currencySymbol(due.currency, INTL_LOCALES[locale]) })}
        inputMode="decimal"
        autoComplete="off"
        value={text}
        onChange={(event) => {
          setText(event.target.value);
          setProblem(undefined);
        }}
        error={problem}
      />
      {tip > 0 && (
        <p className="small" data-testid="cash-tip">
          {t('pay.cash.tip', { tip: formatMoney({ amount: tip, currency: due.currency }) })}
        </p>
      )}
      {confirm.error && (
        <p className="form-error" role="alert">
          {t(
            problemKey(confirm.error, {
              CONFLICT: 'pay.error.alreadyPaid',
              VALIDATION: 'pay.cash.tooLittleShort',
            }),
          )}
        </p>
      )}
      <button
        type="submit"
        className="button button-primary button-block"
        data-testid="cash-received"
        disabled={confirm.isPending}
      >
        {confirm.isPending && <Spinner small />}
        {confirm.isPending ? t('pay.cash.saving') : t('pay.cash.confirm')}
      </button>
    </form>
  );
}

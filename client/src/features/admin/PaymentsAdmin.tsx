import './admin.css';
import { skipToken } from '@tanstack/react-query';
import { type FormEvent, useId, useState } from 'react';
import type { PublicUser } from '../../../../server/contracts/auth';
import type { Payout, RefundResult } from '../../../../server/contracts/payment';
import { Loading } from '../../components/Loading';
import { Screen } from '../../components/Screen';
import { Spinner } from '../../components/Spinner';
import { TextField } from '../../components/TextField';
import { useI18n } from '../../i18n/I18nProvider';
import { INTL_LOCALES } from '../../i18n/locale';
import { problemKey } from '../../lib/apiErrors';
import { Link, navigate, useSearchParams } from '../../lib/router';
import { trpc } from '../../lib/trpc';
import { amountInput, currencySymbol, parseAmount } from '../payments/money';
import { PaymentBadge, useMethodLabel } from '../payments/PaymentBits';

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

/** Money for admins: refund a booking's payment (full or partial), and the technicians' weekly payouts. */
export function PaymentsAdmin(_: { user: PublicUser }) {
  const { t } = useI18n();
  return (
    <Screen heading={t('adminPay.title')} testId="admin-payments">
      <nav className="breadcrumbs" aria-label={t('adminPay.title')}>
        <Link href="/home">{t('booking.backHome')}</Link>
      </nav>
      <RefundSection />
      <PayoutsSection />
    </Screen>
  );
}

function RefundSection() {
  const { t, formatMoney, formatDateTime } = useI18n();
  const id = useId();
  const params = useSearchParams();
  const bookingId = UUID.exec(params.get('booking') ?? '')?.[0]?.toLowerCase() ?? null;
  const [text, setText] = useState(bookingId ?? '');
  const [badId, setBadId] = useState(false);
  const method = useMethodLabel();
  const payment = trpc.payment.get.useQuery(bookingId ? { bookingId } : skipToken, { staleTime: 0 });

  const find = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const found = UUID.exec(text)?.[0]?.toLowerCase();
    setBadId(!found);
    if (found) navigate(`/admin/payments?booking=${found}`, { replace: true });
  };

  const p = payment.data;
  const refundable =
    p?.paid && (p.status === 'paid' || p.status === 'partially_refunded')
      ? p.paid.amount - (p.refunded?.amount ?? 0)
      : 0;

  return (
    <section className="card card-feature" aria-labelledby={`${id}-title`} data-testid="admin-refund">
      <h2 id={`${id}-title`}>{t('adminPay.refund.title')}</h2>
      <form className="form" noValidate onSubmit={find}>
        <TextField
          name="booking"
          label={t('adminPay.refund.booking')}
          hint={t('adminPay.refund.bookingHint')}
          autoComplete="off"
          value={text}
          onChange={(event) => {
            setText(event.target.value);
            setBadId(false);
          }}
          error={badId ? t('adminPay.refund.badBooking') : undefined}
        />
        <button type="submit" className="button button-secondary" data-testid="find-payment">
          {t('adminPay.refund.find')}
        </button>
      </form>
      {bookingId &&
        (payment.isPending ? (
          <Loading />
        ) : payment.error ? (
          <p className="form-error" role="alert">
            {t(problemKey(payment.error))}
          </p>
        ) : p ? (
          <>
            <dl className="facts" data-testid="admin-payment">
              <div>
                <dt>{t('adminPay.refund.state')}</dt>
                <dd>
                  <PaymentBadge status={p.status} />
                </dd>
              </div>
              {p.due && (
                <div>
                  <dt>{t('pay.bill')}</dt>
                  <dd>{formatMoney(p.due)}</dd>
                </div>
              )}
              {p.paid && (
                <div>
                  <dt>{t('adminPay.refund.paid')}</dt>
                  <dd>
                    {formatMoney(p.paid)}
                    {p.method && ` · ${method(p.method)}`}
                  </dd>
                </div>
              )}
              {p.paidAt && (
                <div>
                  <dt>{t('receipt.paidAt')}</dt>
                  <dd>{formatDateTime(p.paidAt)}</dd>
                </div>
              )}
              {p.refunded && (
                <div>
                  <dt>{t('receipt.refunded')}</dt>
                  <dd>{formatMoney(p.refunded)}</dd>
                </div>
              )}
            </dl>
            <Link href={`/bookings/${bookingId}`}>{t('adminPay.refund.openBooking')}</Link>
            {refundable > 0 && p.paymentId && p.paid ? (
              <RefundForm
                key={`${p.paymentId}:${refundable}`}
                bookingId={bookingId}
                paymentId={p.paymentId}
                refundable={{ amount: refundable, currency: p.paid.currency }}
                cash={p.method === 'cash'}
              />
            ) : (
              <p className="muted">{t('adminPay.refund.nothing')}</p>
            )}
          </>
        ) : null)}
    </section>
  );
}

function RefundForm({
  bookingId,
  paymentId,
  refundable,
  cash,
}: {
  bookingId: string;
  paymentId: string;
  refundable: { amount: number; currency: string };
  cash: boolean;
}) {
  const { t, formatMoney, locale } = useI18n();
  const utils = trpc.useUtils();
  const [amount, setAmount] = useState(amountInput(refundable.amount));
  const [reason, setReason] = useState('');
  const [problem, setProblem] = useState<{ amount?: string; reason?: string }>({});
  const [done, setDone] = useState<RefundResult | null>(null);
  const refund = trpc.admin.payments.refund.useMutation({
    onSuccess: (result) => {
      setDone(result);
      void utils.payment.get.invalidate({ bookingId });
    },
  });
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const minor = parseAmount(amount);
    const found = {
      amount:
        minor === null || minor <= 0 || minor > refundable.amount
          ? t('adminPay.refund.badAmount', { max: formatMoney(refundable) })
          : undefined,
      reason: reason.trim() ? undefined : t('validation.reason'),
    };
    setProblem(found);
    if (found.amount || found.reason || minor === null) return;
    refund.mutate({ paymentId, amount: minor, reason: reason.trim() });
  };
  return (
    <form className="form" noValidate onSubmit={submit} data-testid="refund-form">
      <p className="muted small">
        {t('adminPay.refund.refundable', { amount: formatMoney(refundable) })}{' '}
        {cash && t('adminPay.refund.cashCredit')}
      </p>
      <TextField
        name="amount"
        label={t('adminPay.refund.amount', {
          currency: currencySymbol(refundable.currency, INTL_LOCALES[locale]),
        })}
        inputMode="decimal"
        autoComplete="off"
        value={amount}
        onChange={(event) => setAmount(event.target.value)}
        error={problem.amount}
      />
      <TextField
        name="reason"
        label={t('adminPay.refund.reason')}
        maxLength={500}
        autoComplete="off"
        value={reason}
        onChange={(event) => setReason(event.target.value)}
        error={problem.reason}
      />
      {refund.error && (
        <p className="form-error" role="alert">
          {t(problemKey(refund.error, { CONFLICT: 'adminPay.refund.conflict' }))}
        </p>
      )}
      {done && (
        <p className="success-text" role="status" data-testid="refund-done">
          {t(done.status === 'succeeded' ? 'adminPay.refund.done' : 'adminPay.refund.queued', {
            amount: formatMoney(done.amount),
          })}
        </p>
      )}
      <button type="submit" className="button button-danger" disabled={refund.isPending} data-testid="refund">
        {refund.isPending && <Spinner small />}
        {refund.isPending ? t('adminPay.refund.pending') : t('adminPay.refund.submit')}
      </button>
    </form>
  );
}

function PayoutsSection() {
  const { t } = useI18n();
  const id = useId();
  const [status, setStatus] = useState<'pending' | 'paid'>('pending');
  const list = trpc.admin.payouts.list.useQuery({ status }, { staleTime: 5_000 });
  return (
    <section className="card" aria-labelledby={`${id}-title`} data-testid="admin-payouts">
      <h2 id={`${id}-title`}>{t('adminPay.payouts.title')}</h2>
      <p className="muted small">{t('adminPay.payouts.hint')}</p>
      <fieldset className="filter-chips">
        <legend className="visually-hidden">{t('admin.filter')}</legend>
        {(['pending', 'paid'] as const).map((option) => (
          <button
            key={option}
            type="button"
            className="chip chip-button"
            aria-pressed={status === option}
            data-testid={`payouts-${option}`}
            onClick={() => setStatus(option)}
          >
            {t(`adminPay.payouts.${option}`)}
          </button>
        ))}
      </fieldset>
      {list.isPending ? (
        <Loading />
      ) : list.error ? (
        <>
          <p className="form-error" role="alert">
            {t(problemKey(list.error))}
          </p>
          <button type="button" className="button button-secondary" onClick={() => void list.refetch()}>
            {t('common.retry')}
          </button>
        </>
      ) : list.data.length === 0 ? (
        <p className="muted">{t('adminPay.payouts.empty')}</p>
      ) : (
        <ul className="payout-list">
          {list.data.map((payout) => (
            <PayoutRow key={payout.id} payout={payout} />
          ))}
        </ul>
      )}
    </section>
  );
}

function PayoutRow({ payout }: { payout: Payout }) {
  const { t, formatMoney, formatDate, formatDateTime } = useI18n();
  const id = useId();
  const utils = trpc.useUtils();
  const [reference, setReference] = useState('');
  const [missing, setMissing] = useState(false);
  const markPaid = trpc.admin.payouts.markPaid.useMutation({
    onSuccess: () => void utils.admin.payouts.list.invalidate(),
  });
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (!reference.trim()) {
      setMissing(true);
      return;
    }
    markPaid.mutate({ payoutId: payout.id, reference: reference.trim() });
  };
  return (
    <li className="payout" data-testid="payout" data-status={payout.status}>
      <div className="payout-head">
        <span className="fact-strong">
          <bdi>{payout.technician.name}</bdi>
        </span>
        <span className="fact-strong">{formatMoney(payout.amount)}</span>
      </div>
      <p className="muted small">{t('adminPay.payouts.week', { date: formatDate(payout.periodStart) })}</p>
      {payout.status === 'paid' ? (
        <p className="small">
          {t('adminPay.payouts.paidRef', {
            reference: payout.reference ?? '',
            date: payout.paidAt ? formatDateTime(payout.paidAt) : '',
          })}
        </p>
      ) : (
        <form className="payout-form" noValidate onSubmit={submit}>
          <div className="field">
            <label htmlFor={`${id}-ref`}>{t('adminPay.payouts.reference')}</label>
            <div className="field-control">
              <input
                id={`${id}-ref`}
                name="reference"
                autoComplete="off"
                maxLength={200}
                value={reference}
                aria-invalid={missing || undefined}
                onChange={(event) => {
                  setReference(event.target.value);
                  setMissing(false);
                }}
              />
            </div>
            {missing && <p className="field-error">{t('adminPay.payouts.referenceMissing')}</p>}
          </div>
          {markPaid.error && (
            <p className="form-error" role="alert">
              {t(problemKey(markPaid.error, { CONFLICT: 'adminPay.payouts.conflict' }))}
            </p>
          )}
          <button
            type="submit"
            className="button button-primary"
            disabled={markPaid.isPending}
            data-testid="mark-paid"
          >
            {markPaid.isPending && <Spinner small />}
            {markPaid.isPending ? t('adminPay.payouts.marking') : t('adminPay.payouts.markPaid')}
          </button>
        </form>
      )}
    </li>
  );
}

import './payments.css';
import { type ReactNode, useEffect, useId, useRef, useState } from 'react';
import type { PublicUser } from '../../../../server/contracts/auth';
import type { Booking } from '../../../../server/contracts/booking';
import type { Money } from '../../../../server/contracts/catalog';
import type { PaymentMethod } from '../../../../server/contracts/payment';
import { Spinner } from '../../components/Spinner';
import { useI18n } from '../../i18n/I18nProvider';
import { INTL_LOCALES } from '../../i18n/locale';
import { problemKey } from '../../lib/apiErrors';
import { newId } from '../../lib/ids';
import { Link, navigate, useSearchParams } from '../../lib/router';
import { trpc } from '../../lib/trpc';
import { ExtrasList } from './Extras';
import { JobMoney } from './JobMoney';
import { currencySymbol, parseAmount, tipPresets } from './money';
import { LineItems, PaymentBadge, useMethodLabel } from './PaymentBits';
import { type PaymentView, useBookingPayment, WORKING } from './usePayment';

const SETTLED = new Set(['paid', 'refunded', 'partially_refunded']);

/**
 * A booking's money on its screen. The customer answers extras while the technician works, then sees the
 * bill, adds a tip, picks how to pay and pays (a gateway's hosted page, in this tab; back here the payment
 * is verified at once and shows pending → paid live). The technician sees their side (see JobMoney);
 * an admin sees the state and can go to refund it.
 */
export function PaymentPanel({ booking, user }: { booking: Booking; user: PublicUser }) {
  const isCustomer = booking.customer.id === user.id;
  const isTechnician = booking.technician?.id === user.id;
  if (isTechnician) return <TechnicianSection booking={booking} />;
  if (!isCustomer && user.role !== 'admin') return null;
  return <CustomerSection booking={booking} isCustomer={isCustomer} />;
}

function TechnicianSection({ booking }: { booking: Booking }) {
  const { t } = useI18n();
  if (!['arrived', 'in_progress', 'completed', 'disputed', 'cancelled'].includes(booking.status)) return null;
  return (
    <section className="card" aria-label={t('pay.title')} data-testid="payment-panel">
      <JobMoney booking={booking} />
    </section>
  );
}

function CustomerSection({ booking, isCustomer }: { booking: Booking; isCustomer: boolean }) {
  const { t } = useI18n();
  const id = useId();
  const { payment, query } = useBookingPayment(booking);
  const returning = useReturnFromCheckout(booking.id, isCustomer);

  if (!payment) {
    if (returning.checking) return <Checking />;
    if (query.error && (booking.status === 'completed' || booking.status === 'disputed')) {
      return (
        <section className="card" data-testid="payment-panel">
          <p className="form-error" role="alert">
            {t(problemKey(query.error))}
          </p>
          <button type="button" className="button button-secondary" onClick={() => void query.refetch()}>
            {t('common.retry')}
          </button>
        </section>
      );
    }
    return null;
  }
  // Extras are answered while the technician is there; after that the bill lists the approved ones.
  const extras = WORKING.includes(booking.status) ? payment.extras : [];
  if (!payment.due && extras.length === 0) return null;

  return (
    <section
      className="card card-feature pay-panel"
      aria-labelledby={`${id}-title`}
      data-testid="payment-panel"
      data-state={payment.status}
    >
      <div className="card-heading">
        <h2 id={`${id}-title`}>{payment.due ? t('pay.title') : t('extras.title')}</h2>
        {payment.due && <PaymentBadge status={payment.status} />}
      </div>
      <ExtrasList
        bookingId={booking.id}
        extras={extras}
        canAnswer={isCustomer}
        titled={Boolean(payment.due)}
      />
      {payment.due && (
        <Bill
          booking={booking}
          payment={payment}
          isCustomer={isCustomer}
          checking={returning.checking}
          verifyError={returning.error}
        />
      )}
    </section>
  );
}

function Checking() {
  const { t } = useI18n();
  return (
    <section className="card" data-testid="payment-panel" aria-busy="true">
      <p className="inline-status" role="status">
        <Spinner small /> {t('pay.checking')}
      </p>
    </section>
  );
}

/**
 * Back from a gateway's hosted page (`?payment=<id>` on the return URL): ask the server to verify with
 * the gateway now instead of waiting for its webhook, then drop the parameter (a reload must not verify
 * again for nothing; the panel polls while the payment is pending anyway).
 */
function useReturnFromCheckout(bookingId: string, isCustomer: boolean) {
  const params = useSearchParams();
  const returned = params.get('payment');
  const utils = trpc.useUtils();
  const verify = trpc.payment.verify.useMutation({
    onSuccess: (view) => utils.payment.get.setData({ bookingId }, view),
  });
  const started = useRef(false);
  // biome-ignore lint/correctness/useExhaustiveDependencies: once per return.
  useEffect(() => {
    if (!returned || !isCustomer || started.current) return;
    started.current = true;
    verify.mutate({ bookingId }, { onSettled: () => navigate(`/bookings/${bookingId}`, { replace: true }) });
  }, [returned, isCustomer]);
  return { checking: verify.isPending, error: verify.error };
}

function Bill({
  booking,
  payment,
  isCustomer,
  checking,
  verifyError,
}: {
  booking: Booking;
  payment: PaymentView;
  isCustomer: boolean;
  checking: boolean;
  verifyError: unknown;
}) {
  const { t, formatMoney, formatDateTime } = useI18n();
  const method = useMethodLabel();
  const due = payment.due!;
  const [changing, setChanging] = useState(false);
  const settled = SETTLED.has(payment.status);
  const total: Money = { amount: due.amount + (payment.tip?.amount ?? 0), currency: due.currency };

  return (
    <>
      {booking.status === 'cancelled' && <p>{t('pay.feeBody')}</p>}
      <LineItems
        items={payment.items}
        total={total}
        totalLabel={settled ? t('pay.totalPaid') : t('pay.total')}
      />
      {checking && (
        <p className="inline-status" role="status">
          <Spinner small /> {t('pay.checking')}
        </p>
      )}
      {Boolean(verifyError) && (
        <p className="form-error" role="alert">
          {t(problemKey(verifyError))}
        </p>
      )}
      {settled ? (
        <>
          <p className="success-text" role="status" data-testid="paid-note">
            {payment.paidAt
              ? t('pay.paidWith', {
                  amount: formatMoney(payment.paid ?? total),
                  method: method(payment.method ?? 'cash'),
                  date: formatDateTime(payment.paidAt),
                })
              : t('pay.nothingDue')}
          </p>
          {payment.refunded && (
            <p data-testid="refunded-note">{t('pay.refunded', { amount: formatMoney(payment.refunded) })}</p>
          )}
          {payment.paidAt && (
            <div className="actions">
              <Link
                href={`/bookings/${booking.id}/receipt`}
                className="button button-secondary"
                data-testid="receipt-link"
              >
                {t('pay.receipt')}
              </Link>
              {!isCustomer && payment.paymentId && (
                <Link href={`/admin/payments?booking=${booking.id}`} className="button button-ghost">
                  {t('pay.admin.refund')}
                </Link>
              )}
            </div>
          )}
        </>
      ) : !isCustomer ? null : payment.status === 'pending' && !changing ? (
        <Pending booking={booking} payment={payment} onChange={() => setChanging(true)} />
      ) : (
        <>
          {payment.status === 'failed' && (
            <p className="form-error" role="alert">
              {t('pay.failed')}
            </p>
          )}
          <PayForm booking={booking} payment={payment} onStarted={() => setChanging(false)} />
        </>
      )}
    </>
  );
}

/** A payment started and not finished: online at the gateway, or cash waiting for the technician. */
function Pending({
  booking,
  payment,
  onChange,
}: {
  booking: Booking;
  payment: PaymentView;
  onChange: () => void;
}) {
  const { t, formatMoney } = useI18n();
  const method = useMethodLabel();
  const utils = trpc.useUtils();
  const verify = trpc.payment.verify.useMutation({
    onSuccess: (view) => utils.payment.get.setData({ bookingId: booking.id }, view),
  });
  const amount = formatMoney({
    amount: payment.due!.amount + (payment.tip?.amount ?? 0),
    currency: payment.due!.currency,
  });
  if (payment.method === 'cash') {
    return (
      <div className="pay-pending" data-testid="pay-pending">
        <p role="status">
          {t('pay.cashPending', { amount, name: booking.technician?.name ?? t('pay.theTechnician') })}
        </p>
        <button type="button" className="button button-ghost" onClick={onChange}>
          {t('pay.change')}
        </button>
      </div>
    );
  }
  return (
    <div className="pay-pending" data-testid="pay-pending">
      <p className="inline-status" role="status">
        <Spinner small /> {t('pay.onlinePending', { method: method(payment.method ?? 'paystack') })}
      </p>
      <div className="actions">
        {payment.redirectUrl && (
          <button
            type="button"
            className="button button-primary"
            data-testid="continue-payment"
            onClick={() => window.location.assign(payment.redirectUrl!)}
          >
            {t('pay.continue')}
          </button>
        )}
        <button
          type="button"
          className="button button-secondary"
          disabled={verify.isPending}
          onClick={() => verify.mutate({ bookingId: booking.id })}
        >
          {verify.isPending && <Spinner small />}
          {t('pay.checkAgain')}
        </button>
        <button type="button" className="button button-ghost" onClick={onChange}>
          {t('pay.change')}
        </button>
      </div>
      {verify.error && (
        <p className="form-error" role="alert">
          {t(problemKey(verify.error))}
        </p>
      )}
    </div>
  );
}

type TipChoice = 'none' | number | 'custom';

/** Tip (online methods: it goes with the payment, all of it to the technician), method, and "Pay". */
function PayForm({
  booking,
  payment,
  onStarted,
}: {
  booking: Booking;
  payment: PaymentView;
  onStarted: () => void;
}) {
  const { t, formatMoney, locale } = useI18n();
  const id = useId();
  const label = useMethodLabel();
  const utils = trpc.useUtils();
  const due = payment.due!;
  const methods = trpc.payment.methods.useQuery({ bookingId: booking.id }, { staleTime: 5 * 60_000 });
  const offered = methods.data?.methods.map((m) => m.method) ?? [];
  // A cancellation fee is best paid online (the technician has left); cash stays possible where it is all
  // there is, and the technician records it from their screen.
  const firstOnline = booking.status === 'cancelled' ? offered.find((m) => m !== 'cash') : undefined;
  const preferred: PaymentMethod =
    [payment.method, firstOnline, booking.paymentMethod].find(
      (m): m is PaymentMethod => !!m && offered.includes(m),
    ) ??
    offered[0] ??
    'cash';
  const [picked, setPicked] = useState<PaymentMethod | null>(null);
  const method = picked && offered.includes(picked) ? picked : preferred;
  const online = method !== 'cash';

  const presets = tipPresets(due);
  const [tipChoice, setTipChoice] = useState<TipChoice>('none');
  const [customTip, setCustomTip] = useState('');
  const customMinor = parseAmount(customTip);
  const tipInvalid = tipChoice === 'custom' && customTip.trim() !== '' && customMinor === null;
  const tip =
    !online || tipChoice === 'none'
      ? 0
      : tipChoice === 'custom'
        ? (customMinor ?? 0)
        : (presets[tipChoice]?.amount ?? 0);
  const total: Money = { amount: due.amount + tip, currency: due.currency };

  // One idempotency key per (method, tip): a retry after a lost answer reuses it; a changed choice is a
  // new payment (the server refuses a reused key with a different method or tip).
  const attempt = useRef<{ sig: string; key: string } | null>(null);
  const [leaving, setLeaving] = useState(false);
  const checkout = trpc.payment.checkout.useMutation({
    onSuccess: (result) => {
      attempt.current = null;
      if (result.redirectUrl) {
        // The hosted page, in this tab: it sends the customer back to this booking when done.
        setLeaving(true);
        window.location.assign(result.redirectUrl);
        return;
      }
      onStarted();
      void utils.payment.get.invalidate({ bookingId: booking.id });
    },
  });
  const pay = () => {
    if (tipInvalid) return;
    const sig = `${method}:${tip}`;
    if (attempt.current?.sig !== sig) attempt.current = { sig, key: newId() };
    checkout.mutate({
      bookingId: booking.id,
      method,
      tip: online ? tip : undefined,
      idempotencyKey: attempt.current.key,
    });
  };
  const busy = checkout.isPending || leaving;

  return (
    <div className="pay-form" data-testid="pay-form">
      {online && (
        <fieldset className="pay-fieldset" data-testid="tip-chooser">
          <legend>{t('pay.tip.title')}</legend>
          <p className="muted small">{t('pay.tip.hint')}</p>
          <div className="chips">
            <TipChip checked={tipChoice === 'none'} onSelect={() => setTipChoice('none')} testId="tip-none">
              {t('pay.tip.none')}
            </TipChip>
            {presets.map((preset, index) => (
              <TipChip
                key={preset.amount}
                checked={tipChoice === index}
                onSelect={() => setTipChoice(index)}
                testId={`tip-preset-${index}`}
              >
                {formatMoney(preset)}
              </TipChip>
            ))}
            <TipChip
              checked={tipChoice === 'custom'}
              onSelect={() => setTipChoice('custom')}
              testId="tip-custom"
            >
              {t('pay.tip.other')}
            </TipChip>
          </div>
          {tipChoice === 'custom' && (
            <div className="field">
              <label htmlFor={`${id}-tip`}>
                {t('pay.tip.amount', { currency: currencySymbol(due.currency, INTL_LOCALES[locale]) })}
              </label>
              <div className="field-control">
                <input
                  id={`${id}-tip`}
                  name="tip"
                  inputMode="decimal"
                  autoComplete="off"
                  data-testid="tip-amount"
                  value={customTip}
                  aria-invalid={tipInvalid || undefined}
                  onChange={(event) => setCustomTip(event.target.value)}
                />
              </div>
              {tipInvalid && <p className="field-error">{t('pay.tip.invalid')}</p>}
            </div>
          )}
        </fieldset>
      )}

      <fieldset className="pay-fieldset">
        <legend>{t('pay.method.title')}</legend>
        {methods.isPending ? (
          <div className="skeleton-group" role="status">
            <span className="skeleton" />
            <span className="visually-hidden">{t('app.loading')}</span>
          </div>
        ) : (
          <div className="choices">
            {offered.map((m) => (
              <div className="choice" key={m}>
                <input
                  type="radio"
                  id={`${id}-${m}`}
                  name={`${id}-method`}
                  value={m}
                  checked={method === m}
                  data-testid={`method-${m}`}
                  onChange={() => setPicked(m)}
                />
                <label htmlFor={`${id}-${m}`}>
                  <span className="choice-label">{label(m)}</span>
                  <span className="choice-hint">{t(`pay.methodHint.${m}`)}</span>
                </label>
              </div>
            ))}
          </div>
        )}
      </fieldset>
      {!online && <p className="muted small">{t('pay.cashTipHint')}</p>}

      {checkout.error && (
        <p className="form-error" role="alert">
          {t(problemKey(checkout.error, { CONFLICT: 'pay.error.conflict' }))}
        </p>
      )}
      <button
        type="button"
        className="button button-primary button-block button-large"
        data-testid="pay"
        disabled={busy || methods.isPending || tipInvalid}
        onClick={pay}
      >
        {busy && <Spinner small />}
        {leaving
          ? t('pay.opening')
          : checkout.isPending
            ? t('pay.starting')
            : online
              ? t('pay.payNow', { amount: formatMoney(total) })
              : t('pay.payCash', { amount: formatMoney(total) })}
      </button>
    </div>
  );
}

function TipChip({
  checked,
  onSelect,
  testId,
  children,
}: {
  checked: boolean;
  onSelect: () => void;
  testId: string;
  children: ReactNode;
}) {
  return (
    <button
      type="button"
      aria-pressed={checked}
      className="chip chip-button"
      data-testid={testId}
      onClick={onSelect}
    >
      {children}
    </button>
  );
}

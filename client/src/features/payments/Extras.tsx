import './payments.css';
import { type FormEvent, useId, useState } from 'react';
import type { Extra } from '../../../../server/contracts/payment';
import { Spinner } from '../../components/Spinner';
import { TextField } from '../../components/TextField';
import { useI18n } from '../../i18n/I18nProvider';
import { INTL_LOCALES } from '../../i18n/locale';
import { problemKey } from '../../lib/apiErrors';
import { trpc } from '../../lib/trpc';
import { currencySymbol, parseAmount } from './money';

const EXTRA_TONE: Record<Extra['status'], string> = {
  pending: 'active',
  approved: 'done',
  rejected: 'problem',
};

/**
 * Parts and materials the technician added during the job. The customer answers the ones waiting; the
 * technician sees each answer as it comes.
 */
export function ExtrasList({
  bookingId,
  extras,
  canAnswer,
  titled = true,
}: {
  bookingId: string;
  extras: Extra[];
  canAnswer: boolean;
  /** False where the surrounding card's heading already says "Extras". */
  titled?: boolean;
}) {
  const { t, formatMoney } = useI18n();
  const utils = trpc.useUtils();
  const respond = trpc.booking.respondExtra.useMutation({
    onSettled: () => void utils.payment.get.invalidate({ bookingId }),
  });
  if (extras.length === 0) return null;
  const waiting = extras.filter((e) => e.status === 'pending').length;
  return (
    <div className="extras" data-testid="extras">
      {titled && <h3 className="extras-title">{t('extras.title')}</h3>}
      {canAnswer && waiting > 0 && <p className="muted small">{t('extras.askCustomer')}</p>}
      <ul className="extras-list">
        {extras.map((extra) => {
          const busy = respond.isPending && respond.variables?.extraId === extra.id;
          return (
            <li key={extra.id} className="extra" data-testid="extra" data-status={extra.status}>
              <div className="extra-main">
                <bdi dir="auto" className="extra-label">
                  {extra.label}
                </bdi>
                <span className="fact-strong">{formatMoney(extra.amount)}</span>
              </div>
              {canAnswer && extra.status === 'pending' ? (
                <div className="actions">
                  <button
                    type="button"
                    className="button button-primary"
                    data-testid="approve-extra"
                    disabled={respond.isPending}
                    onClick={() => respond.mutate({ id: bookingId, extraId: extra.id, approve: true })}
                  >
                    {busy && respond.variables?.approve && <Spinner small />}
                    {t('extras.approve')}
                  </button>
                  <button
                    type="button"
                    className="button button-danger-outline"
                    data-testid="reject-extra"
                    disabled={respond.isPending}
                    onClick={() => respond.mutate({ id: bookingId, extraId: extra.id, approve: false })}
                  >
                    {t('extras.reject')}
                  </button>
                </div>
              ) : (
                <span className={`status-chip status-${EXTRA_TONE[extra.status]}`}>
                  {t(`extras.status.${extra.status}`)}
                </span>
              )}
            </li>
          );
        })}
      </ul>
      {respond.error && (
        <p className="form-error" role="alert">
          {t(problemKey(respond.error, { CONFLICT: 'extras.error.conflict' }))}
        </p>
      )}
    </div>
  );
}

/** The technician adds a part or material (label + amount in the booking's currency). */
export function AddExtra({ bookingId, currency }: { bookingId: string; currency: string }) {
  const { t, locale } = useI18n();
  const id = useId();
  const utils = trpc.useUtils();
  const [open, setOpen] = useState(false);
  const [problem, setProblem] = useState<{ label?: string; amount?: string }>({});
  const add = trpc.booking.addExtra.useMutation({
    onSuccess: () => {
      setOpen(false);
      void utils.payment.get.invalidate({ bookingId });
    },
  });

  if (!open) {
    return (
      <button
        type="button"
        className="button button-secondary"
        data-testid="add-extra"
        onClick={() => {
          add.reset();
          setProblem({});
          setOpen(true);
        }}
      >
        {t('extras.add')}
      </button>
    );
  }

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const label = String(data.get('label') ?? '').trim();
    const amount = parseAmount(String(data.get('amount') ?? ''));
    const found = {
      label: label ? undefined : t('extras.error.label'),
      amount: amount && amount > 0 ? undefined : t('extras.error.amount'),
    };
    setProblem(found);
    if (found.label || found.amount || !amount) return;
    add.mutate({ id: bookingId, label, amount });
  };

  return (
    <form
      className="form extra-form"
      noValidate
      onSubmit={submit}
      data-testid="extra-form"
      aria-labelledby={`${id}-title`}
    >
      <h3 id={`${id}-title`}>{t('extras.add')}</h3>
      <p className="muted small">{t('extras.addHint')}</p>
      <TextField
        name="label"
        label={t('extras.label')}
        maxLength={120}
        autoComplete="off"
        error={problem.label}
      />
      <TextField
        name="amount"
        label={t('extras.amount', { currency: currencySymbol(currency, INTL_LOCALES[locale]) })}
        inputMode="decimal"
        autoComplete="off"
        error={problem.amount}
      />
      {add.error && (
        <p className="form-error" role="alert">
          {t(problemKey(add.error, { CONFLICT: 'extras.error.closed' }))}
        </p>
      )}
      <div className="actions">
        <button
          type="submit"
          className="button button-primary"
          disabled={add.isPending}
          data-testid="save-extra"
        >
          {add.isPending && <Spinner small />}
          {add.isPending ? t('extras.adding') : t('extras.send')}
        </button>
        <button
          type="button"
          className="button button-ghost"
          onClick={() => setOpen(false)}
          disabled={add.isPending}
        >
          {t('dialog.back')}
        </button>
      </div>
    </form>
  );
}

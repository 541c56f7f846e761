import { type FormEvent, useId, useState } from 'react';
import {
  type AdminDisputeCase,
  type DisputeOutcome,
  disputeOutcomes,
  type MessageParty,
} from '../../../../server/contracts/cases';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { Loading } from '../../components/Loading';
import { Screen } from '../../components/Screen';
import { Spinner } from '../../components/Spinner';
import { useI18n } from '../../i18n/I18nProvider';
import { problemKey } from '../../lib/apiErrors';
import { Link } from '../../lib/router';
import { trpc } from '../../lib/trpc';
import { amountInput, parseAmount } from '../payments/money';
import { Evidence } from './AdminBookingScreen';
import { MessageFields, Thread } from './CasePanel';
import './cases.css';

/** /admin/disputes/:id — a case: what happened, the evidence, both threads, the outcome. */
export function AdminCaseScreen({ id }: { id: string }) {
  const { t } = useI18n();
  const kase = trpc.admin.disputes.get.useQuery({ id }, { staleTime: 5_000 });
  const c = kase.data;
  return (
    <Screen heading={t('cases.case.title')} testId="admin-case" status={c?.status}>
      <nav className="breadcrumbs" aria-label={t('cases.nav')}>
        <Link href="/admin/disputes">{t('cases.queue.title')}</Link>
      </nav>
      {kase.isPending ? (
        <Loading />
      ) : kase.error ? (
        <p className="form-error" role="alert">
          {t(problemKey(kase.error))}
        </p>
      ) : c ? (
        <>
          <CaseHead c={c} />
          <Outcome c={c} />
          <Messages c={c} />
          <Evidence d={c.booking} />
        </>
      ) : null}
    </Screen>
  );
}

function CaseHead({ c }: { c: AdminDisputeCase }) {
  const { t, localized, formatDateTime } = useI18n();
  return (
    <section className="card card-feature" aria-labelledby="case-head">
      <div className="card-heading">
        <h2 id="case-head">{t(`cases.reason.${c.reason as 'other'}`)}</h2>
        <span className={`chip cases-status-${c.status}`} data-testid="case-status">
          {t(`cases.status.${c.status}`)}
        </span>
      </div>
      <p className="small">
        {t(`cases.kind.${c.kind}`)} · <bdi>{c.openedBy.name}</bdi> · {formatDateTime(c.createdAt)}
      </p>
      {c.details && (
        <blockquote className="cases-details">
          <bdi>{c.details}</bdi>
        </blockquote>
      )}
      <p className="small">
        <Link href={`/admin/bookings/${c.bookingId}`}>
          {t('cases.case.booking', { service: localized(c.booking.booking.service.name) })}
        </Link>
      </p>
    </section>
  );
}

function Messages({ c }: { c: AdminDisputeCase }) {
  const { t } = useI18n();
  const id = useId();
  const utils = trpc.useUtils();
  const [to, setTo] = useState<MessageParty>('customer');
  const [body, setBody] = useState('');
  const send = trpc.admin.disputes.message.useMutation({
    onSuccess: () => {
      setBody('');
      void utils.admin.disputes.get.invalidate({ id: c.id });
    },
  });
  const parties: MessageParty[] = c.booking.technician ? ['customer', 'technician'] : ['customer'];
  return (
    <section className="card" aria-labelledby={`${id}-messages`}>
      <h2 id={`${id}-messages`}>{t('cases.messages')}</h2>
      <div className="cases-threads">
        {parties.map((p) => (
          <div key={p}>
            <h3>{t(`cases.thread.${p}`)}</h3>
            <Thread messages={c.messages.filter((m) => m.party === p)} testId={`thread-${p}`} />
          </div>
        ))}
      </div>
      {c.canMessage && (
        <form
          className="form"
          onSubmit={(e: FormEvent) => {
            e.preventDefault();
            if (body.trim()) send.mutate({ id: c.id, to, body });
          }}
        >
          <fieldset className="filter-chips">
            <legend>{t('cases.messageTo')}</legend>
            {parties.map((p) => (
              <button
                key={p}
                type="button"
                className="chip chip-button"
                aria-pressed={to === p}
                data-testid={`message-to-${p}`}
                onClick={() => setTo(p)}
              >
                {t(`cases.${p}`)}
              </button>
            ))}
          </fieldset>
          <MessageFields
            label={t('cases.message')}
            rows={3}
            body={body}
            onBody={setBody}
            send={send}
            buttonClass="button-primary"
            testId="admin-message"
          />
        </form>
      )}
    </section>
  );
}

function Outcome({ c }: { c: AdminDisputeCase }) {
  const { t, formatMoney } = useI18n();
  const id = useId();
  const utils = trpc.useUtils();
  const [outcome, setOutcome] = useState<DisputeOutcome>('no_action');
  const [amount, setAmount] = useState(c.refundable ? amountInput(Math.floor(c.refundable.amount / 2)) : '');
  const [note, setNote] = useState('');
  const [closing, setClosing] = useState(false);
  const refresh = () => {
    void utils.admin.disputes.get.invalidate({ id: c.id });
    void utils.admin.disputes.list.invalidate();
  };
  const resolve = trpc.admin.disputes.resolve.useMutation({ onSuccess: refresh });
  const close = trpc.admin.disputes.close.useMutation({
    onSuccess: () => {
      setClosing(false);
      refresh();
    },
  });
  const minor = parseAmount(amount);
  const badAmount = outcome === 'partial_refund' && (minor === null || minor <= 0);

  if (c.status !== 'open') {
    return (
      <section className="card" aria-labelledby={`${id}-outcome`} data-testid="case-outcome">
        <h2 id={`${id}-outcome`}>{t('cases.outcome')}</h2>
        <p>
          <strong>{c.outcome ? t(`cases.outcome.${c.outcome}`) : ''}</strong>
          {c.refund ? ` · ${formatMoney(c.refund)}` : ''}
        </p>
        {c.outcomeNote && (
          <p>
            <bdi>{c.outcomeNote}</bdi>
          </p>
        )}
        {c.status === 'resolved' && (
          <button
            type="button"
            className="button button-secondary"
            data-testid="close-case"
            onClick={() => {
              close.reset();
              setClosing(true);
            }}
          >
            {t('cases.close')}
          </button>
        )}
        <ConfirmDialog
          open={closing}
          title={t('cases.close')}
          body={t('cases.closeBody')}
          confirmLabel={t('cases.close')}
          pendingLabel={t('cases.working')}
          pending={close.isPending}
          error={close.error && t(problemKey(close.error))}
          onConfirm={() => close.mutate({ id: c.id })}
          onClose={() => setClosing(false)}
          testId="close-dialog"
        />
      </section>
    );
  }

  const refundable = c.refundable;
  return (
    <section className="card" aria-labelledby={`${id}-outcome`}>
      <h2 id={`${id}-outcome`}>{t('cases.outcome')}</h2>
      <form
        className="form"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          if (badAmount || note.trim().length < 3) return;
          resolve.mutate({
            id: c.id,
            outcome,
            note,
            refundAmount: outcome === 'partial_refund' ? (minor ?? undefined) : undefined,
          });
        }}
      >
        <fieldset className="field">
          <legend>{t('cases.outcome.choose')}</legend>
          {disputeOutcomes.map((o) => {
            const needsMoney = o === 'partial_refund' || o === 'full_refund';
            return (
              <label key={o} className="cases-radio">
                <input
                  type="radio"
                  name="outcome"
                  value={o}
                  checked={outcome === o}
                  disabled={needsMoney && !refundable}
                  data-testid={`outcome-${o}`}
                  onChange={() => setOutcome(o)}
                />
                {t(`cases.outcome.${o}`)}
                {o === 'full_refund' && refundable ? ` (${formatMoney(refundable)})` : ''}
              </label>
            );
          })}
        </fieldset>
        {!refundable && <p className="muted small">{t('cases.nothingPaid')}</p>}
        {outcome === 'partial_refund' && refundable && (
          <label className="field">
            <span>{t('cases.refundAmount', { max: formatMoney(refundable) })}</span>
            <input
              inputMode="decimal"
              value={amount}
              data-testid="refund-amount"
              aria-invalid={badAmount || undefined}
              onChange={(e) => setAmount(e.target.value)}
            />
          </label>
        )}
        <label className="field">
          <span>{t('cases.note')}</span>
          <span className="field-hint">{t('cases.noteHint')}</span>
          <textarea
            rows={2}
            maxLength={300}
            value={note}
            data-testid="outcome-note"
            onChange={(e) => setNote(e.target.value.replace(/\n/g, ' '))}
          />
        </label>
        <button
          type="submit"
          className="button button-primary"
          data-testid="resolve-case"
          disabled={resolve.isPending || badAmount || note.trim().length < 3}
        >
          {resolve.isPending ? <Spinner /> : null}
          {t('cases.resolve')}
        </button>
        {resolve.error && (
          <p className="form-error" role="alert">
            {t(problemKey(resolve.error))}
          </p>
        )}
      </form>
    </section>
  );
}

import { type FormEvent, useEffect, useId, useState } from 'react';
import { REPORTABLE_STATUSES } from '#shared/cases';
import type { PublicUser } from '../../../../server/contracts/auth';
import type { Booking } from '../../../../server/contracts/booking';
import { customerReportReasons, type DisputeMessage } from '../../../../server/contracts/cases';
import { Spinner } from '../../components/Spinner';
import { useI18n } from '../../i18n/I18nProvider';
import { problemKey } from '../../lib/apiErrors';
import { trpc } from '../../lib/trpc';
import './cases.css';

/** Messages of one thread, oldest first. */
/**
 * A message to a case's thread (the customer's or technician's reply, the admin's message to a party):
 * the text, the send button (its spinner while sending) and why a send failed.
 */
export function MessageFields({
  label,
  rows,
  body,
  onBody,
  send,
  buttonClass,
  testId,
}: {
  label: string;
  rows: number;
  body: string;
  onBody: (body: string) => void;
  send: { isPending: boolean; error: unknown };
  buttonClass: 'button-primary' | 'button-secondary';
  testId: string;
}) {
  const { t } = useI18n();
  return (
    <>
      <label className="field">
        <span>{label}</span>
        <textarea
          rows={rows}
          maxLength={2000}
          value={body}
          data-testid={testId}
          onChange={(e) => onBody(e.target.value)}
        />
      </label>
      <button type="submit" className={`button ${buttonClass}`} disabled={send.isPending || !body.trim()}>
        {send.isPending ? <Spinner /> : null}
        {t('cases.send')}
      </button>
      {send.error != null && (
        <p className="form-error" role="alert">
          {t(problemKey(send.error))}
        </p>
      )}
    </>
  );
}

export function Thread({ messages, testId }: { messages: DisputeMessage[]; testId?: string }) {
  const { t, formatDateTime } = useI18n();
  if (messages.length === 0) return <p className="muted small">{t('cases.noMessages')}</p>;
  return (
    <ul className="cases-messages" data-testid={testId}>
      {messages.map((m) => (
        <li key={m.id} className={`cases-message cases-message-${m.author.role}`}>
          <span className="small muted">
            {m.author.role === 'admin' ? (
              t('cases.fundiTeam')
            ) : (
              <bdi>{m.author.name || t(`cases.${m.author.role}`)}</bdi>
            )}{' '}
            · {formatDateTime(m.at)}
          </span>
          <p>
            <bdi>{m.body}</bdi>
          </p>
        </li>
      ))}
    </ul>
  );
}

/**
 * The booking's case for its customer or technician (issue 14 §2): status, their thread with the Fundi
 * team, the outcome; a technician can report the customer from here. Live through `me.events`.
 */
export function CasePanel({ booking, user }: { booking: Booking; user: PublicUser }) {
  const { t, formatMoney } = useI18n();
  const id = useId();
  const utils = trpc.useUtils();
  const party =
    booking.customer.id === user.id ? 'customer' : booking.technician?.id === user.id ? 'technician' : null;
  const kase = trpc.dispute.forBooking.useQuery({ bookingId: booking.id }, { enabled: party !== null });
  // The booking's status moved (a dispute was just opened from the status panel): read the case again.
  // biome-ignore lint/correctness/useExhaustiveDependencies: the status is the trigger.
  useEffect(() => {
    if (party) void utils.dispute.forBooking.invalidate({ bookingId: booking.id });
  }, [booking.status]);
  const [body, setBody] = useState('');
  const [reporting, setReporting] = useState(false);
  const refresh = () => void utils.dispute.forBooking.invalidate({ bookingId: booking.id });
  const send = trpc.dispute.message.useMutation({
    onSuccess: () => {
      setBody('');
      refresh();
    },
  });
  if (!party || kase.isPending) return null;
  const c = kase.data;
  if (!c) {
    if (party !== 'technician' || !REPORTABLE_STATUSES.includes(booking.status)) return null;
    return reporting ? (
      <ReportForm bookingId={booking.id} onDone={() => setReporting(false)} />
    ) : (
      <div className="actions">
        <button
          type="button"
          className="button button-ghost"
          data-testid="report-customer"
          onClick={() => setReporting(true)}
        >
          {t('cases.report')}
        </button>
      </div>
    );
  }
  return (
    <section className="card" aria-labelledby={`${id}-case`} data-testid="case-panel" data-status={c.status}>
      <div className="card-heading">
        <h2 id={`${id}-case`}>
          {c.kind === 'customer_report' ? t('cases.yourReportCase') : t('cases.yourCase')}
        </h2>
        <span className={`chip cases-status-${c.status}`}>{t(`cases.status.${c.status}`)}</span>
      </div>
      <p className="small">{t(`cases.reason.${c.reason as 'other'}`)}</p>
      {c.status === 'open' && <p className="muted small">{t('cases.openHint')}</p>}
      {c.outcome && (
        <div className="cases-outcome" data-testid="case-outcome" role="status">
          <strong>{t(`cases.outcome.${c.outcome}`)}</strong>
          {c.refund && <span> · {formatMoney(c.refund)}</span>}
          {c.outcomeNote && (
            <p>
              <bdi>{c.outcomeNote}</bdi>
            </p>
          )}
        </div>
      )}
      <h3 className="small">{t('cases.withTeam')}</h3>
      <Thread messages={c.messages} testId="case-thread" />
      {c.canMessage && (
        <form
          className="form"
          onSubmit={(e: FormEvent) => {
            e.preventDefault();
            if (body.trim()) send.mutate({ id: c.id, body });
          }}
        >
          <MessageFields
            label={t('cases.reply')}
            rows={2}
            body={body}
            onBody={setBody}
            send={send}
            buttonClass="button-secondary"
            testId="case-reply"
          />
        </form>
      )}
    </section>
  );
}

function ReportForm({ bookingId, onDone }: { bookingId: string; onDone: () => void }) {
  const { t } = useI18n();
  const id = useId();
  const utils = trpc.useUtils();
  const [reason, setReason] = useState<(typeof customerReportReasons)[number]>('abusive');
  const [details, setDetails] = useState('');
  const report = trpc.dispute.reportCustomer.useMutation({
    onSuccess: () => {
      void utils.dispute.forBooking.invalidate({ bookingId });
      onDone();
    },
  });
  const short = details.trim().length < 10;
  return (
    <section className="card" aria-labelledby={`${id}-report`}>
      <h2 id={`${id}-report`}>{t('cases.report')}</h2>
      <form
        className="form"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          if (!short) report.mutate({ bookingId, reason, details });
        }}
      >
        <label className="field">
          <span>{t('cases.reasonLabel')}</span>
          <select value={reason} onChange={(e) => setReason(e.target.value as typeof reason)}>
            {customerReportReasons.map((r) => (
              <option key={r} value={r}>
                {t(`cases.reason.${r}`)}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>{t('cases.detailsLabel')}</span>
          <span className="field-hint">{t('cases.detailsHint')}</span>
          <textarea rows={3} maxLength={2000} value={details} onChange={(e) => setDetails(e.target.value)} />
        </label>
        <div className="actions">
          <button type="submit" className="button button-primary" disabled={report.isPending || short}>
            {report.isPending ? <Spinner /> : null}
            {t('cases.reportSend')}
          </button>
          <button type="button" className="button button-ghost" onClick={onDone}>
            {t('cases.dismiss')}
          </button>
        </div>
        {report.error && (
          <p className="form-error" role="alert">
            {t(problemKey(report.error, { CONFLICT: 'cases.alreadyOpen' }))}
          </p>
        )}
      </form>
    </section>
  );
}

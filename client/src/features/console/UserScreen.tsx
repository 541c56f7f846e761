import { type FormEvent, type ReactNode, useId, useState } from 'react';
import type { RiskFlag, UserDetail } from '../../../../server/contracts/console';
import { Loading } from '../../components/Loading';
import { useModal } from '../../components/Modal';
import { Screen } from '../../components/Screen';
import { useI18n } from '../../i18n/I18nProvider';
import { problemKey } from '../../lib/apiErrors';
import { Link } from '../../lib/router';
import { trpc } from '../../lib/trpc';
import { auditReason } from './auditFields';
import { ConsoleNav } from './ConsoleNav';

const PAY_STATES = new Set(['pending', 'paid', 'failed', 'refunded', 'partially_refunded']);
type PayState = 'pending' | 'paid' | 'failed' | 'refunded' | 'partially_refunded';

/** One account: its restriction, risk flags with reasons, bookings, reviews, payments, reports, actions. */
export function UserScreen({ id }: { id: string }) {
  const { t } = useI18n();
  const user = trpc.admin.users.get.useQuery({ id }, { staleTime: 0 });
  const d = user.data;
  return (
    <Screen heading={d?.name ?? t('console.user.title')} testId="admin-user" status={d?.status}>
      <ConsoleNav users />
      {user.isPending ? (
        <Loading />
      ) : user.error || !d ? (
        <p className="form-error" role="alert">
          {t(problemKey(user.error))}
        </p>
      ) : (
        <UserFile d={d} />
      )}
    </Screen>
  );
}

function UserFile({ d }: { d: UserDetail }) {
  const { t, formatDate, formatDateTime, formatMoney, localized } = useI18n();
  const status = t(`console.status.${d.status}`);
  return (
    <>
      <section className="card" aria-label={t('console.user.title')}>
        <p>
          <span dir="ltr">{d.email}</span>
          {d.phone && (
            <>
              {' · '}
              <span dir="ltr">{d.phone}</span>
            </>
          )}
        </p>
        <p className="small">
          {t(`console.role.${d.role}`)} ·{' '}
          <span className="status-badge" data-status={d.status} data-testid="user-status">
            {status}
          </span>{' '}
          · {t('console.user.joined', { date: formatDate(d.createdAt) })}
        </p>
        {d.technician && (
          <p className="small">{t('console.user.verification', { status: d.technician.verification })}</p>
        )}
        {d.restriction && (
          <p className="form-error" data-testid="user-restriction">
            {d.restriction.until
              ? t('console.user.restrictedUntil', {
                  status,
                  date: formatDateTime(d.restriction.until),
                  reason: d.restriction.reason,
                })
              : t('console.user.restrictedOpen', { status, reason: d.restriction.reason })}
          </p>
        )}
      </section>

      <section className="card" aria-labelledby="flags-title" data-testid="user-flags">
        <h2 id="flags-title">{t('console.user.flags')}</h2>
        <p className="muted small">{t('console.user.flagsHint')}</p>
        {d.flags.length === 0 ? (
          <p className="muted">{t('console.user.flagsNone')}</p>
        ) : (
          <ul className="flag-list">
            {d.flags.map((f) => (
              <li key={f.signal} className="flag" data-signal={f.signal}>
                <FlagText flag={f} />
                {f.at && <span className="muted small"> · {formatDateTime(f.at)}</span>}
              </li>
            ))}
          </ul>
        )}
      </section>

      {d.role === 'customer' && <CustomerRatingCard customerId={d.id} />}

      {d.status !== 'deleted' && d.role !== 'admin' && <Actions d={d} />}

      <FileList
        id="bookings-title"
        title={t('console.user.bookings')}
        items={d.bookings}
        intro={
          (d.role === 'customer' || d.role === 'technician') && (
            <p>
              <Link href={`/admin/bookings?${d.role}=${d.id}`} data-testid="user-board-link">
                {t('console.user.onBoard')}
              </Link>
            </p>
          )
        }
        row={(b) => ({
          key: b.id,
          main: <Link href={`/admin/bookings/${b.id}`}>{localized(b.service)}</Link>,
          meta: [
            t(b.as === 'customer' ? 'console.user.asCustomer' : 'console.user.asTechnician'),
            t(`status.${b.status}`),
            formatMoney(b.total),
            formatDate(b.createdAt),
          ],
        })}
      />

      <FileList
        id="reviews-title"
        title={t('console.user.reviews')}
        items={d.reviews}
        row={(r) => ({
          key: r.id,
          main: (
            <span>
              {'★'.repeat(r.rating)} {r.comment}
            </span>
          ),
          meta: [
            t(r.as === 'author' ? 'console.user.wrote' : 'console.user.received'),
            r.hidden && t('console.user.hidden'),
            formatDate(r.createdAt),
          ],
        })}
      />

      <FileList
        id="payments-title"
        title={t('console.user.payments')}
        items={d.payments}
        row={(p) => ({
          key: p.id,
          main: <Link href={`/admin/payments?booking=${p.bookingId}`}>{formatMoney(p.amount)}</Link>,
          meta: [
            PAY_STATES.has(p.status) ? t(`pay.state.${p.status as PayState}`) : p.status,
            p.refunded && `−${formatMoney(p.refunded)}`,
            formatDate(p.createdAt),
          ],
        })}
      />

      <FileList
        id="cases-title"
        title={t('console.user.cases')}
        items={d.disputes}
        testId="user-cases"
        intro={
          <p className="small" data-testid="user-outcomes">
            {[
              d.role !== 'customer' || d.outcomes.technicianPenalties > 0
                ? t('console.user.penalties', { count: d.outcomes.technicianPenalties })
                : null,
              d.role !== 'technician' || d.outcomes.customerWarnings > 0
                ? t('console.user.warnings', { count: d.outcomes.customerWarnings })
                : null,
            ]
              .filter(Boolean)
              .join(' · ')}
          </p>
        }
        row={(c) => ({
          key: c.id,
          kind: c.kind,
          main: (
            <Link href={`/admin/disputes/${c.id}`}>
              {t(`cases.kind.${c.kind}`)}: {auditReason(c.reason, t)}
            </Link>
          ),
          meta: [
            t(c.as === 'customer' ? 'console.user.asCustomer' : 'console.user.asTechnician'),
            t(`cases.status.${c.status}`),
            c.outcome && t(`cases.outcome.${c.outcome}`),
            formatDate(c.createdAt),
          ],
        })}
      />

      <FileList
        id="reports-title"
        title={t('console.user.reports')}
        items={d.reports}
        row={(r) => ({
          key: r.id,
          main: <span>{r.reason}</span>,
          meta: [
            t(r.as === 'reporter' ? 'console.user.reporter' : 'console.user.reported'),
            formatDate(r.createdAt),
          ],
        })}
      />

      {d.restrictions.length > 0 && (
        <section className="card" aria-labelledby="history-title">
          <h2 id="history-title">{t('console.user.history')}</h2>
          <ul className="console-list">
            {d.restrictions.map((r) => (
              <li key={r.at} className="console-row">
                <span>{r.reason}</span>
                <span className="small">
                  {t(r.kind === 'ban' ? 'console.status.banned' : 'console.status.suspended')} ·{' '}
                  {formatDateTime(r.at)}
                  {r.until && ` → ${formatDateTime(r.until)}`}
                </span>
              </li>
            ))}
          </ul>
        </section>
      )}
    </>
  );
}

/**
 * A card of the user's file: its title, what comes before the list (`intro`), then a row per item (what it
 * is, `main`, and the small line after it, `meta`; `kind` as data-kind) or "none".
 */
function FileList<T>({
  id,
  title,
  items,
  testId,
  intro,
  row,
}: {
  id: string;
  title: string;
  items: T[];
  testId?: string;
  intro?: ReactNode;
  row: (item: T) => {
    key: string | number;
    kind?: string;
    main: ReactNode;
    /** The small line's parts, joined with " · " (the empty ones left out). */
    meta: Array<string | false | null | undefined>;
  };
}) {
  const { t } = useI18n();
  return (
    <section className="card" aria-labelledby={id} data-testid={testId}>
      <h2 id={id}>{title}</h2>
      {intro}
      {items.length === 0 ? (
        <p className="muted">{t('console.none')}</p>
      ) : (
        <ul className="console-list">
          {items.map((item) => {
            const { key, kind, main, meta } = row(item);
            return (
              <li key={key} className="console-row" data-kind={kind}>
                {main}
                <span className="small">{meta.filter(Boolean).join(' · ')}</span>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}

function FlagText({ flag }: { flag: RiskFlag }) {
  const { t, formatNumber } = useI18n();
  const vars = Object.fromEntries(
    Object.entries(flag.facts).map(([k, v]) => [k, typeof v === 'number' ? formatNumber(v) : v]),
  );
  return <span>{t(`console.flag.${flag.signal}`, vars)}</span>;
}

function Actions({ d }: { d: UserDetail }) {
  const { t } = useI18n();
  const utils = trpc.useUtils();
  const [dialog, setDialog] = useState<'suspend' | 'ban' | 'delete' | null>(null);
  const refresh = () => void utils.admin.users.get.invalidate({ id: d.id });
  const unban = trpc.admin.users.unban.useMutation({ onSuccess: refresh });
  const exporter = trpc.admin.users.export.useMutation({
    onSuccess: (archive) => {
      const blob = new Blob([JSON.stringify(archive, null, 2)], { type: 'application/json' });
      const url = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = url;
      a.download = `fundi-user-${d.id}.json`;
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    },
  });
  const restricted = d.status === 'suspended' || d.status === 'banned';
  const error = unban.error ?? exporter.error;
  return (
    <section className="card" aria-labelledby="actions-title">
      <h2 id="actions-title">{t('console.user.actions')}</h2>
      <div className="console-actions">
        {restricted ? (
          <button
            type="button"
            className="button button-primary"
            disabled={unban.isPending}
            data-testid="user-unban"
            onClick={() => unban.mutate({ id: d.id })}
          >
            {t('console.user.unban')}
          </button>
        ) : (
          <>
            <button
              type="button"
              className="button button-secondary"
              data-testid="user-suspend"
              onClick={() => setDialog('suspend')}
            >
              {t('console.user.suspend')}
            </button>
            <button
              type="button"
              className="button button-danger-outline"
              data-testid="user-ban"
              onClick={() => setDialog('ban')}
            >
              {t('console.user.ban')}
            </button>
          </>
        )}
        <button
          type="button"
          className="button button-secondary"
          disabled={exporter.isPending}
          data-testid="user-export"
          onClick={() => exporter.mutate({ id: d.id })}
        >
          {exporter.isPending ? t('console.user.exporting') : t('console.user.export')}
        </button>
        <button
          type="button"
          className="button button-danger-outline"
          data-testid="user-delete"
          onClick={() => setDialog('delete')}
        >
          {t('console.user.delete')}
        </button>
      </div>
      {error && (
        <p className="form-error" role="alert">
          {t(problemKey(error))}
        </p>
      )}
      <RestrictDialog
        kind={dialog === 'ban' ? 'ban' : 'suspend'}
        open={dialog === 'suspend' || dialog === 'ban'}
        d={d}
        onClose={() => setDialog(null)}
        onDone={() => {
          setDialog(null);
          refresh();
        }}
      />
      <DeleteDialog
        open={dialog === 'delete'}
        d={d}
        onClose={() => setDialog(null)}
        onDone={() => {
          setDialog(null);
          refresh();
        }}
      />
    </section>
  );
}

function RestrictDialog({
  kind,
  open,
  d,
  onClose,
  onDone,
}: {
  kind: 'suspend' | 'ban';
  open: boolean;
  d: UserDetail;
  onClose: () => void;
  onDone: () => void;
}) {
  const { t } = useI18n();
  const id = useId();
  const ref = useModal(open);
  const [missing, setMissing] = useState(false);
  const suspend = trpc.admin.users.suspend.useMutation({ onSuccess: onDone });
  const ban = trpc.admin.users.ban.useMutation({ onSuccess: onDone });
  const m = kind === 'ban' ? ban : suspend;
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const f = new FormData(event.currentTarget);
    const reason = String(f.get('reason') ?? '').trim();
    const untilDate = String(f.get('until') ?? '');
    if (!reason) {
      setMissing(true);
      return;
    }
    // The end of the chosen day in the admin's own time zone.
    const until = untilDate ? new Date(`${untilDate}T23:59:59`).toISOString() : undefined;
    m.mutate({ id: d.id, reason, until });
  };
  return (
    <dialog
      ref={ref}
      className="dialog"
      aria-labelledby={`${id}-title`}
      data-testid="restrict-dialog"
      onClose={onClose}
    >
      {open && (
        <form className="form" noValidate onSubmit={submit}>
          <h2 id={`${id}-title`}>{t(`console.user.restrictTitle.${kind}`, { name: d.name })}</h2>
          <p className="muted">{t('console.user.restrictBody')}</p>
          <div className="field console-dialog-field">
            <label htmlFor={`${id}-reason`}>{t('console.user.reason')}</label>
            <textarea
              id={`${id}-reason`}
              name="reason"
              rows={3}
              maxLength={500}
              required
              aria-invalid={missing ? true : undefined}
              aria-describedby={missing ? `${id}-missing` : undefined}
              onChange={() => setMissing(false)}
              data-testid="restrict-reason"
            />
            {missing && (
              <p className="field-error" id={`${id}-missing`}>
                {t('console.user.reasonMissing')}
              </p>
            )}
          </div>
          <div className="field console-dialog-field">
            <label htmlFor={`${id}-until`}>{t('console.user.until')}</label>
            <p className="field-hint" id={`${id}-until-hint`}>
              {t('console.user.untilHint')}
            </p>
            <input
              id={`${id}-until`}
              name="until"
              type="date"
              min={new Date().toISOString().slice(0, 10)}
              aria-describedby={`${id}-until-hint`}
              data-testid="restrict-until"
            />
          </div>
          {m.error && (
            <p className="form-error" role="alert">
              {t(problemKey(m.error))}
            </p>
          )}
          <div className="dialog-actions">
            <button type="button" className="button button-ghost" onClick={onClose} disabled={m.isPending}>
              {t('console.cancel')}
            </button>
            <button
              type="submit"
              className="button button-danger"
              disabled={m.isPending}
              data-testid="restrict-confirm"
            >
              {m.isPending
                ? t('console.saving')
                : t(kind === 'ban' ? 'console.user.ban' : 'console.user.suspend')}
            </button>
          </div>
        </form>
      )}
    </dialog>
  );
}

function DeleteDialog({
  open,
  d,
  onClose,
  onDone,
}: {
  open: boolean;
  d: UserDetail;
  onClose: () => void;
  onDone: () => void;
}) {
  const { t } = useI18n();
  const id = useId();
  const ref = useModal(open);
  const [typed, setTyped] = useState('');
  const [missing, setMissing] = useState(false);
  const erase = trpc.admin.users.delete.useMutation({ onSuccess: onDone });
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const reason = String(new FormData(event.currentTarget).get('reason') ?? '').trim();
    if (!reason) {
      setMissing(true);
      return;
    }
    erase.mutate({ id: d.id, reason });
  };
  return (
    <dialog
      ref={ref}
      className="dialog"
      aria-labelledby={`${id}-title`}
      data-testid="delete-dialog"
      onClose={onClose}
    >
      {open && (
        <form className="form" noValidate onSubmit={submit}>
          <h2 id={`${id}-title`}>{t('console.user.deleteTitle', { name: d.name })}</h2>
          <p className="muted">{t('console.user.deleteBody')}</p>
          <div className="field console-dialog-field">
            <label htmlFor={`${id}-reason`}>{t('console.user.reason')}</label>
            <textarea
              id={`${id}-reason`}
              name="reason"
              rows={2}
              maxLength={500}
              aria-invalid={missing ? true : undefined}
              onChange={() => setMissing(false)}
              data-testid="delete-reason"
            />
            {missing && <p className="field-error">{t('console.user.reasonMissing')}</p>}
          </div>
          <div className="field console-dialog-field">
            <label htmlFor={`${id}-confirm`}>{t('console.user.deleteConfirm')}</label>
            <input
              id={`${id}-confirm`}
              dir="ltr"
              autoComplete="off"
              value={typed}
              onChange={(e) => setTyped(e.target.value)}
              data-testid="delete-typed"
            />
          </div>
          {erase.error && (
            <p className="form-error" role="alert">
              {t(problemKey(erase.error))}
            </p>
          )}
          <div className="dialog-actions">
            <button
              type="button"
              className="button button-ghost"
              onClick={onClose}
              disabled={erase.isPending}
            >
              {t('console.cancel')}
            </button>
            <button
              type="submit"
              className="button button-danger"
              disabled={erase.isPending || typed.trim() !== 'DELETE'}
              data-testid="delete-confirm"
            >
              {erase.isPending ? t('console.saving') : t('console.user.deleteButton')}
            </button>
          </div>
        </form>
      )}
    </dialog>
  );
}

/** The customer's private rating by the technicians who worked for them (admins only, never shown to anyone else). */
function CustomerRatingCard({ customerId }: { customerId: string }) {
  const { t, formatNumber } = useI18n();
  const rating = trpc.admin.reviews.customerRating.useQuery({ customerId }, { staleTime: 10_000 });
  return (
    <section className="card" aria-labelledby="customer-rating-title" data-testid="customer-rating">
      <h2 id="customer-rating-title">{t('console.customerRating.title')}</h2>
      <p className="muted small">{t('console.customerRating.hint')}</p>
      {rating.isPending ? (
        <Loading />
      ) : rating.error ? (
        <p className="form-error" role="alert">
          {t(problemKey(rating.error))}
        </p>
      ) : rating.data.average === null || rating.data.count === 0 ? (
        <p className="muted">{t('console.customerRating.none')}</p>
      ) : (
        <p data-average={rating.data.average} data-count={rating.data.count}>
          {t('console.customerRating.value', {
            value: formatNumber(rating.data.average, { minimumFractionDigits: 1, maximumFractionDigits: 1 }),
            count: rating.data.count,
          })}
        </p>
      )}
    </section>
  );
}

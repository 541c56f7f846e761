import { useEffect, useId, useState } from 'react';
import type { AdminBookingDetail, Contact } from '../../../../server/contracts/cases';
import type { PaymentMethod, PaymentState } from '../../../../server/contracts/payment';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { Loading } from '../../components/Loading';
import { ReasonDialog } from '../../components/ReasonDialog';
import { Screen } from '../../components/Screen';
import { Spinner } from '../../components/Spinner';
import { useI18n } from '../../i18n/I18nProvider';
import { problemKey } from '../../lib/apiErrors';
import { Link } from '../../lib/router';
import { trpc } from '../../lib/trpc';
import { StatusChip } from '../booking/StatusChip';
import { useMarketNames } from '../catalog/useMarket';
import { MapView } from '../map/MapView';
import { PaymentBadge, useMethodLabel } from '../payments/PaymentBits';
import './cases.css';
import { historyReason, journalKind, ledgerAccount, ledgerLine, reassignProblem } from './evidenceLabels';

const TAKEABLE = new Set(['searching', 'assigned', 'en_route', 'arrived']);
const CANCELLABLE = new Set(['searching', 'assigned', 'en_route', 'arrived', 'in_progress']);

/** /admin/bookings/:id — a booking's whole picture and what an admin can do about it. */
export function AdminBookingScreen({ id }: { id: string }) {
  const { t, localized } = useI18n();
  const detail = trpc.admin.bookings.get.useQuery({ id }, { staleTime: 5_000 });
  const d = detail.data;
  return (
    <Screen
      heading={d ? localized(d.booking.service.name) : t('cases.booking.title')}
      testId="admin-booking"
      status={d?.booking.status}
    >
      <nav className="breadcrumbs" aria-label={t('cases.nav')}>
        <Link href="/admin/bookings">{t('cases.board.title')}</Link>
      </nav>
      {detail.isPending ? (
        <Loading />
      ) : detail.error ? (
        <p className="form-error" role="alert">
          {t(problemKey(detail.error))}
        </p>
      ) : d ? (
        <>
          <Summary d={d} />
          <Actions d={d} />
          <Evidence d={d} />
        </>
      ) : null}
    </Screen>
  );
}

function Summary({ d }: { d: AdminBookingDetail }) {
  const { t, localized, formatMoney, formatDateTime } = useI18n();
  const { nameOf } = useMarketNames();
  const b = d.booking;
  return (
    <section className="card" aria-labelledby="booking-summary">
      <div className="card-heading">
        <h2 id="booking-summary">{t('cases.booking.summary')}</h2>
        <StatusChip status={b.status} />
      </div>
      <dl className="cases-facts">
        <dt>{t('cases.booking.created')}</dt>
        <dd>{formatDateTime(b.createdAt)}</dd>
        <dt>{t('cases.booking.address')}</dt>
        <dd>
          <bdi>{b.location.address}</bdi>
        </dd>
        <dt>{t('cases.booking.total')}</dt>
        <dd>{formatMoney(b.price.total)}</dd>
        <dt>{t('cases.board.market')}</dt>
        <dd>{localized(nameOf(d.market))}</dd>
        {b.cancelReason && (
          <>
            <dt>{t('cases.booking.cancelReason')}</dt>
            <dd>
              <bdi>{b.cancelReason}</bdi>
            </dd>
          </>
        )}
      </dl>
      <div className="cases-contacts">
        <ContactCard role={t('cases.customer')} contact={d.customer} />
        {d.technician ? (
          <ContactCard role={t('cases.technician')} contact={d.technician} />
        ) : (
          <p className="muted small">{t('cases.board.noTechnician')}</p>
        )}
      </div>
      {d.disputes.length > 0 && (
        <ul className="cases-inline-list">
          {d.disputes.map((c) => (
            <li key={c.id}>
              <Link href={`/admin/disputes/${c.id}`} className="chip chip-link">
                {t(`cases.kind.${c.kind}`)} · {t(`cases.status.${c.status}`)}
              </Link>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** Either side's name with ways to reach them (admins see phone numbers and email). */
function ContactCard({ role, contact }: { role: string; contact: Contact }) {
  const { t } = useI18n();
  return (
    <div className="cases-contact">
      <span className="muted small">{role}</span>
      <strong>
        <bdi>{contact.name}</bdi>
      </strong>
      <span className="cases-contact-links">
        {contact.phone && (
          <a className="button button-secondary button-small" href={`tel:${contact.phone}`}>
            {t('cases.call')} <bdi dir="ltr">{contact.phone}</bdi>
          </a>
        )}
        <a className="button button-ghost button-small" href={`mailto:${contact.email}`}>
          {t('cases.email')}
        </a>
      </span>
    </div>
  );
}

function Actions({ d }: { d: AdminBookingDetail }) {
  const { t, formatDistance } = useI18n();
  const id = useId();
  const utils = trpc.useUtils();
  const [dialog, setDialog] = useState<'cancel' | 'redispatch' | null>(null);
  const [technicianId, setTechnicianId] = useState('');
  const done = () => {
    setDialog(null);
    void utils.admin.bookings.get.invalidate({ id: d.booking.id });
    void utils.admin.bookings.list.invalidate();
  };
  const cancel = trpc.admin.bookings.cancel.useMutation({ onSuccess: done });
  const redispatch = trpc.admin.bookings.redispatch.useMutation({ onSuccess: done });
  const reassign = trpc.admin.bookings.reassign.useMutation({ onSuccess: done });
  const status = d.booking.status;
  const [search, setSearch] = useState('');
  const [q, setQ] = useState('');
  useEffect(() => {
    const timer = setTimeout(() => setQ(search.trim()), 250);
    return () => clearTimeout(timer);
  }, [search]);
  // Asked of the server: verified, offering this job's service, in good standing, nearest first.
  const eligible = trpc.admin.bookings.eligible.useQuery(
    { id: d.booking.id, q: q || undefined },
    { enabled: TAKEABLE.has(status), staleTime: 15_000, placeholderData: (prev) => prev },
  );
  if (!CANCELLABLE.has(status)) return null;
  const choices = eligible.data ?? [];

  return (
    <section className="card" aria-labelledby={`${id}-actions`}>
      <h2 id={`${id}-actions`}>{t('cases.actions')}</h2>
      <div className="actions">
        <button
          type="button"
          className="button button-danger-outline"
          data-testid="admin-cancel"
          onClick={() => {
            cancel.reset();
            setDialog('cancel');
          }}
        >
          {t('cases.cancel')}
        </button>
        {TAKEABLE.has(status) && (
          <button
            type="button"
            className="button button-secondary"
            data-testid="admin-redispatch"
            onClick={() => {
              redispatch.reset();
              setDialog('redispatch');
            }}
          >
            {t('cases.redispatch')}
          </button>
        )}
      </div>
      {TAKEABLE.has(status) && (
        <form
          className="form cases-reassign"
          onSubmit={(e) => {
            e.preventDefault();
            if (technicianId) reassign.mutate({ id: d.booking.id, technicianId });
          }}
        >
          <label className="field">
            <span>{t('cases.reassign.search')}</span>
            <input
              type="search"
              value={search}
              maxLength={100}
              autoComplete="off"
              data-testid="reassign-search"
              onChange={(e) => setSearch(e.target.value)}
            />
          </label>
          <label className="field">
            <span>{t('cases.reassign.label')}</span>
            <select
              value={technicianId}
              onChange={(e) => setTechnicianId(e.target.value)}
              required
              data-testid="reassign-choice"
            >
              <option value="">
                {eligible.isSuccess && choices.length === 0
                  ? t('cases.reassign.nobody')
                  : t('cases.reassign.choose')}
              </option>
              {choices.map((x) => (
                <option key={x.id} value={x.id}>
                  {[
                    x.name,
                    x.distanceMeters != null ? formatDistance(x.distanceMeters) : null,
                    x.online ? t('cases.live.available') : t('cases.live.away'),
                    x.busy ? t('cases.live.busy') : null,
                    // A scheduled job: why they cannot take it at its time (listed last by the server).
                    x.unavailable ? t(`cases.unavailable.${x.unavailable}`) : null,
                  ]
                    .filter(Boolean)
                    .join(' · ')}
                </option>
              ))}
            </select>
          </label>
          <button
            type="submit"
            className="button button-primary"
            disabled={!technicianId || reassign.isPending}
          >
            {reassign.isPending ? <Spinner /> : null}
            {t('cases.reassign.submit')}
          </button>
          {reassign.error && (
            <p className="form-error" role="alert">
              {t(reassignProblem(reassign.error))}
            </p>
          )}
        </form>
      )}
      <ReasonDialog
        open={dialog === 'cancel'}
        testId="admin-cancel-dialog"
        title={t('cases.cancel')}
        label={t('cases.cancelReason')}
        confirmLabel={t('cases.cancel')}
        pendingLabel={t('cases.working')}
        pending={cancel.isPending}
        error={cancel.error && t(problemKey(cancel.error))}
        onConfirm={(reason) => cancel.mutate({ id: d.booking.id, reason })}
        onClose={() => setDialog(null)}
      />
      <ConfirmDialog
        open={dialog === 'redispatch'}
        title={t('cases.redispatch')}
        body={t('cases.redispatchBody')}
        confirmLabel={t('cases.redispatch')}
        pendingLabel={t('cases.working')}
        pending={redispatch.isPending}
        error={redispatch.error && t(problemKey(redispatch.error))}
        onConfirm={() => redispatch.mutate({ id: d.booking.id })}
        onClose={() => setDialog(null)}
      />
    </section>
  );
}

/** Timeline, offers, trail, payments and ledger lines, photos and (while a case is open) the chat. */
export function Evidence({ d }: { d: AdminBookingDetail }) {
  const { t, formatMoney, formatDateTime, formatDistance } = useI18n();
  const id = useId();
  const method = useMethodLabel();
  const trail = d.trail.map((p) => ({ lat: p.lat, lng: p.lng }));
  return (
    <>
      <section className="card" aria-labelledby={`${id}-timeline`} data-testid="evidence-timeline">
        <h2 id={`${id}-timeline`}>{t('cases.timeline')}</h2>
        <ol className="cases-timeline">
          {d.timeline.map((h) => (
            <li key={h.id}>
              <span className="cases-when">{formatDateTime(h.at)}</span>{' '}
              <strong>{t(`status.${h.to}`)}</strong>{' '}
              <span className="muted small">
                {t(`cases.by.${h.by.role}`)}
                {h.reason ? <Reason shown={historyReason(h.reason, t, formatDistance)} /> : null}
              </span>
            </li>
          ))}
        </ol>
      </section>
      {d.offers.length > 0 && (
        <section className="card" aria-labelledby={`${id}-offers`}>
          <h2 id={`${id}-offers`}>{t('cases.offers')}</h2>
          <ul className="cases-plain-list">
            {d.offers.map((o) => (
              <li key={o.id}>
                <bdi>{o.technician.name}</bdi> · {formatDistance(o.distanceMeters)} ·{' '}
                <strong>{t(`cases.offer.${o.status}`)}</strong>{' '}
                <span className="muted small">{formatDateTime(o.offeredAt)}</span>
              </li>
            ))}
          </ul>
        </section>
      )}
      {trail.length > 1 && (
        <section className="card" aria-labelledby={`${id}-trail`}>
          <h2 id={`${id}-trail`}>{t('cases.trail')}</h2>
          <MapView
            label={t('cases.trail')}
            center={trail.at(-1)!}
            zoom={14}
            markers={[
              {
                id: 'job',
                kind: 'job',
                position: { lat: d.booking.location.lat, lng: d.booking.location.lng },
                label: d.booking.location.address,
              },
            ]}
            path={trail}
            height={220}
          />
        </section>
      )}
      {(d.payments.length > 0 || d.ledger.length > 0) && (
        <section className="card" aria-labelledby={`${id}-money`}>
          <h2 id={`${id}-money`}>{t('cases.money')}</h2>
          <ul className="cases-plain-list">
            {d.payments.map((p) => (
              <li key={p.id}>
                {method(p.method as PaymentMethod)} · <PaymentBadge status={p.status as PaymentState} /> ·{' '}
                {formatMoney(p.amount)}
                {p.refunded.amount > 0
                  ? ` · ${t('cases.refunded', { amount: formatMoney(p.refunded) })}`
                  : ''}
              </li>
            ))}
          </ul>
          {d.ledger.length > 0 && (
            <details>
              <summary>{t('cases.ledger', { count: d.ledger.length })}</summary>
              <table className="cases-table">
                <thead>
                  <tr>
                    <th scope="col">{t('cases.ledger.kind')}</th>
                    <th scope="col">{t('cases.ledger.account')}</th>
                    <th scope="col">{t('cases.ledger.amount')}</th>
                  </tr>
                </thead>
                <tbody>
                  {d.ledger.map((l) => (
                    <tr key={l.id}>
                      <td>
                        <Shown shown={journalKind(l.kind, t)} /> · <Shown shown={ledgerLine(l.line, t)} />
                      </td>
                      <td>
                        <Shown shown={ledgerAccount(l.account, t)} />
                      </td>
                      <td>{formatMoney(l.amount)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </details>
          )}
        </section>
      )}
      {d.photos.length > 0 && (
        <section className="card" aria-labelledby={`${id}-photos`}>
          <h2 id={`${id}-photos`}>{t('cases.photos')}</h2>
          <ul className="cases-photos">
            {d.photos.map((p) => (
              <li key={p.uploadId}>
                <img src={p.url} alt={t(`cases.photo.${p.phase}`)} loading="lazy" />
                <span className="small muted">{t(`cases.photo.${p.phase}`)}</span>
              </li>
            ))}
          </ul>
        </section>
      )}
      {d.chat && (
        <section className="card" aria-labelledby={`${id}-chat`} data-testid="evidence-chat">
          <h2 id={`${id}-chat`}>{t('cases.chat')}</h2>
          <p className="muted small">{t('cases.chatAudited')}</p>
          {d.chat.length === 0 ? (
            <p className="muted">{t('cases.chatEmpty')}</p>
          ) : (
            <ul className="cases-messages">
              {d.chat.map((m) => (
                <li key={m.id} className={`cases-message cases-message-${m.from}`}>
                  <span className="small muted">
                    <bdi>{m.senderName}</bdi> · {formatDateTime(m.at)}
                  </span>
                  <p>
                    <bdi>{m.body}</bdi>
                  </p>
                </li>
              ))}
            </ul>
          )}
        </section>
      )}
    </>
  );
}

/** Text the server words for its records, in the admin's language; what a person typed, as written. */
function Shown({ shown }: { shown: { text: string; typed: boolean } }) {
  return shown.typed ? <bdi>{shown.text}</bdi> : shown.text;
}

function Reason({ shown }: { shown: { text: string; typed: boolean } }) {
  return (
    <>
      {' · '}
      <Shown shown={shown} />
    </>
  );
}

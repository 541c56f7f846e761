import { useMemo, useState } from 'react';
import { CUSTOMER_CANCELLABLE, DISPUTE_WINDOW_MS, PROGRESS_STEPS } from '#shared/booking';
import type { PublicUser } from '../../../../server/contracts/auth';
import type { Booking, BookingHistoryEntry } from '../../../../server/contracts/booking';
import { Avatar } from '../../components/Avatar';
import { Loading } from '../../components/Loading';
import { ReasonDialog } from '../../components/ReasonDialog';
import { Screen } from '../../components/Screen';
import { Spinner } from '../../components/Spinner';
import { useI18n } from '../../i18n/I18nProvider';
import { problemKey } from '../../lib/apiErrors';
import { Link } from '../../lib/router';
import { trpc } from '../../lib/trpc';
import { useNow } from '../../lib/useNow';
import { CasePanel } from '../cases/CasePanel';
import { ChatPanel } from '../chat/ChatPanel';
import { type MapMarker, MapView } from '../map/MapView';
import { useCancellationFee } from '../payments/cancellationFee';
import { PaymentPanel } from '../payments/PaymentPanel';
import { BookingTrust } from '../reviews/BookingTrust';
import { TrustSummary } from '../reviews/TrustSummary';
import { BookingPhotos } from '../upload/JobPhotos';
import { LiveTracking, TRACKED_STATUSES } from './LiveTracking';
import { enqueue, useOutbox } from './outbox';
import { SurchargeRows } from './PriceLines';
import { Rating } from './Rating';
import { StatusChip } from './StatusChip';
import { useCreateBooking } from './useCreateBooking';
import { useLiveBooking } from './useLiveBooking';

/** One booking, live: its status as it changes, who is coming, what it costs, and what happened when. */
export function BookingScreen({ id, user }: { id: string; user: PublicUser }) {
  const { t, localized } = useI18n();
  const { booking, query, notFound, live } = useLiveBooking(id);

  if (!booking) {
    return (
      <Screen heading={t('booking.title')} testId="booking-status">
        {notFound ? (
          <>
            <p>{t('booking.notFound')}</p>
            <Link href="/bookings" className="button button-secondary">
              {t('bookings.title')}
            </Link>
          </>
        ) : query.error ? (
          <div className="card">
            <p className="form-error" role="alert">
              {t(problemKey(query.error))}
            </p>
            <button type="button" className="button button-secondary" onClick={() => void query.refetch()}>
              {t('common.retry')}
            </button>
          </div>
        ) : (
          <Loading />
        )}
      </Screen>
    );
  }

  // The customer (and admins) follow the technician on a live map while they are on the way.
  const tracking =
    booking.technician !== null &&
    TRACKED_STATUSES.includes(booking.status) &&
    (user.role === 'admin' || booking.customer.id === user.id);

  return (
    <Screen heading={localized(booking.service.name)} testId="booking-status" status={booking.status}>
      <nav className="breadcrumbs" aria-label={t('bookings.title')}>
        <Link href={user.role === 'customer' ? '/bookings' : '/home'}>
          {user.role === 'customer' ? t('booking.allBookings') : t('booking.backHome')}
        </Link>
      </nav>
      <StatusPanel booking={booking} user={user} live={live} />
      <CasePanel booking={booking} user={user} />
      <BookingTrust booking={booking} user={user} />
      {tracking && <LiveTracking booking={booking} />}
      <PaymentPanel booking={booking} user={user} />
      <ChatPanel booking={booking} user={user} />
      <BookingDetails booking={booking} showMap={!tracking} />
      <BookingPhotos booking={booking} />
      <History id={booking.id} />
    </Screen>
  );
}

function StatusPanel({ booking, user, live }: { booking: Booking; user: PublicUser; live: boolean }) {
  const { t, localized, formatClock, formatDateTime } = useI18n();
  const searching = booking.status === 'searching';
  const now = useNow(1000, searching || booking.status === 'completed');
  const isCustomer = user.role === 'customer' && booking.customer.id === user.id;
  const [dialog, setDialog] = useState<'cancel' | 'dispute' | null>(null);
  const utils = trpc.useUtils();
  const onChanged = (updated: Booking) => {
    utils.booking.get.setData({ id: updated.id }, updated);
    void utils.booking.history.invalidate({ id: updated.id });
    void utils.booking.list.invalidate();
    setDialog(null);
  };
  const cancel = trpc.booking.cancel.useMutation({ onSuccess: onChanged });
  const fee = useCancellationFee(booking, dialog === 'cancel' && isCustomer);
  const dispute = trpc.booking.dispute.useMutation({ onSuccess: onChanged });

  const queuedCancel = useOutbox().some(
    (action) => action.kind === 'cancel' && action.state === 'pending' && action.input.id === booking.id,
  );
  const canCancel = isCustomer && CUSTOMER_CANCELLABLE.includes(booking.status) && !queuedCancel;
  const canDispute =
    isCustomer &&
    booking.status === 'completed' &&
    booking.completedAt !== null &&
    now - Date.parse(booking.completedAt) < DISPUTE_WINDOW_MS;

  return (
    <section className="card status-panel" aria-labelledby="status-title" aria-live="polite">
      <div className="card-heading">
        <h2 id="status-title">{t(`booking.headline.${booking.status}`)}</h2>
        <StatusChip status={booking.status} />
      </div>
      {!live && booking.status !== 'completed' && booking.status !== 'cancelled' && (
        <p className="muted small" role="status">
          {t('booking.notLive')}
        </p>
      )}

      {searching && (
        <div className="searching">
          <Spinner />
          <p>
            {t('booking.searchingFor')}{' '}
            <bdi className="clock" data-testid="elapsed">
              {formatClock((now - Date.parse(booking.createdAt)) / 1000)}
            </bdi>
          </p>
        </div>
      )}
      {booking.scheduledFor && (
        <p>{t('booking.scheduledFor', { time: formatDateTime(booking.scheduledFor) })}</p>
      )}

      {booking.technician && booking.status !== 'unfulfilled' && (
        <TechnicianCard technician={booking.technician} forCustomer={booking.customer.id === user.id} />
      )}
      {booking.technician && PROGRESS_STEPS.some((s) => s === booking.status) && (
        <Progress booking={booking} />
      )}

      {booking.status === 'unfulfilled' && <p>{t('booking.unfulfilledBody')}</p>}
      {booking.status === 'cancelled' && booking.cancelReason && (
        <p>{t('booking.cancelReason', { reason: booking.cancelReason })}</p>
      )}
      {booking.status === 'disputed' && booking.disputeReason && (
        <p>{t('booking.disputeReason', { reason: booking.disputeReason })}</p>
      )}

      {queuedCancel && (
        <p className="muted" data-testid="queued-cancel">
          {t('outbox.queuedCancel')}
        </p>
      )}

      <div className="actions">
        {isCustomer && booking.status === 'unfulfilled' && <RetryButton booking={booking} />}
        {canCancel && (
          <button
            type="button"
            className="button button-danger-outline"
            data-testid="cancel-booking"
            onClick={() => {
              cancel.reset();
              setDialog('cancel');
            }}
          >
            {t('booking.cancel')}
          </button>
        )}
        {canDispute && (
          <button
            type="button"
            className="button button-secondary"
            data-testid="dispute-booking"
            onClick={() => {
              dispute.reset();
              setDialog('dispute');
            }}
          >
            {t('booking.dispute')}
          </button>
        )}
      </div>

      <ReasonDialog
        open={dialog === 'cancel'}
        testId="cancel-dialog"
        title={t('booking.cancelDialog.title')}
        body={
          [booking.technician ? t('booking.cancelDialog.bodyAssigned') : '', fee.body ?? '']
            .filter(Boolean)
            .join(' ') || undefined
        }
        label={t('booking.cancelDialog.reason')}
        confirmLabel={fee.confirm ?? t('booking.cancelDialog.confirm')}
        pendingLabel={t('booking.cancelDialog.pending')}
        pending={cancel.isPending}
        error={cancel.error && t(problemKey(cancel.error, { CONFLICT: 'booking.cancelDialog.conflict' }))}
        onConfirm={(reason) => {
          if (navigator.onLine) {
            cancel.mutate({ id: booking.id, reason });
            return;
          }
          // No connection: queued, and sent (in order, once) when it returns.
          void enqueue({
            kind: 'cancel',
            input: { id: booking.id, reason },
            label: localized(booking.service.name),
          }).then(() => setDialog(null));
        }}
        onClose={() => setDialog(null)}
      />
      <ReasonDialog
        open={dialog === 'dispute'}
        testId="dispute-dialog"
        title={t('booking.disputeDialog.title')}
        body={t('booking.disputeDialog.body')}
        label={t('booking.disputeDialog.reason')}
        confirmLabel={t('booking.disputeDialog.confirm')}
        pendingLabel={t('booking.disputeDialog.pending')}
        pending={dispute.isPending}
        maxLength={1000}
        error={dispute.error && t(problemKey(dispute.error, { CONFLICT: 'booking.disputeDialog.conflict' }))}
        onConfirm={(reason) => dispute.mutate({ id: booking.id, reason })}
        onClose={() => setDialog(null)}
      />
    </section>
  );
}

/** "No technician accepted": the same request again, as a NEW booking (new idempotency key). */
function RetryButton({ booking }: { booking: Booking }) {
  const { t, localized } = useI18n();
  const { create, mutation } = useCreateBooking();
  const retry = () => {
    const scheduledFor =
      booking.scheduledFor && Date.parse(booking.scheduledFor) > Date.now() + 60_000
        ? booking.scheduledFor
        : undefined;
    create(
      {
        serviceId: booking.service.id,
        lat: booking.location.lat,
        lng: booking.location.lng,
        address: booking.location.address,
        addressDetails: booking.location.details ?? undefined,
        notes: booking.notes ?? undefined,
        scheduledFor,
        emergency: booking.emergency || undefined,
      },
      localized(booking.service.name),
    );
  };
  return (
    <>
      <button
        type="button"
        className="button button-primary"
        data-testid="retry-booking"
        disabled={mutation.isPending}
        onClick={retry}
      >
        {mutation.isPending && <Spinner small />}
        {mutation.isPending ? t('book.requesting') : t('booking.retry')}
      </button>
      {mutation.error && (
        <p className="form-error" role="alert">
          {t(problemKey(mutation.error, { CONFLICT: 'book.error.conflict' }))}
        </p>
      )}
    </>
  );
}

/** Who is coming. The customer also sees their stars, review count, latest review and profile link. */
function TechnicianCard({
  technician,
  forCustomer,
}: {
  technician: NonNullable<Booking['technician']>;
  forCustomer: boolean;
}) {
  const { t } = useI18n();
  return (
    <div className="person" data-testid="assigned-technician">
      <Avatar name={technician.name} photoUrl={technician.photoUrl} />
      <div className="person-text">
        <p className="person-name">{technician.name}</p>
        {forCustomer ? (
          <TrustSummary technicianId={technician.id} name={technician.name} />
        ) : (
          <Rating value={technician.rating} />
        )}
      </div>
      {technician.phone && (
        <a className="button button-secondary" href={`tel:${technician.phone}`}>
          {t('booking.call')}
        </a>
      )}
    </div>
  );
}

const STEP_TIME: Record<(typeof PROGRESS_STEPS)[number], keyof Booking> = {
  assigned: 'assignedAt',
  en_route: 'enRouteAt',
  arrived: 'arrivedAt',
  in_progress: 'startedAt',
  completed: 'completedAt',
};

function Progress({ booking }: { booking: Booking }) {
  const { t, formatTime } = useI18n();
  const current = PROGRESS_STEPS.indexOf(booking.status as (typeof PROGRESS_STEPS)[number]);
  return (
    <ol className="progress" aria-label={t('booking.progress')}>
      {PROGRESS_STEPS.map((step, index) => {
        const at = booking[STEP_TIME[step]];
        const state = index < current ? 'done' : index === current ? 'current' : 'todo';
        return (
          <li
            key={step}
            className={`progress-step progress-${state}`}
            aria-current={state === 'current' ? 'step' : undefined}
          >
            <span className="progress-dot" aria-hidden="true" />
            <span className="progress-label">{t(`status.${step}`)}</span>
            {typeof at === 'string' && <span className="progress-time">{formatTime(at)}</span>}
          </li>
        );
      })}
    </ol>
  );
}

function BookingDetails({ booking, showMap }: { booking: Booking; showMap: boolean }) {
  const { t, formatMoney, formatDateTime } = useI18n();
  const markers = useMemo<MapMarker[]>(
    () => [{ id: 'job', position: booking.location, kind: 'job', label: booking.location.address }],
    [booking.location],
  );
  return (
    <section className="card" aria-labelledby="details-title">
      <h2 id="details-title">{t('booking.details')}</h2>
      <dl className="details">
        <div>
          <dt>{t('booking.where')}</dt>
          <dd>
            <bdi>{booking.location.address}</bdi>
            {booking.location.details && (
              <span className="muted">
                {' · '}
                <bdi>{booking.location.details}</bdi>
              </span>
            )}
          </dd>
        </div>
        <div>
          <dt>{t('booking.when')}</dt>
          <dd>
            {booking.scheduledFor ? formatDateTime(booking.scheduledFor) : t('book.when.now')}
            {booking.emergency && <span className="badge badge-warning">{t('booking.emergency')}</span>}
          </dd>
        </div>
        {booking.notes && (
          <div>
            <dt>{t('booking.notes')}</dt>
            <dd className="prewrap" dir="auto">
              {booking.notes}
            </dd>
          </div>
        )}
        <div>
          <dt>{t('booking.requested')}</dt>
          <dd>{formatDateTime(booking.createdAt)}</dd>
        </div>
      </dl>
      {showMap && (
        <MapView
          label={t('booking.mapLabel')}
          center={booking.location}
          zoom={15}
          markers={markers}
          height={180}
        />
      )}
      <dl className="breakdown">
        <div>
          <dt>{t('quote.base')}</dt>
          <dd>{formatMoney(booking.price.base)}</dd>
        </div>
        <SurchargeRows price={booking.price} />
        <div className="breakdown-total">
          <dt>{t('quote.total')}</dt>
          <dd>{formatMoney(booking.price.total)}</dd>
        </div>
      </dl>
    </section>
  );
}

function History({ id }: { id: string }) {
  const { t } = useI18n();
  const history = trpc.booking.history.useQuery({ id }, { staleTime: 5_000 });
  return (
    <section className="card" aria-labelledby="history-title" aria-busy={history.isFetching}>
      <h2 id="history-title">{t('booking.history')}</h2>
      {history.data ? (
        <Timeline entries={history.data} />
      ) : history.error ? (
        <p className="form-error">{t(problemKey(history.error))}</p>
      ) : (
        <div className="skeleton-group" role="status">
          <span className="skeleton" />
          <span className="skeleton" />
          <span className="visually-hidden">{t('app.loading')}</span>
        </div>
      )}
    </section>
  );
}

export function Timeline({ entries }: { entries: BookingHistoryEntry[] }) {
  const { t, formatDateTime } = useI18n();
  return (
    <ol className="timeline" data-testid="history">
      {entries.map((entry) => (
        <li key={entry.id} className="timeline-item">
          <span className="timeline-dot" aria-hidden="true" />
          <div>
            <p className="timeline-title">
              {t(`status.${entry.to}`)}
              <span className="muted small"> · {t(`history.by.${entry.by.role}`)}</span>
            </p>
            {entry.reason && (
              <p className="prewrap" dir="auto">
                {entry.reason}
              </p>
            )}
            <p className="muted small">
              <time dateTime={entry.at}>{formatDateTime(entry.at)}</time>
            </p>
          </div>
        </li>
      ))}
    </ol>
  );
}

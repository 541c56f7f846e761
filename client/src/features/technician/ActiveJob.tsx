import './technician.css';
import { useMemo, useState } from 'react';
import { NEXT_STEP, TECHNICIAN_CANCELLABLE } from '#shared/booking';
import type { Booking } from '../../../../server/contracts/booking';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { ReasonDialog } from '../../components/ReasonDialog';
import { Spinner } from '../../components/Spinner';
import { useI18n } from '../../i18n/I18nProvider';
import { problemKey, toApiProblem } from '../../lib/apiErrors';
import { Link } from '../../lib/router';
import { trpc } from '../../lib/trpc';
import { NotesFact, WhereFact } from '../booking/BookingFacts';
import { StatusChip } from '../booking/StatusChip';
import { useLiveBooking } from '../booking/useLiveBooking';
import { type MapMarker, MapView } from '../map/MapView';
import { JobMoney } from '../payments/JobMoney';
import { useBookingPayment } from '../payments/usePayment';
import { JobPhotos } from '../upload/JobPhotos';

/** The job a technician is working: where to go, who for, and one big button for the next step. */
export function ActiveJob({ id, onDismiss }: { id: string; onDismiss: () => void }) {
  const { t } = useI18n();
  const { booking, notFound } = useLiveBooking(id);

  if (notFound) return null;
  if (!booking) {
    return (
      <section className="card" aria-busy="true">
        <div className="skeleton-group" role="status">
          <span className="skeleton skeleton-lg" />
          <span className="skeleton" />
          <span className="visually-hidden">{t('app.loading')}</span>
        </div>
      </section>
    );
  }
  return <ActiveJobCard booking={booking} onDismiss={onDismiss} />;
}

function ActiveJobCard({ booking, onDismiss }: { booking: Booking; onDismiss: () => void }) {
  const { t, localized, formatMoney, formatDateTime, formatDistance } = useI18n();
  const utils = trpc.useUtils();
  const [cancelOpen, setCancelOpen] = useState(false);
  /** "I've arrived" was refused: the phone's position is this far from the job (null: no question open). */
  const [far, setFar] = useState<{ meters: number | null } | null>(null);
  const onChanged = (updated: Booking) => {
    utils.booking.get.setData({ id: updated.id }, updated);
    void utils.booking.list.invalidate();
  };
  const advance = trpc.booking.advance.useMutation({
    onSuccess: (updated) => {
      setFar(null);
      onChanged(updated);
    },
    onError: (error, input) => {
      const problem = toApiProblem(error);
      if (problem.code === 'ARRIVAL_FAR' && !input.confirmFar) {
        // The technician knows better than a GPS fix (a gate far from the pin): ask, don't refuse.
        const meters = problem.details?.distanceMeters;
        setFar({ meters: typeof meters === 'number' ? meters : null });
      } else if (problem.code === 'CONFLICT') void utils.booking.get.invalidate({ id: booking.id });
    },
  });
  const farError =
    far && advance.error && advance.variables?.confirmFar
      ? t(problemKey(advance.error, { CONFLICT: 'job.error.conflict' }))
      : null;
  const cancel = trpc.booking.cancel.useMutation({
    onSuccess: () => {
      setCancelOpen(false);
      void utils.booking.list.invalidate();
      // The job goes back to searching for someone else: it is no longer ours to show.
      onDismiss();
    },
  });

  const next = NEXT_STEP[booking.status];
  const finished = booking.status === 'completed' || booking.status === 'disputed';
  // Once done, the bill (actual time, approved extras, tip) is what was earned, not the quote.
  const bill = useBookingPayment(booking).payment;
  const lost =
    booking.status === 'cancelled' || booking.status === 'unfulfilled' || booking.status === 'searching';
  const markers = useMemo<MapMarker[]>(
    () => [{ id: 'job', position: booking.location, kind: 'job', label: booking.location.address }],
    [booking.location],
  );
  const directions = `https://www.google.com/maps/dir/?api=1&destination=${booking.location.lat},${booking.location.lng}`;

  return (
    <section
      className="card card-feature active-job"
      aria-labelledby={`job-${booking.id}`}
      data-testid="active-job"
      data-status={booking.status}
    >
      <div className="card-heading">
        <h2 id={`job-${booking.id}`}>{finished || lost ? t('job.titleDone') : t('job.title')}</h2>
        <StatusChip status={booking.status} />
      </div>
      <p className="job-service">{localized(booking.service.name)}</p>

      {finished && (
        <p className="success-text" role="status">
          {t('job.completed', {
            earnings: formatMoney(bill?.earnings ?? booking.price.technicianEarnings),
            total: formatMoney(
              bill?.due
                ? { amount: bill.due.amount + (bill.tip?.amount ?? 0), currency: bill.due.currency }
                : booking.price.total,
            ),
          })}
        </p>
      )}
      {lost && (
        <p role="status">
          {booking.status === 'cancelled' ? t('job.cancelledByCustomer') : t('job.noLongerYours')}
          {booking.cancelReason && ` ${t('booking.cancelReason', { reason: booking.cancelReason })}`}
        </p>
      )}

      {!lost && (
        <>
          <dl className="details">
            <div>
              <dt>{t('job.customer')}</dt>
              <dd>
                {booking.customer.name}
                {booking.customer.phone && (
                  <>
                    {' · '}
                    <a href={`tel:${booking.customer.phone}`} dir="ltr">
                      {booking.customer.phone}
                    </a>
                  </>
                )}
              </dd>
            </div>
            {booking.siteContact && (
              <div>
                <dt>{t('job.siteContact')}</dt>
                <dd>
                  <bdi>{booking.siteContact.name}</bdi>
                  {booking.siteContact.phone && (
                    <>
                      {' · '}
                      <a href={`tel:${booking.siteContact.phone}`} dir="ltr">
                        {booking.siteContact.phone}
                      </a>
                    </>
                  )}
                </dd>
              </div>
            )}
            <WhereFact location={booking.location} />
            {booking.scheduledFor && (
              <div>
                <dt>{t('booking.when')}</dt>
                <dd>{formatDateTime(booking.scheduledFor)}</dd>
              </div>
            )}
            <NotesFact notes={booking.notes} />
            <div>
              <dt>{t('job.earnings')}</dt>
              <dd className="fact-strong">
                {formatMoney(booking.price.technicianEarnings)}{' '}
                <span className="muted small">
                  {t('job.collect', { total: formatMoney(booking.price.total) })}
                </span>
              </dd>
            </div>
          </dl>
          {!finished && (
            <>
              <MapView
                label={t('booking.mapLabel')}
                center={booking.location}
                zoom={16}
                markers={markers}
                height={180}
              />
              <a className="button button-ghost" href={directions} target="_blank" rel="noopener noreferrer">
                {t('job.directions')}
              </a>
            </>
          )}
        </>
      )}

      {!lost && <JobPhotos booking={booking} />}

      <JobMoney booking={booking} />

      {advance.error && !far && toApiProblem(advance.error).code !== 'ARRIVAL_FAR' && (
        <p className="form-error" role="alert">
          {t(problemKey(advance.error, { CONFLICT: 'job.error.conflict' }))}
        </p>
      )}
      {next && (
        <button
          type="button"
          className="button button-primary button-block button-large"
          data-testid="advance-job"
          disabled={advance.isPending}
          onClick={() => advance.mutate({ id: booking.id, to: next })}
        >
          {advance.isPending && <Spinner small />}
          {advance.isPending ? t('job.updating') : t(`job.next.${next}`)}
        </button>
      )}
      <div className="actions">
        {TECHNICIAN_CANCELLABLE.includes(booking.status) && (
          <button
            type="button"
            className="button button-danger-outline"
            data-testid="cancel-job"
            onClick={() => {
              cancel.reset();
              setCancelOpen(true);
            }}
          >
            {t('job.cancel')}
          </button>
        )}
        {(finished || lost) && (
          <button
            type="button"
            className="button button-secondary"
            onClick={onDismiss}
            data-testid="dismiss-job"
          >
            {t('common.done')}
          </button>
        )}
        {!lost && <Link href={`/bookings/${booking.id}`}>{t('job.details')}</Link>}
      </div>
      <ConfirmDialog
        open={far !== null}
        testId="arrival-far-dialog"
        title={t('job.arrivalFar.title')}
        body={
          far?.meters != null
            ? t('job.arrivalFar.body', { distance: formatDistance(far.meters) })
            : t('job.arrivalFar.bodyUnknown')
        }
        confirmLabel={t('job.arrivalFar.confirm')}
        pendingLabel={t('job.updating')}
        pending={advance.isPending}
        error={farError}
        onConfirm={() => advance.mutate({ id: booking.id, to: 'arrived', confirmFar: true })}
        onClose={() => {
          setFar(null);
          advance.reset();
        }}
      />
      <ReasonDialog
        open={cancelOpen}
        testId="cancel-job-dialog"
        title={t('job.cancelDialog.title')}
        body={t('job.cancelDialog.body')}
        label={t('job.cancelDialog.reason')}
        confirmLabel={t('job.cancelDialog.confirm')}
        pendingLabel={t('booking.cancelDialog.pending')}
        pending={cancel.isPending}
        error={cancel.error && t(problemKey(cancel.error, { CONFLICT: 'job.error.conflict' }))}
        onConfirm={(reason) => cancel.mutate({ id: booking.id, reason })}
        onClose={() => setCancelOpen(false)}
      />
    </section>
  );
}

import './bookingScreen.css';
import { useState } from 'react';
import { CUSTOMER_CANCELLABLE, DISPUTE_WINDOW_MS, PROGRESS_STEPS } from '#shared/booking';
import type { PublicUser } from '../../../../../server/contracts/auth';
import type { Booking } from '../../../../../server/contracts/booking';
import { ReasonDialog } from '../../../components/ReasonDialog';
import { Spinner } from '../../../components/Spinner';
import { useI18n } from '../../../i18n/I18nProvider';
import { problemKey } from '../../../lib/apiErrors';
import { trpc } from '../../../lib/trpc';
import { useNow } from '../../../lib/useNow';
import { useCancellationFee } from '../../payments/cancellationFee';
import { enqueue, useOutbox } from '../outbox';
import { StatusChip } from '../StatusChip';
import { Progress } from './Progress';
import { RetryButton } from './RetryButton';
import { TechnicianCard } from './TechnicianCard';

/** Where the booking stands, who is coming, and what the customer can do about it (cancel, dispute, retry). */
export function StatusPanel({ booking, user, live }: { booking: Booking; user: PublicUser; live: boolean }) {
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

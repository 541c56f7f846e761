import { useI18n } from '../../i18n/I18nProvider';
import { Link } from '../../lib/router';
import { dismiss, useOutbox } from './outbox';

/** Booking actions taken offline: waiting for a connection, then sent or refused (with the server's reason). */
export function OutboxList() {
  const { t } = useI18n();
  // Chat messages wait (and fail) in their conversation, not here.
  const actions = useOutbox().filter((action) => action.kind !== 'chat');
  if (actions.length === 0) return null;
  return (
    <section className="card" aria-labelledby="outbox-title" data-testid="outbox">
      <h2 id="outbox-title">{t('outbox.title')}</h2>
      <ul className="outbox-list">
        {actions.map((action) => (
          <li key={action.id} data-testid="outbox-item" data-kind={action.kind} data-state={action.state}>
            <p>{t(action.kind === 'create' ? 'outbox.create' : 'outbox.cancel', { label: action.label })}</p>
            <p className={action.state === 'failed' ? 'form-error' : 'muted small'}>
              {action.state === 'pending'
                ? t('outbox.pending')
                : action.state === 'confirmed'
                  ? t('outbox.confirmed')
                  : t('outbox.failed', { reason: t(`errors.${action.problem ?? 'INTERNAL'}`) })}
            </p>
            {action.state !== 'pending' && (
              <div className="actions">
                {action.bookingId && action.state === 'confirmed' && (
                  <Link href={`/bookings/${action.bookingId}`}>{t('outbox.open')}</Link>
                )}
                <button
                  type="button"
                  className="button button-secondary"
                  data-testid="outbox-dismiss"
                  onClick={() => void dismiss(action.id)}
                >
                  {t('outbox.dismiss')}
                </button>
              </div>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}

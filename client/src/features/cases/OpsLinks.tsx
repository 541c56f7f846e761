import { useI18n } from '../../i18n/I18nProvider';
import { Link } from '../../lib/router';

/** The admin home's way to the bookings board and the dispute queue. */
export function OpsLinks() {
  const { t } = useI18n();
  return (
    <>
      <Link href="/admin/bookings" className="card link-card" data-testid="admin-bookings-link">
        <span className="link-card-title">{t('cases.board.title')}</span>
        <span className="muted small">{t('cases.board.hint')}</span>
      </Link>
      <Link href="/admin/disputes" className="card link-card" data-testid="admin-disputes-link">
        <span className="link-card-title">{t('cases.queue.title')}</span>
        <span className="muted small">{t('cases.queue.hint')}</span>
      </Link>
    </>
  );
}

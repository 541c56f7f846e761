import { useI18n } from '../../i18n/I18nProvider';
import { Link } from '../../lib/router';

/** The technician home's way to the earnings screen. */
export function EarningsLink() {
  const { t } = useI18n();
  return (
    <Link href="/earnings" className="card link-card" data-testid="earnings-link">
      <span className="link-card-title">{t('earnings.link')}</span>
      <span className="muted small">{t('earnings.linkHint')}</span>
    </Link>
  );
}

import { useI18n } from '../../i18n/I18nProvider';
import { Link } from '../../lib/router';

/** The admin home's way to the analytics screen (its charts load only once it is opened). */
export function AnalyticsLink() {
  const { t } = useI18n();
  return (
    <Link href="/admin/analytics" className="card link-card" data-testid="admin-analytics-link">
      <span className="link-card-title">{t('analytics.link')}</span>
      <span className="muted small">{t('analytics.linkHint')}</span>
    </Link>
  );
}

import { useI18n } from '../../i18n/I18nProvider';
import { Link } from '../../lib/router';

/** The technician home's way to their working hours and time off (issue 12 §5). */
export function HoursLink() {
  const { t } = useI18n();
  return (
    <Link href="/technician/hours" className="card link-card" data-testid="hours-link">
      <span className="link-card-title">{t('schedule.link')}</span>
      <span className="muted small">{t('schedule.linkHint')}</span>
    </Link>
  );
}

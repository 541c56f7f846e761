import { useI18n } from '../../i18n/I18nProvider';
import { Link } from '../../lib/router';

/** The admin home's way into the console's users, catalogue, review moderation and audit screens. */
export function ConsoleLinks() {
  const { t } = useI18n();
  return (
    <>
      {(['users', 'catalog', 'reviews', 'audit'] as const).map((area) => (
        <Link
          key={area}
          href={`/admin/${area}`}
          className="card link-card"
          data-testid={`admin-${area}-link`}
        >
          <span className="link-card-title">{t(`console.${area}.link`)}</span>
          <span className="muted small">{t(`console.${area}.linkHint`)}</span>
        </Link>
      ))}
    </>
  );
}

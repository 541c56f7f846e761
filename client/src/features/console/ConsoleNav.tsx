import { useI18n } from '../../i18n/I18nProvider';
import { Link } from '../../lib/router';
import './console.css';

/** The way back: to the admin home, or to the users list from a user's page. */
export function ConsoleNav({ users = false }: { users?: boolean }) {
  const { t } = useI18n();
  return (
    <nav className="breadcrumbs" aria-label={t('console.back')}>
      {users ? (
        <Link href="/admin/users">{t('console.users.title')}</Link>
      ) : (
        <Link href="/home">{t('console.back')}</Link>
      )}
    </nav>
  );
}

import { useI18n } from '../../i18n/I18nProvider';
import { Link } from '../../lib/router';
import './console.css';

/** Breadcrumbs back to the admin home (and to the users list from a user's page). */
export function ConsoleNav({ users = false }: { users?: boolean }) {
  const { t } = useI18n();
  return (
    <nav className="breadcrumbs" aria-label={t('console.back')}>
      <Link href="/home">{t('console.back')}</Link>
      {users && (
        <>
          {' › '}
          <Link href="/admin/users">{t('console.users.title')}</Link>
        </>
      )}
    </nav>
  );
}

import { Screen } from '../components/Screen';
import { useT } from '../i18n/I18nProvider';
import { Link } from '../lib/router';

export function NotFound() {
  const t = useT();
  return (
    <Screen heading={t('notFound.title')} testId="not-found">
      <p>{t('notFound.body')}</p>
      <Link href="/" className="button button-secondary">
        {t('notFound.back')}
      </Link>
    </Screen>
  );
}

import { Screen } from '../components/Screen';
import { useT } from '../i18n/I18nProvider';
import { Link } from '../lib/router';

export function Landing() {
  const t = useT();
  return (
    <Screen heading={t('landing.title')} testId="landing">
      <p className="lead">{t('landing.pitch')}</p>
      <div className="actions">
        <Link href="/sign-up" className="button button-primary">
          {t('landing.signUp')}
        </Link>
        <Link href="/sign-in" className="button button-secondary">
          {t('landing.signIn')}
        </Link>
        <Link href="/search" className="button button-ghost" data-testid="browse-technicians">
          {t('search.browse')}
        </Link>
      </div>
      <p className="muted">{t('landing.technicians')}</p>
    </Screen>
  );
}

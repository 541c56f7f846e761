import type { PublicUser } from '../../../../server/contracts/auth';
import { Screen } from '../../components/Screen';
import { useT } from '../../i18n/I18nProvider';
import { AccountPanel } from './AccountPanel';

const CATEGORIES = ['plumbing', 'electrical', 'ac', 'cleaning'] as const;

export function CustomerHome({ user }: { user: PublicUser }) {
  const t = useT();
  return (
    <Screen heading={t('home.greeting', { name: user.name })} testId="home-customer">
      <section className="card card-feature" aria-labelledby="book-title">
        <div className="card-heading">
          <h2 id="book-title">{t('customer.book.title')}</h2>
          <span className="badge">{t('customer.book.soon')}</span>
        </div>
        <p>{t('customer.book.body')}</p>
        <h3 className="visually-hidden">{t('customer.categories')}</h3>
        <ul className="chips">
          {CATEGORIES.map((category) => (
            <li key={category} className="chip">
              {t(`category.${category}`)}
            </li>
          ))}
        </ul>
      </section>
      <AccountPanel user={user} />
    </Screen>
  );
}

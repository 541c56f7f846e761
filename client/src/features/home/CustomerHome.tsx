import type { PublicUser } from '../../../../server/contracts/auth';
import { Screen } from '../../components/Screen';
import { useI18n } from '../../i18n/I18nProvider';
import { Link } from '../../lib/router';
import { trpc } from '../../lib/trpc';
import { BookingList } from '../booking/BookingsScreen';
import { isOpen } from '../booking/status';
import { useCategories } from '../catalog/useCatalog';
import { useMarket } from '../catalog/useMarket';
import { CatalogIcon } from '../console/icons';
import { AccountPanel } from './AccountPanel';

export function CustomerHome({ user }: { user: PublicUser }) {
  const { t, localized } = useI18n();
  // Both may fail offline: the home still renders (the shell works without the network).
  const { market } = useMarket(user);
  const categories = useCategories(market?.slug ?? '');
  const recent = trpc.booking.list.useQuery({ limit: 10 }, { staleTime: 15_000 });
  const open = recent.data?.items.filter((booking) => isOpen(booking.status)) ?? [];

  return (
    <Screen heading={t('home.greeting', { name: user.name })} testId="home-customer">
      {open.length > 0 && (
        <section className="card card-feature" aria-labelledby="current-title">
          <h2 id="current-title">{t('customer.current.title')}</h2>
          <BookingList items={open} />
        </section>
      )}
      <section className="card card-feature" aria-labelledby="book-title">
        <h2 id="book-title">{t('customer.book.title')}</h2>
        <p>{t('customer.book.body')}</p>
        <Link
          href="/book"
          className="button button-primary button-block button-large"
          data-testid="book-service"
        >
          {t('customer.book.action')}
        </Link>
        <Link href="/search" className="button button-secondary button-block" data-testid="find-technician">
          {t('search.title')}
        </Link>
        {categories.data && categories.data.length > 0 && (
          <>
            <h3 className="visually-hidden">{t('customer.categories')}</h3>
            <ul className="chips">
              {categories.data.map((category) => (
                <li key={category.id}>
                  <Link
                    className="chip chip-link"
                    href={`/book?category=${encodeURIComponent(category.slug)}`}
                  >
                    <CatalogIcon name={category.icon} size={18} /> {localized(category.name)}
                  </Link>
                </li>
              ))}
            </ul>
          </>
        )}
      </section>
      <section className="card" aria-labelledby="bookings-title">
        <h2 id="bookings-title">{t('bookings.title')}</h2>
        <p className="muted">{t('customer.bookings.body')}</p>
        <Link href="/bookings" className="button button-secondary" data-testid="my-bookings">
          {t('customer.bookings.action')}
        </Link>
      </section>
      <section className="card" aria-labelledby="developer-title">
        <h2 id="developer-title">{t('developer.link')}</h2>
        <p className="muted">{t('developer.link.body')}</p>
        <Link href="/developer" className="button button-secondary" data-testid="developer-link">
          {t('developer.title')}
        </Link>
      </section>
      <AccountPanel user={user} />
    </Screen>
  );
}

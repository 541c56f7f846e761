import './book.css';
import './booking.css';
import { skipToken } from '@tanstack/react-query';
import { type RefObject, useEffect, useRef } from 'react';
import type { PublicUser } from '../../../../server/contracts/auth';
import type { Category, Service } from '../../../../server/contracts/catalog';
import { Loading } from '../../components/Loading';
import { Screen } from '../../components/Screen';
import { useI18n } from '../../i18n/I18nProvider';
import { problemKey } from '../../lib/apiErrors';
import { Link, navigate, useSearchParams } from '../../lib/router';
import { trpc } from '../../lib/trpc';
import { usePriceLabel } from '../catalog/ServicePrice';
import { useCategories, useServices } from '../catalog/useCatalog';
import { useMarket } from '../catalog/useMarket';
import { CatalogIcon } from '../console/icons';
import { BookingForm } from './BookingForm/BookingForm';

/** Book a service in three steps kept in the URL (so the phone's back button steps back): category → service → where and when. */
export function BookScreen({ user }: { user: PublicUser }) {
  const { t, localized, formatNumber } = useI18n();
  const params = useSearchParams();
  const { markets, market, choose, query: marketsQuery } = useMarket(user);
  // A category appears in a market when it has a service there (the server decides: catalog.categories).
  const categories = useCategories(market?.slug ?? '');
  const services = useServices(market?.slug ?? '');

  // "Book this technician" from a profile or search (issue 12 §4): offered the job first.
  const chosenId = params.get('technician');
  const chosen = trpc.technician.profile.useQuery(chosenId ? { technicianId: chosenId } : skipToken, {
    staleTime: 60_000,
  });
  const categorySlug = params.get('category');
  const serviceSlug = params.get('service');
  const category = categories.data?.find((c) => c.slug === categorySlug);
  // One city's price list: each service once.
  const all = services.data;
  const service = all?.find((s) => s.slug === serviceSlug && (!category || s.categoryId === category.id));
  const step = service ? 3 : category ? 2 : 1;

  // The button the user pressed is gone after a step change: move focus to the new step's heading.
  const stepHeading = useRef<HTMLHeadingElement>(null);
  const firstRender = useRef(true);
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs when the step changes.
  useEffect(() => {
    if (firstRender.current) {
      firstRender.current = false;
      return;
    }
    stepHeading.current?.focus();
  }, [step]);

  const loadError = categories.error ?? marketsQuery.error ?? services.error;
  const loading = categories.isPending || marketsQuery.isPending || services.isPending;

  return (
    <Screen heading={t('book.title')} testId="book-screen">
      <div className="book-topline">
        <p className="muted step-count">
          {t('book.step', { step: formatNumber(step), total: formatNumber(3) })}
        </p>
        {markets.length > 1 && market && (
          <label className="market-switch">
            <span>{t('market.label')}</span>
            <select
              value={market.slug}
              data-testid="market-select"
              onChange={(e) => {
                choose(e.target.value);
                // Another city's price list: the same steps, its services.
                navigate(`/book${category ? `?category=${encodeURIComponent(category.slug)}` : ''}`);
              }}
            >
              {markets.map((m) => (
                <option key={m.slug} value={m.slug}>
                  {localized(m.name)}
                </option>
              ))}
            </select>
          </label>
        )}
      </div>
      {loadError && !categories.data ? (
        <div className="card">
          <p className="form-error" role="alert">
            {t(problemKey(loadError))}
          </p>
          <button
            type="button"
            className="button button-secondary"
            onClick={() => {
              void categories.refetch();
              void services.refetch();
            }}
          >
            {t('common.retry')}
          </button>
        </div>
      ) : loading ? (
        <Loading />
      ) : step === 1 || !category ? (
        <CategoryStep categories={categories.data ?? []} headingRef={stepHeading} />
      ) : step === 2 || !service || !market ? (
        <ServiceStep
          category={category}
          services={(all ?? []).filter((s) => s.categoryId === category.id)}
          headingRef={stepHeading}
        />
      ) : (
        <>
          <nav className="breadcrumbs" aria-label={t('book.yourChoice')}>
            <Link href={`/book?category=${encodeURIComponent(category.slug)}`}>
              {t('book.changeService')}
            </Link>
          </nav>
          <h2 ref={stepHeading} tabIndex={-1} className="step-heading">
            {localized(service.name)}
          </h2>
          <BookingForm
            key={service.id}
            service={service}
            market={market}
            markets={markets}
            technician={chosen.data ? { id: chosen.data.id, name: chosen.data.name } : undefined}
            onSwitchMarket={(slug) => {
              choose(slug);
              navigate(
                `/book?category=${encodeURIComponent(category.slug)}&service=${encodeURIComponent(service.slug)}`,
              );
            }}
          />
        </>
      )}
    </Screen>
  );
}

function CategoryStep({
  categories,
  headingRef,
}: {
  categories: Category[];
  headingRef: RefObject<HTMLHeadingElement | null>;
}) {
  const { t, localized } = useI18n();
  return (
    <section aria-labelledby="category-step" className="step">
      <h2 id="category-step" ref={headingRef} tabIndex={-1} className="step-heading">
        {t('book.chooseCategory')}
      </h2>
      {categories.length === 0 ? (
        <p className="muted">{t('book.noCategories')}</p>
      ) : (
        <ul className="tile-grid">
          {categories.map((category) => (
            <li key={category.id}>
              <button
                type="button"
                className="tile"
                data-testid={`category-${category.slug}`}
                onClick={() => navigate(`/book?category=${encodeURIComponent(category.slug)}`)}
              >
                <span className="tile-icon" aria-hidden="true">
                  <CatalogIcon name={category.icon} size={32} />
                </span>
                <span className="tile-label">{localized(category.name)}</span>
                {localized(category.description) && (
                  <span className="tile-description">{localized(category.description)}</span>
                )}
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function ServiceStep({
  category,
  services,
  headingRef,
}: {
  category: Category;
  services: Service[];
  headingRef: RefObject<HTMLHeadingElement | null>;
}) {
  const { t, localized, formatMinutes } = useI18n();
  const priceLabel = usePriceLabel();
  return (
    <section aria-labelledby="service-step" className="step">
      <nav className="breadcrumbs" aria-label={t('book.yourChoice')}>
        <Link href="/book">{t('book.allCategories')}</Link>
      </nav>
      <h2 id="service-step" ref={headingRef} tabIndex={-1} className="step-heading">
        <CatalogIcon name={category.icon} /> {localized(category.name)}
      </h2>
      {services.length === 0 ? (
        <p className="muted">{t('book.noServices')}</p>
      ) : (
        <ul className="option-list">
          {services.map((service) => {
            const description = localized(service.description);
            return (
              <li key={service.id}>
                <button
                  type="button"
                  className="option"
                  data-testid={`service-${service.slug}`}
                  onClick={() =>
                    navigate(
                      `/book?category=${encodeURIComponent(category.slug)}&service=${encodeURIComponent(service.slug)}`,
                    )
                  }
                >
                  <span className="option-main">
                    <span className="option-title">{localized(service.name)}</span>
                    {description && <span className="option-hint">{description}</span>}
                  </span>
                  <span className="option-side">
                    <span className="option-price">{priceLabel(service.basePrice, service.priceUnit)}</span>
                    <span className="option-hint">
                      {t('book.duration', { duration: formatMinutes(service.durationMinutes) })}
                    </span>
                  </span>
                </button>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}

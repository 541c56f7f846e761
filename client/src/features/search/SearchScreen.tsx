import './search.css';
import { type FormEvent, useEffect, useId, useMemo, useState } from 'react';
import type { SearchSort, TechnicianCard } from '../../../../server/contracts/discovery';
import { searchSorts } from '../../../../server/contracts/discovery';
import { Avatar } from '../../components/Avatar';
import { Screen } from '../../components/Screen';
import { Spinner } from '../../components/Spinner';
import { useI18n } from '../../i18n/I18nProvider';
import { problemKey } from '../../lib/apiErrors';
import { currentPosition, type LatLng } from '../../lib/geolocation';
import { Link, navigate, useSearchParams } from '../../lib/router';
import { trpc } from '../../lib/trpc';
import { deviceTimeZone } from '../catalog/pickMarket';
import { useCategories } from '../catalog/useCatalog';
import { useMarket } from '../catalog/useMarket';
import { type MapMarker, MapView } from '../map/MapView';
import { Stars } from '../reviews/Stars';
import { useSession } from '../session/SessionProvider';
import { whenToIso } from './when';

const PAGE = 10;
const RADII = [5, 10, 30, 100] as const;
const MIN_RATINGS = [3, 4, 4.5] as const;

/** Parameters of a search, kept in the URL so it can be shared and "back" returns to it. */
type Filters = {
  q: string;
  category: string;
  service: string;
  sort: SearchSort;
  min: number | undefined;
  max: number | undefined;
  radius: number;
  at: LatLng | null;
  map: boolean;
  /** "Available at" (a `datetime-local` value), or ''. */
  when: string;
};

function readFilters(params: URLSearchParams): Filters {
  const num = (name: string) => {
    const v = Number(params.get(name));
    return params.get(name) && Number.isFinite(v) && v > 0 ? v : undefined;
  };
  const sort = params.get('sort');
  const lat = Number(params.get('lat'));
  const lng = Number(params.get('lng'));
  const radius = num('radius');
  return {
    q: params.get('q') ?? '',
    category: params.get('category') ?? '',
    service: params.get('service') ?? '',
    sort: searchSorts.find((s) => s === sort) ?? 'best',
    min: num('min'),
    max: num('max'),
    radius: RADII.find((r) => r === radius) ?? 30,
    at:
      params.get('lat') && params.get('lng') && Math.abs(lat) <= 90 && Math.abs(lng) <= 180
        ? { lat, lng }
        : null,
    map: params.get('view') === 'map',
    when: params.get('when') ?? '',
  };
}

function writeFilters(f: Filters): string {
  const p = new URLSearchParams();
  if (f.q) p.set('q', f.q);
  if (f.category) p.set('category', f.category);
  if (f.service) p.set('service', f.service);
  if (f.sort !== 'best') p.set('sort', f.sort);
  if (f.min) p.set('min', String(f.min));
  if (f.max) p.set('max', String(f.max));
  if (f.radius !== 30) p.set('radius', String(f.radius));
  if (f.at) {
    p.set('lat', f.at.lat.toFixed(4));
    p.set('lng', f.at.lng.toFixed(4));
  }
  if (f.map) p.set('view', 'map');
  if (f.when) p.set('when', f.when);
  const s = p.toString();
  return s ? `/search?${s}` : '/search';
}

/** Find a technician: near a point, by words, service, rating and price; before signing up too. */
export function SearchScreen() {
  const { t, locale, localized } = useI18n();
  const session = useSession();
  const user = session.status === 'signed-in' ? session.user : null;
  const params = useSearchParams();
  const filters = readFilters(params);
  const update = (patch: Partial<Filters>) =>
    navigate(writeFilters({ ...filters, ...patch }), { replace: true });

  // Signed out: the device's own time zone and the app's language pick the city (market.list's data).
  const { market } = useMarket({
    timeZone: user?.timeZone ?? deviceTimeZone(),
    locale: user?.locale ?? locale,
  });
  const at = filters.at ?? (market ? { lat: market.center[0], lng: market.center[1] } : null);
  // The catalogue of the city searched in (services and prices are per market).
  const located = trpc.market.locate.useQuery(at ?? { lat: 0, lng: 0 }, {
    enabled: at !== null,
    staleTime: 600_000,
  });
  const marketSlug = located.data?.slug ?? market?.slug;
  const services = trpc.catalog.services.useQuery(
    { market: marketSlug },
    { enabled: Boolean(marketSlug), staleTime: 600_000 },
  );
  const categories = useCategories();
  const category = categories.data?.find((c) => c.slug === filters.category);
  const service = services.data?.find(
    (s) => s.slug === filters.service && (!category || s.categoryId === category.id),
  );
  const currency = services.data?.[0]?.basePrice.currency;

  const input = at && {
    lat: at.lat,
    lng: at.lng,
    q: filters.q || undefined,
    categoryId: category?.id,
    serviceId: service?.id,
    minRating: filters.min,
    maxPrice: filters.max ? Math.round(filters.max * 100) : undefined,
    sort: filters.sort,
    radiusKm: filters.radius,
    availableAt: whenToIso(filters.when),
    limit: PAGE,
  };
  const results = trpc.technician.search.useInfiniteQuery(input ?? { lat: 0, lng: 0 }, {
    enabled: input !== null && (!filters.service || service !== undefined),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    staleTime: 30_000,
  });
  const items = results.data?.pages.flatMap((page) => page.items) ?? [];
  // Open at first when the URL already filters; then the user's to open and close.
  const [filtersOpen, setFiltersOpen] = useState(() =>
    Boolean(filters.category || filters.service || filters.min || filters.max || filters.when),
  );

  return (
    <Screen heading={t('search.title')} testId="search-screen">
      <SearchBox initial={filters.q} onSearch={(q) => update({ q })} />
      {user && <Saved />}
      <Where
        usingMyLocation={filters.at !== null}
        cityName={located.data ? localized(located.data.name) : market ? localized(market.name) : null}
        onLocated={(point) => update({ at: point })}
      />
      <details
        className="card search-filters"
        open={filtersOpen}
        onToggle={(event) => setFiltersOpen(event.currentTarget.open)}
      >
        <summary className="search-filters-summary">{t('search.filters')}</summary>
        <div className="search-filter-grid">
          <Select
            label={t('search.category')}
            value={filters.category}
            onChange={(v) => update({ category: v, service: '' })}
            testId="filter-category"
            options={[
              { value: '', label: t('search.any') },
              ...(categories.data ?? []).map((c) => ({
                value: c.slug,
                label: localized(c.name),
              })),
            ]}
          />
          <Select
            label={t('search.service')}
            value={filters.service}
            onChange={(v) => update({ service: v })}
            testId="filter-service"
            options={[
              { value: '', label: t('search.any') },
              ...(services.data ?? [])
                .filter((s) => !category || s.categoryId === category.id)
                .map((s) => ({ value: s.slug, label: localized(s.name) })),
            ]}
          />
          <Select
            label={t('search.minRating')}
            value={filters.min ? String(filters.min) : ''}
            onChange={(v) => update({ min: v ? Number(v) : undefined })}
            testId="filter-rating"
            options={[
              { value: '', label: t('search.any') },
              ...MIN_RATINGS.map((r) => ({
                value: String(r),
                label: t('search.starsUp', { value: r }),
              })),
            ]}
          />
          <MaxPrice value={filters.max} currency={currency} onChange={(max) => update({ max })} />
          <Select
            label={t('search.radius')}
            value={String(filters.radius)}
            onChange={(v) => update({ radius: Number(v) })}
            testId="filter-radius"
            options={RADII.map((r) => ({ value: String(r), label: t('search.withinKm', { km: r }) }))}
          />
          <AvailableAt value={filters.when} onChange={(when) => update({ when })} />
        </div>
      </details>
      <div className="search-bar">
        <Select
          label={t('search.sort')}
          value={filters.sort}
          onChange={(v) => update({ sort: v as SearchSort })}
          testId="search-sort"
          options={searchSorts.map((s) => ({ value: s, label: t(`search.sort.${s}`) }))}
        />
        <button
          type="button"
          className="button button-secondary"
          aria-pressed={filters.map}
          onClick={() => update({ map: !filters.map })}
          data-testid="toggle-map"
        >
          {filters.map ? t('search.showList') : t('search.showMap')}
        </button>
      </div>
      {filters.map && at && <ResultsMap at={at} items={items} />}
      <section aria-live="polite" aria-busy={results.isFetching} data-testid="search-results">
        {!input || results.isPending ? (
          <ResultSkeleton />
        ) : results.error && items.length === 0 ? (
          <div className="card">
            <p className="form-error" role="alert">
              {t(problemKey(results.error))}
            </p>
            <button type="button" className="button button-secondary" onClick={() => void results.refetch()}>
              {t('common.retry')}
            </button>
          </div>
        ) : items.length === 0 ? (
          <div className="card search-empty" data-testid="search-empty">
            <p>{t('search.empty')}</p>
            <button
              type="button"
              className="button button-secondary"
              onClick={() =>
                update({ q: '', category: '', service: '', min: undefined, max: undefined, radius: 100 })
              }
            >
              {t('search.clear')}
            </button>
          </div>
        ) : (
          <>
            <ul className="tech-results">
              {items.map((item) => (
                <li key={item.id}>
                  <ResultCard item={item} />
                </li>
              ))}
            </ul>
            {results.hasNextPage && (
              <button
                type="button"
                className="button button-secondary button-block"
                disabled={results.isFetchingNextPage}
                onClick={() => void results.fetchNextPage()}
              >
                {results.isFetchingNextPage && <Spinner small />}
                {results.isFetchingNextPage ? t('common.loadingMore') : t('common.loadMore')}
              </button>
            )}
          </>
        )}
      </section>
      {!user && (
        <p className="muted small">
          {t('search.signUpHint')} <Link href="/sign-up">{t('landing.signUp')}</Link>
        </p>
      )}
    </Screen>
  );
}

function SearchBox({ initial, onSearch }: { initial: string; onSearch: (q: string) => void }) {
  const { t } = useI18n();
  const id = useId();
  const [q, setQ] = useState(initial);
  useEffect(() => setQ(initial), [initial]);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onSearch(q.trim());
  };
  return (
    <search>
      <form className="search-box" onSubmit={submit}>
        <label htmlFor={id} className="visually-hidden">
          {t('search.query')}
        </label>
        <input
          id={id}
          type="search"
          className="search-input"
          name="q"
          dir="auto"
          value={q}
          maxLength={100}
          placeholder={t('search.placeholder')}
          onChange={(event) => setQ(event.target.value)}
          data-testid="search-input"
        />
        <button type="submit" className="button button-primary" data-testid="search-submit">
          {t('search.go')}
        </button>
      </form>
    </search>
  );
}

/** Where we search around: the city's centre until the user shares their position. */
function Where({
  usingMyLocation,
  cityName,
  onLocated,
}: {
  usingMyLocation: boolean;
  cityName: string | null;
  onLocated: (point: LatLng) => void;
}) {
  const { t } = useI18n();
  const [pending, setPending] = useState(false);
  const [problem, setProblem] = useState(false);
  const locate = async () => {
    setPending(true);
    setProblem(false);
    try {
      const position = await currentPosition();
      onLocated({ lat: position.coords.latitude, lng: position.coords.longitude });
    } catch {
      setProblem(true);
    } finally {
      setPending(false);
    }
  };
  return (
    <div className="search-where">
      <p className="small">
        {usingMyLocation
          ? t('search.nearYou')
          : cityName
            ? t('search.nearCity', { city: cityName })
            : t('app.loading')}
      </p>
      <button
        type="button"
        className="button button-ghost"
        onClick={() => void locate()}
        disabled={pending}
        data-testid="search-use-location"
      >
        {pending && <Spinner small />}
        {t('search.useMyLocation')}
      </button>
      {problem && (
        <p className="field-error" role="alert">
          {t('search.locationFailed')}
        </p>
      )}
    </div>
  );
}

function Select({
  label,
  value,
  onChange,
  options,
  testId,
}: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  options: Array<{ value: string; label: string }>;
  testId: string;
}) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <div className="field-control">
        <select id={id} value={value} onChange={(event) => onChange(event.target.value)} data-testid={testId}>
          {options.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      </div>
    </div>
  );
}

function MaxPrice({
  value,
  currency,
  onChange,
}: {
  value: number | undefined;
  currency: string | undefined;
  onChange: (value: number | undefined) => void;
}) {
  const { t } = useI18n();
  const id = useId();
  const [text, setText] = useState(value ? String(value) : '');
  useEffect(() => setText(value ? String(value) : ''), [value]);
  const commit = () => {
    const n = Number(text.replace(/[^\d.]/g, ''));
    onChange(text.trim() && Number.isFinite(n) && n > 0 ? n : undefined);
  };
  return (
    <div className="field">
      <label htmlFor={id}>{currency ? t('search.maxPriceIn', { currency }) : t('search.maxPrice')}</label>
      <div className="field-control">
        <input
          id={id}
          inputMode="decimal"
          value={text}
          onChange={(event) => setText(event.target.value)}
          onBlur={commit}
          onKeyDown={(event) => {
            if (event.key === 'Enter') {
              event.preventDefault();
              commit();
            }
          }}
          data-testid="filter-max-price"
        />
      </div>
    </div>
  );
}

function ResultCard({ item }: { item: TechnicianCard }) {
  const { t, localized, formatDistance, formatMoney, formatDateTime } = useI18n();
  const price = item.price;
  return (
    <Link
      href={`/technicians/${item.id}`}
      className="tech-result"
      data-testid="search-result"
      data-id={item.id}
    >
      <Avatar name={item.name} photoUrl={item.photoUrl} size={48} />
      <span className="tech-result-main">
        <span className="tech-result-name">
          <bdi>{item.name}</bdi>
          {item.availableNow && <span className="badge badge-live">{t('search.availableNow')}</span>}
        </span>
        <Stars rating={item.rating} />
        <span className="muted small tech-result-services">
          {item.services
            .slice(0, 3)
            .map((s) => localized(s.name))
            .join(' · ')}
        </span>
      </span>
      <span className="tech-result-side">
        {price && (
          <span className="option-price">
            {price.from ? t('search.from', { price: formatMoney(price) }) : formatMoney(price)}
            {price.unit === 'hourly' && <span className="small"> {t('search.perHour')}</span>}
          </span>
        )}
        {item.distanceMeters !== null && (
          <span className="muted small">
            {t('search.away', { distance: formatDistance(item.distanceMeters) })}
          </span>
        )}
        {item.nextAvailableAt !== undefined && (
          <span className="muted small" data-testid="next-available" data-at={item.nextAvailableAt ?? ''}>
            {item.nextAvailableAt
              ? t('search.nextFree', { time: formatDateTime(item.nextAvailableAt) })
              : t('search.noneThisWeek')}
          </span>
        )}
      </span>
    </Link>
  );
}

function ResultsMap({ at, items }: { at: LatLng; items: TechnicianCard[] }) {
  const { t } = useI18n();
  const markers = useMemo<MapMarker[]>(
    () => [
      { id: 'here', position: at, kind: 'job', label: t('search.searchPoint') },
      ...items.flatMap((item): MapMarker[] =>
        item.area ? [{ id: item.id, position: item.area, kind: 'area', label: item.name }] : [],
      ),
    ],
    [at, items, t],
  );
  return <MapView label={t('search.mapLabel')} center={at} zoom={12} markers={markers} height={260} />;
}

function ResultSkeleton() {
  const { t } = useI18n();
  return (
    <div className="skeleton-group" role="status" data-testid="search-loading">
      {[0, 1, 2].map((n) => (
        <div key={n} className="tech-result tech-result-skeleton">
          <span className="avatar skeleton" style={{ inlineSize: 48, blockSize: 48 }} />
          <span className="tech-result-main">
            <span className="skeleton" />
            <span className="skeleton" />
          </span>
        </div>
      ))}
      <span className="visually-hidden">{t('app.loading')}</span>
    </div>
  );
}

/** The signed-in user's saved technicians (favourites), one tap from the search. */
function Saved() {
  const { t } = useI18n();
  const saved = trpc.favorite.list.useQuery(undefined, { staleTime: 30_000 });
  const items = saved.data?.items ?? [];
  if (items.length === 0) return null;
  return (
    <section aria-labelledby="saved-title" data-testid="saved-technicians">
      <h2 id="saved-title" className="small muted">
        {t('search.saved')}
      </h2>
      <ul className="chips">
        {items.map((item) => (
          <li key={item.id}>
            <Link href={`/technicians/${item.id}`} className="chip chip-link">
              <span aria-hidden="true" className="saved-heart">
                ♥
              </span>
              <bdi>{item.name}</bdi>
            </Link>
          </li>
        ))}
      </ul>
    </section>
  );
}

/** "Available at": only technicians at work then (their hours, time off and booked jobs). */
function AvailableAt({ value, onChange }: { value: string; onChange: (value: string) => void }) {
  const { t } = useI18n();
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{t('search.availableAt')}</label>
      <input
        id={id}
        type="datetime-local"
        data-testid="filter-available-at"
        value={value}
        onChange={(event) => onChange(event.target.value)}
      />
      {value && !whenToIso(value) && <p className="field-error">{t('search.availableAtPast')}</p>}
    </div>
  );
}

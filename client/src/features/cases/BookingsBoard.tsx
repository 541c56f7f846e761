import { useEffect, useId, useState } from 'react';
import { type BookingStatus, bookingStatuses } from '../../../../server/contracts/booking';
import { PagedList } from '../../components/PagedList';
import { Screen } from '../../components/Screen';
import { useI18n } from '../../i18n/I18nProvider';
import { Link, navigate, useSearchParams } from '../../lib/router';
import { trpc } from '../../lib/trpc';
import { StatusChip } from '../booking/StatusChip';
import { useMarketNames } from '../catalog/useMarket';
import { type BoardFilters, boardInput, boardQuery, parseBoardFilters } from './boardFilters';
import { PersonPicker } from './PersonPicker';
import './cases.css';

/**
 * /admin/bookings: every booking, newest first, filtered by status, market, service, day, customer and
 * technician. The filters live in the URL query (boardFilters.ts): a view reloads and can be shared, and
 * a user's page links to `?customer=<id>` or `?technician=<id>`.
 */
export function BookingsBoard() {
  const { t, localized, formatMoney, formatDateTime } = useI18n();
  const id = useId();
  const { markets, nameOf: marketName } = useMarketNames();
  const filters = parseBoardFilters(useSearchParams());
  const { status = '', market = '', service: serviceId = '', from = '', to = '' } = filters;
  const set = (change: Partial<BoardFilters>) => {
    const next = { ...filters, ...change };
    // Another market's services are not offered here: the service filter goes with the market.
    if ('market' in change && change.market !== filters.market) next.service = undefined;
    navigate(`/admin/bookings${boardQuery(next)}`, { replace: true, keepScroll: true });
  };
  const setStatus = (v: BookingStatus | '') => set({ status: v || undefined });
  const setMarket = (v: string) => set({ market: v || undefined });
  const setServiceId = (v: string) => set({ service: v || undefined });
  const setFrom = (v: string) => set({ from: v || undefined });
  const setTo = (v: string) => set({ to: v || undefined });
  const services = trpc.catalog.services.useQuery(market ? { market } : undefined, { staleTime: 600_000 });
  const pages = trpc.admin.bookings.list.useInfiniteQuery(boardInput(filters), {
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    staleTime: 5_000,
  });
  const rows = pages.data?.pages.flatMap((p) => p.items) ?? [];
  // A person chosen from a link is named by the board's rows (every row is theirs); the picker names its own.
  const [picked, setPicked] = useState<Record<string, string>>({});
  const nameOf = (who: string | undefined, fromRows: string | undefined) =>
    (who && picked[who]) || fromRows || null;
  const customerName = nameOf(
    filters.customer,
    rows.find((r) => r.customer.id === filters.customer)?.customer.name,
  );
  const technicianName = nameOf(
    filters.technician,
    rows.find((r) => r.technician?.id === filters.technician)?.technician?.name,
  );
  // Names seen on the board are kept, so a chosen person stays named when no row matches any more.
  useEffect(() => {
    const seen: Record<string, string> = {};
    if (filters.customer && customerName) seen[filters.customer] = customerName;
    if (filters.technician && technicianName) seen[filters.technician] = technicianName;
    if (Object.keys(seen).some((k) => picked[k] !== seen[k])) setPicked((m) => ({ ...m, ...seen }));
  }, [filters.customer, filters.technician, customerName, technicianName, picked]);
  const pick = (key: 'customer' | 'technician', p: { id: string; name: string } | null) => {
    if (p) setPicked((m) => ({ ...m, [p.id]: p.name }));
    set({ [key]: p?.id });
  };

  return (
    <Screen heading={t('cases.board.title')} testId="admin-bookings">
      <nav className="breadcrumbs" aria-label={t('cases.nav')}>
        <Link href="/home">{t('booking.backHome')}</Link>
      </nav>
      <section className="card" aria-labelledby={`${id}-filters`}>
        <h2 id={`${id}-filters`} className="visually-hidden">
          {t('cases.board.filters')}
        </h2>
        <div className="cases-filters">
          <label className="field">
            <span>{t('cases.board.status')}</span>
            <select
              value={status}
              data-testid="board-status"
              onChange={(e) => setStatus(e.target.value as BookingStatus | '')}
            >
              <option value="">{t('cases.any')}</option>
              {bookingStatuses.map((s) => (
                <option key={s} value={s}>
                  {t(`status.${s}`)}
                </option>
              ))}
            </select>
          </label>
          <label className="field">
            <span>{t('cases.board.market')}</span>
            <select value={market} onChange={(e) => setMarket(e.target.value)}>
              <option value="">{t('cases.any')}</option>
              {markets.map((m) => (
                <option key={m.slug} value={m.slug}>
                  {localized(m.name)}
                </option>
              ))}
            </select>
          </label>
          <label className="field">
            <span>{t('cases.board.service')}</span>
            <select value={serviceId} onChange={(e) => setServiceId(e.target.value)}>
              <option value="">{t('cases.any')}</option>
              {(services.data ?? []).map((s) => (
                <option key={s.id} value={s.id}>
                  {localized(s.name)}
                </option>
              ))}
            </select>
          </label>
          <label className="field">
            <span>{t('cases.board.from')}</span>
            <input type="date" value={from} onChange={(e) => setFrom(e.target.value)} />
          </label>
          <label className="field">
            <span>{t('cases.board.to')}</span>
            <input type="date" value={to} onChange={(e) => setTo(e.target.value)} />
          </label>
          <PersonPicker
            kind="customer"
            label={t('cases.customer')}
            testId="board-customer"
            value={filters.customer ? { id: filters.customer, name: customerName } : null}
            onChange={(p) => pick('customer', p)}
          />
          <PersonPicker
            kind="technician"
            label={t('cases.technician')}
            testId="board-technician"
            value={filters.technician ? { id: filters.technician, name: technicianName } : null}
            onChange={(p) => pick('technician', p)}
          />
        </div>
      </section>
      <PagedList
        pages={pages}
        count={rows.length}
        more={{ label: t('cases.more'), spinner: 'large' }}
        empty={<p className="muted">{t('cases.board.none')}</p>}
      >
        <ul className="cases-list" data-testid="board-rows">
          {rows.map((b) => (
            <li key={b.id} className="card cases-row">
              <div className="cases-row-head">
                <Link href={`/admin/bookings/${b.id}`} className="cases-row-title">
                  {localized(b.service.name)}
                </Link>
                <StatusChip status={b.status} />
              </div>
              <p className="small">
                {t('cases.customer')}: <bdi>{b.customer.name}</bdi> · {t('cases.technician')}:{' '}
                <bdi>{b.technician?.name ?? t('cases.board.noTechnician')}</bdi>
              </p>
              <p className="muted small">
                {formatDateTime(b.createdAt)} · {localized(marketName(b.market))} · {formatMoney(b.total)}
              </p>
              {b.openDisputeId && (
                <Link href={`/admin/disputes/${b.openDisputeId}`} className="chip chip-link">
                  {t('cases.board.openCase')}
                </Link>
              )}
            </li>
          ))}
        </ul>
      </PagedList>
    </Screen>
  );
}

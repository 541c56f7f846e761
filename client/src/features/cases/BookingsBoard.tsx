import { useId, useState } from 'react';
import { type BookingStatus, bookingStatuses } from '../../../../server/contracts/booking';
import { Loading } from '../../components/Loading';
import { Screen } from '../../components/Screen';
import { Spinner } from '../../components/Spinner';
import { useI18n } from '../../i18n/I18nProvider';
import { problemKey } from '../../lib/apiErrors';
import { Link } from '../../lib/router';
import { trpc } from '../../lib/trpc';
import { StatusChip } from '../booking/StatusChip';
import { useMarketNames } from '../catalog/useMarket';
import './cases.css';

/** A date input's day as the start of that day in the admin's time zone, ISO (or undefined). */
const dayStart = (day: string) => (day ? new Date(`${day}T00:00:00`).toISOString() : undefined);
const dayEnd = (day: string) =>
  day ? new Date(new Date(`${day}T00:00:00`).getTime() + 24 * 3600_000).toISOString() : undefined;

/** /admin/bookings: every booking, newest first, filtered by status, market, service and day. */
export function BookingsBoard() {
  const { t, localized, formatMoney, formatDateTime } = useI18n();
  const id = useId();
  const { markets, nameOf } = useMarketNames();
  const [status, setStatus] = useState<BookingStatus | ''>('');
  const [market, setMarket] = useState<string>('');
  const [serviceId, setServiceId] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const services = trpc.catalog.services.useQuery(market ? { market } : undefined, { staleTime: 600_000 });
  const pages = trpc.admin.bookings.list.useInfiniteQuery(
    {
      status: status || undefined,
      market: market || undefined,
      serviceId: serviceId || undefined,
      from: dayStart(from),
      to: dayEnd(to),
    },
    { getNextPageParam: (last) => last.nextCursor ?? undefined, staleTime: 5_000 },
  );
  const rows = pages.data?.pages.flatMap((p) => p.items) ?? [];

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
        </div>
      </section>
      {pages.isPending ? (
        <Loading />
      ) : pages.error && rows.length === 0 ? (
        <p className="form-error" role="alert">
          {t(problemKey(pages.error))}
        </p>
      ) : rows.length === 0 ? (
        <p className="muted">{t('cases.board.none')}</p>
      ) : (
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
                {formatDateTime(b.createdAt)} · {localized(nameOf(b.market))} · {formatMoney(b.total)}
              </p>
              {b.openDisputeId && (
                <Link href={`/admin/disputes/${b.openDisputeId}`} className="chip chip-link">
                  {t('cases.board.openCase')}
                </Link>
              )}
            </li>
          ))}
        </ul>
      )}
      {pages.hasNextPage && (
        <button
          type="button"
          className="button button-secondary"
          disabled={pages.isFetchingNextPage}
          onClick={() => void pages.fetchNextPage()}
        >
          {pages.isFetchingNextPage ? <Spinner /> : null}
          {t('cases.more')}
        </button>
      )}
    </Screen>
  );
}

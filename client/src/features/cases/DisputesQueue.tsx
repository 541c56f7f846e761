import { useState } from 'react';
import { type DisputeStatus, disputeStatuses } from '../../../../server/contracts/cases';
import { PagedList } from '../../components/PagedList';
import { Screen } from '../../components/Screen';
import { useI18n } from '../../i18n/I18nProvider';
import { Link } from '../../lib/router';
import { trpc } from '../../lib/trpc';
import './cases.css';

type Filter = DisputeStatus | 'all';
const FILTERS: Filter[] = [...disputeStatuses, 'all'];

/** /admin/disputes: the queue of cases (customers' disputes and technicians' reports). */
export function DisputesQueue() {
  const { t, localized, formatDateTime } = useI18n();
  const [filter, setFilter] = useState<Filter>('open');
  const pages = trpc.admin.disputes.list.useInfiniteQuery(
    { status: filter === 'all' ? undefined : filter },
    { getNextPageParam: (last) => last.nextCursor ?? undefined, staleTime: 5_000 },
  );
  const rows = pages.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <Screen heading={t('cases.queue.title')} testId="admin-disputes">
      <nav className="breadcrumbs" aria-label={t('cases.nav')}>
        <Link href="/home">{t('booking.backHome')}</Link>
      </nav>
      <fieldset className="filter-chips">
        <legend className="visually-hidden">{t('cases.board.status')}</legend>
        {FILTERS.map((f) => (
          <button
            key={f}
            type="button"
            className="chip chip-button"
            aria-pressed={filter === f}
            data-testid={`cases-filter-${f}`}
            onClick={() => setFilter(f)}
          >
            {f === 'all' ? t('cases.any') : t(`cases.status.${f}`)}
          </button>
        ))}
      </fieldset>
      <PagedList
        pages={pages}
        count={rows.length}
        more={{ label: t('cases.more'), spinner: 'large' }}
        empty={<p className="muted">{t('cases.queue.none')}</p>}
      >
        <ul className="cases-list" data-testid="case-rows">
          {rows.map((c) => (
            <li key={c.id} className="card cases-row" data-testid="case-row">
              <div className="cases-row-head">
                <Link href={`/admin/disputes/${c.id}`} className="cases-row-title">
                  {t(`cases.reason.${c.reason as 'other'}`)}
                </Link>
                <span className={`chip cases-status-${c.status}`}>{t(`cases.status.${c.status}`)}</span>
              </div>
              <p className="small">
                {t(`cases.kind.${c.kind}`)} · {localized(c.service)}
              </p>
              <p className="muted small">
                <bdi>{c.customer.name}</bdi> · <bdi>{c.technician?.name ?? '—'}</bdi> ·{' '}
                {formatDateTime(c.createdAt)}
              </p>
            </li>
          ))}
        </ul>
      </PagedList>
    </Screen>
  );
}

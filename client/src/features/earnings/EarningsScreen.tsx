import './earnings.css';
import { useEffect, useMemo } from 'react';
import type { PublicUser } from '../../../../server/contracts/auth';
import type { EarningsEntry } from '../../../../server/contracts/payment';
import { Loading } from '../../components/Loading';
import { PagedList, QueryError } from '../../components/PagedList';
import { Screen } from '../../components/Screen';
import type { MessageKey } from '../../i18n/en';
import { useI18n } from '../../i18n/I18nProvider';
import { Link } from '../../lib/router';
import { trpc } from '../../lib/trpc';

/** Lines that are money earned (the rest moves money already earned: cash in hand, payouts). */
const EARNING_LINES = new Set(['earnings', 'tip']);
/** "This week" reads back at most this many pages of entries (a busy week on a slow phone). */
const WEEK_PAGES = 5;

/** Monday 00:00 of this week, on the phone's clock. */
function startOfWeek(now: Date): number {
  const d = new Date(now.getFullYear(), now.getMonth(), now.getDate());
  d.setDate(d.getDate() - ((d.getDay() + 6) % 7));
  return d.getTime();
}

function entryKey(e: EarningsEntry): MessageKey {
  if (e.kind === 'refund') return e.line === 'tip' ? 'earnings.line.tipRefund' : 'earnings.line.refund';
  if (e.kind === 'cancellation_fee') return 'earnings.line.cancellationFee';
  switch (e.line) {
    case 'earnings':
      return 'earnings.line.earnings';
    case 'tip':
      return 'earnings.line.tip';
    case 'cash':
      return 'earnings.line.cash';
    case 'payout':
      return 'earnings.line.payout';
    default:
      return 'earnings.line.other';
  }
}

/** What a technician earned: this week, the balance with Fundi, and every entry behind it. */
export function EarningsScreen(_: { user: PublicUser }) {
  const { t, formatMoney, formatDateTime } = useI18n();
  const summary = trpc.earnings.summary.useQuery(undefined, { staleTime: 10_000 });
  const pages = trpc.earnings.entries.useInfiniteQuery(
    { limit: 30 },
    { getNextPageParam: (last) => last.nextCursor ?? undefined, staleTime: 10_000 },
  );
  const entries = useMemo(() => pages.data?.pages.flatMap((p) => p.items) ?? [], [pages.data]);
  const weekStart = startOfWeek(new Date());
  const oldest = entries.at(-1);
  const weekComplete = !pages.hasNextPage || (oldest !== undefined && Date.parse(oldest.at) < weekStart);
  const loadedPages = pages.data?.pages.length ?? 0;
  // biome-ignore lint/correctness/useExhaustiveDependencies: follows the pages loaded.
  useEffect(() => {
    if (!weekComplete && loadedPages > 0 && loadedPages < WEEK_PAGES && !pages.isFetchingNextPage)
      void pages.fetchNextPage();
  }, [weekComplete, loadedPages]);

  const s = summary.data;
  // In the summary's currency (their market's, from the server): money is shown only with a summary.
  const money = (amount: number) => (s ? formatMoney({ amount, currency: s.currency }) : '');
  const thisWeek = entries.filter((e) => Date.parse(e.at) >= weekStart && EARNING_LINES.has(e.line));
  const weekTotal = thisWeek.reduce((a, e) => a + e.amount.amount, 0);
  const weekJobs = new Set(thisWeek.map((e) => e.bookingId).filter(Boolean)).size;

  return (
    <Screen heading={t('earnings.title')} testId="earnings">
      <nav className="breadcrumbs" aria-label={t('earnings.title')}>
        <Link href="/home">{t('booking.backHome')}</Link>
      </nav>
      {s ? (
        <>
          <section className="card card-feature" aria-labelledby="earnings-week-title">
            <h2 id="earnings-week-title">{t('earnings.week')}</h2>
            <p className="quote-total" data-testid="earnings-week">
              {money(weekTotal)}
              {!weekComplete && '+'}
            </p>
            <p className="muted small">{t('earnings.weekJobs', { count: weekJobs })}</p>
          </section>
          <section className="card" aria-labelledby="earnings-balance-title">
            <h2 id="earnings-balance-title">{t('earnings.balance')}</h2>
            <p
              className={`quote-total ${s.balance < 0 ? 'earnings-owed' : ''}`}
              data-testid="earnings-balance"
              data-amount={s.balance}
            >
              {money(Math.abs(s.balance))}
            </p>
            <p className="muted small">
              {s.balance > 0
                ? t('earnings.balanceOwedToYou')
                : s.balance < 0
                  ? t('earnings.balanceYouOwe')
                  : t('earnings.balanceZero')}
            </p>
            <dl className="facts" data-testid="earnings-summary">
              <div>
                <dt>{t('earnings.earned')}</dt>
                <dd data-testid="earnings-earned">{money(s.earned)}</dd>
              </div>
              <div>
                <dt>{t('earnings.tips')}</dt>
                <dd data-testid="earnings-tips">{money(s.tips)}</dd>
              </div>
              <div>
                <dt>{t('earnings.commission')}</dt>
                <dd data-testid="earnings-commission">{money(s.commission)}</dd>
              </div>
              <div>
                <dt>{t('earnings.cashCollected')}</dt>
                <dd data-testid="earnings-cash">{money(s.cashCollected)}</dd>
              </div>
              <div>
                <dt>{t('earnings.paidOut')}</dt>
                <dd data-testid="earnings-paid-out">{money(s.paidOut)}</dd>
              </div>
            </dl>
            <p className="muted small">{t('earnings.howItWorks')}</p>
          </section>
        </>
      ) : summary.error ? (
        <section className="card">
          <QueryError error={summary.error} onRetry={() => void summary.refetch()} />
        </section>
      ) : (
        <Loading />
      )}

      <section className="card" aria-labelledby="earnings-entries-title" aria-busy={pages.isFetching}>
        <h2 id="earnings-entries-title">{t('earnings.entries')}</h2>
        <PagedList
          pages={pages}
          count={entries.length}
          skeleton
          retry
          more={{ testId: 'earnings-more' }}
          empty={<p className="muted">{t('earnings.empty')}</p>}
        >
          <ul className="ledger-list">
            {entries.map((e) => (
              <li key={e.id} className="ledger-entry" data-testid="earnings-entry" data-line={e.line}>
                <span className="ledger-main">
                  <span className="ledger-title">{t(entryKey(e))}</span>
                  <span className="muted small">
                    <time dateTime={e.at}>{formatDateTime(e.at)}</time>
                    {e.memo && (e.kind === 'payout' || e.kind === 'refund') && (
                      <>
                        {' · '}
                        <bdi dir="auto">{e.memo}</bdi>
                      </>
                    )}
                  </span>
                  {e.bookingId && (
                    <Link href={`/bookings/${e.bookingId}`} className="small">
                      {t('earnings.viewJob')}
                    </Link>
                  )}
                </span>
                <span className={`ledger-amount ${e.amount.amount < 0 ? 'ledger-minus' : 'ledger-plus'}`}>
                  <bdi>
                    {e.amount.amount > 0 ? '+' : e.amount.amount < 0 ? '−' : ''}
                    {formatMoney({ amount: Math.abs(e.amount.amount), currency: e.amount.currency })}
                  </bdi>
                </span>
              </li>
            ))}
          </ul>
        </PagedList>
      </section>
    </Screen>
  );
}

import './analytics.css';
import { lazy, type ReactNode, Suspense, useCallback, useId, useMemo, useState } from 'react';
import type { AnalyticsDashboard, CancelSide } from '../../../../server/contracts/analytics';
import type { PublicUser } from '../../../../server/contracts/auth';
import { Loading } from '../../components/Loading';
import { Screen } from '../../components/Screen';
import type { MessageKey } from '../../i18n/en';
import { useI18n } from '../../i18n/I18nProvider';
import { INTL_LOCALES } from '../../i18n/locale';
import { problemKey } from '../../lib/apiErrors';
import { Link } from '../../lib/router';
import { trpc } from '../../lib/trpc';
import { Chart } from './Chart';

const DemandHeatmap = lazy(() => import('./DemandHeatmap'));

const RANGES = [7, 30, 90, 365] as const;
type RangeDays = (typeof RANGES)[number];
const HOUR = 3_600_000;

const COLORS = {
  brand: '#0e7c66',
  blue: '#2563eb',
  amber: '#b45309',
  red: '#b42318',
  grey: '#6b7280',
};

/** Admin analytics (issue 14 §6): one `admin.analytics.dashboard` call for a market and a period. */
export function AnalyticsScreen({ user }: { user: PublicUser }) {
  const { t } = useI18n();
  const id = useId();
  const markets = trpc.market.list.useQuery(undefined, { staleTime: 10 * 60_000 });
  const [market, setMarket] = useState<string | null>(null);
  const [days, setDays] = useState<RangeDays>(30);
  // The period ends at the next full hour: the current hour is in, and the query key stays put.
  const to = useMemo(() => new Date(Math.ceil(Date.now() / HOUR) * HOUR), []);
  const from = useMemo(() => new Date(to.getTime() - days * 24 * HOUR), [to, days]);
  const chosen =
    market ??
    markets.data?.find((m) => m.defaultLocale === user.locale)?.slug ??
    markets.data?.[0]?.slug ??
    null;
  const dashboard = trpc.admin.analytics.dashboard.useQuery(
    { market: chosen ?? '', from: from.toISOString(), to: to.toISOString() },
    { enabled: chosen !== null, staleTime: 60_000, placeholderData: (prev) => prev },
  );
  const marketRow = markets.data?.find((m) => m.slug === chosen);

  return (
    <Screen heading={t('analytics.title')} testId="admin-analytics">
      <nav className="breadcrumbs" aria-label={t('analytics.title')}>
        <Link href="/home">{t('booking.backHome')}</Link>
      </nav>
      <form
        className="card an-filters"
        aria-label={t('analytics.filters')}
        onSubmit={(e) => e.preventDefault()}
      >
        <label className="an-field" htmlFor={`${id}-market`}>
          <span>{t('analytics.market')}</span>
          <select
            id={`${id}-market`}
            value={chosen ?? ''}
            onChange={(e) => setMarket(e.target.value)}
            data-testid="analytics-market"
          >
            {markets.data?.map((m) => (
              <option key={m.slug} value={m.slug}>
                {user.locale === 'ar' ? m.name.ar : m.name.en}
              </option>
            ))}
          </select>
        </label>
        <label className="an-field" htmlFor={`${id}-range`}>
          <span>{t('analytics.range')}</span>
          <select
            id={`${id}-range`}
            value={days}
            onChange={(e) => setDays(Number(e.target.value) as RangeDays)}
            data-testid="analytics-range"
          >
            {RANGES.map((d) => (
              <option key={d} value={d}>
                {t(`analytics.range.${d}` as MessageKey)}
              </option>
            ))}
          </select>
        </label>
      </form>
      {dashboard.error ? (
        <div className="card danger" role="alert">
          <p>{t(problemKey(dashboard.error))}</p>
          <button type="button" className="button button-secondary" onClick={() => dashboard.refetch()}>
            {t('analytics.retry')}
          </button>
        </div>
      ) : !dashboard.data || !marketRow ? (
        <Loading />
      ) : (
        <Dashboard data={dashboard.data} center={marketRow.center} busy={dashboard.isFetching} />
      )}
    </Screen>
  );
}

function useFormats(timeZone: string) {
  const { locale, formatNumber, formatMoney, formatMinutes } = useI18n();
  return useMemo(() => {
    const tag = INTL_LOCALES[locale];
    const hour = new Intl.DateTimeFormat(tag, { timeZone, weekday: 'short', hour: 'numeric' });
    const hourLong = new Intl.DateTimeFormat(tag, { timeZone, dateStyle: 'medium', timeStyle: 'short' });
    const day = new Intl.DateTimeFormat(tag, { timeZone: 'UTC', day: 'numeric', month: 'short' });
    const date = new Intl.DateTimeFormat(tag, { timeZone, dateStyle: 'medium' });
    const unitDisplay = locale === 'ar' ? 'long' : 'short';
    return {
      /** The list separator: Arabic has its own comma. */
      list: locale === 'ar' ? '، ' : ', ',
      n: (v: number) => formatNumber(v),
      n1: (v: number) => formatNumber(v, { maximumFractionDigits: 1 }),
      compact: (v: number) => formatNumber(v, { notation: 'compact', maximumFractionDigits: 1 }),
      pct: (v: number | null) =>
        v === null ? '–' : formatNumber(v, { style: 'percent', maximumFractionDigits: 1 }),
      money: (amount: number, currency: string) => formatMoney({ amount, currency }),
      seconds: (s: number | null) =>
        s === null
          ? '–'
          : s < 90
            ? formatNumber(Math.round(s), { style: 'unit', unit: 'second', unitDisplay })
            : formatMinutes(Math.round(s / 60)),
      hour: (unixSeconds: number) => hour.format(unixSeconds * 1000),
      hourLong: (iso: string) => hourLong.format(new Date(iso)),
      day: (unixSeconds: number) => day.format(unixSeconds * 1000),
      date: (iso: string) => date.format(new Date(iso)),
    };
  }, [locale, timeZone, formatNumber, formatMoney, formatMinutes]);
}

/** A card: heading, optional figures, and a chart whose caption says the same in words. */
function Card({
  title,
  testId,
  stats,
  chart,
  summary,
  children,
}: {
  title: string;
  testId: string;
  stats?: { label: string; value: string }[];
  chart?: ReactNode;
  summary: string;
  children?: ReactNode;
}) {
  const id = useId();
  return (
    <section className="card an-card" aria-labelledby={`${id}-h`} data-testid={testId}>
      <h2 id={`${id}-h`}>{title}</h2>
      {stats && (
        <dl className="an-stats">
          {stats.map((s) => (
            <div key={s.label} className="an-stat">
              <dt>{s.label}</dt>
              <dd>{s.value}</dd>
            </div>
          ))}
        </dl>
      )}
      <figure className="an-figure">
        {chart}
        <figcaption className="an-summary" data-testid={`${testId}-summary`}>
          {summary}
        </figcaption>
      </figure>
      {children}
    </section>
  );
}

/**
 * A bar per category: one series (`label`, `color`, a value per category), each bar named on the axis by
 * `name` (from its index). The series is kept while the values stay the same, so the chart is not rebuilt.
 */
function Bars({
  label,
  color,
  values,
  name,
  formatY,
}: {
  label: string;
  color: string;
  values: number[];
  name: (index: number) => string;
  formatY: (v: number) => string;
}) {
  const same = values.join(',');
  // biome-ignore lint/correctness/useExhaustiveDependencies: follows the values by content (`same`).
  const series = useMemo(() => [{ label, color, values }], [label, color, same]);
  const x = values.map((_, i) => i);
  return (
    <Chart
      kind="bars"
      categories
      x={x}
      series={series}
      formatX={(v) => name(Math.round(v))}
      formatY={formatY}
      testId="chart"
    />
  );
}

function Dashboard({
  data,
  center,
  busy,
}: {
  data: AnalyticsDashboard;
  center: [number, number];
  busy: boolean;
}) {
  const { t } = useI18n();
  const f = useFormats(data.range.timeZone);
  const cur = data.range.currency;
  const secs = useCallback((iso: string) => Date.parse(iso) / 1000, []);

  // Bookings per hour.
  const perHour = data.bookingsPerHour.points;
  const perHourX = useMemo(() => perHour.map((p) => secs(p.at)), [perHour, secs]);
  const perHourSeries = useMemo(
    () => [
      {
        label: t('analytics.perHour.series'),
        color: COLORS.brand,
        values: perHour.map((p) => p.count),
        fill: true,
      },
    ],
    [perHour, t],
  );
  const perHourTotal = perHour.reduce((a, p) => a + p.count, 0);
  const peak = perHour.reduce((best, p) => (p.count > (best?.count ?? -1) ? p : best), perHour[0]);

  // Fulfilment.
  const fu = data.fulfilment;
  const fuLabels = [
    t('analytics.fulfil.assigned'),
    t('analytics.fulfil.unfulfilled'),
    t('analytics.fulfil.cancelled'),
    t('analytics.fulfil.searching'),
  ];

  // Offers.
  const of = data.offers;
  const ofLabels = [
    t('analytics.offers.accepted'),
    t('analytics.offers.declined'),
    t('analytics.offers.expired'),
    t('analytics.offers.withdrawn'),
  ];

  // Cancellations.
  const ca = data.cancellations;
  const sideText = (side: CancelSide) => t(`analytics.cancel.side.${side}` as MessageKey);
  const caReasons = ca.byReason.slice(0, 6);

  // Money.
  const money = data.money;
  const moneyX = useMemo(() => money.days.map((d) => Date.parse(`${d.day}T00:00:00Z`) / 1000), [money]);
  const moneySeries = useMemo(
    () => [
      { label: t('analytics.money.revenue'), color: COLORS.brand, values: money.days.map((d) => d.revenue) },
      {
        label: t('analytics.money.commission'),
        color: COLORS.blue,
        values: money.days.map((d) => d.commission),
      },
      { label: t('analytics.money.tips'), color: COLORS.amber, values: money.days.map((d) => d.tips) },
    ],
    [money, t],
  );

  // Supply against demand.
  const sd = data.supplyDemand.points;
  const sdX = useMemo(() => sd.map((p) => secs(p.at)), [sd, secs]);
  const sdSeries = useMemo(
    () => [
      { label: t('analytics.supply.requests'), color: COLORS.red, values: sd.map((p) => p.requests) },
      { label: t('analytics.supply.online'), color: COLORS.brand, values: sd.map((p) => p.online) },
      { label: t('analytics.supply.available'), color: COLORS.blue, values: sd.map((p) => p.available) },
    ],
    [sd, t],
  );
  const avg = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);

  // Ratings.
  const ra = data.ratings;

  const heat = data.heatmap;
  const heatTotal = heat.cells.reduce((a, c) => a + c.count, 0);

  return (
    <div className="an-grid" aria-busy={busy} data-testid="analytics-dashboard">
      <p className="muted small an-range">
        {t('analytics.rangeNote', {
          from: f.date(data.range.from),
          to: f.date(new Date(Date.parse(data.range.to) - 1).toISOString()),
          zone: data.range.timeZone,
        })}
      </p>

      <Card
        title={t('analytics.perHour.title')}
        testId="analytics-per-hour"
        chart={
          <Chart
            kind="line"
            x={perHourX}
            series={perHourSeries}
            formatX={f.hour}
            formatY={f.compact}
            testId="chart"
          />
        }
        summary={t('analytics.perHour.summary', {
          total: f.n(perHourTotal),
          peak: f.n(peak?.count ?? 0),
          when: peak ? f.hourLong(peak.at) : '–',
        })}
      />

      <Card
        title={t('analytics.fulfil.title')}
        testId="analytics-fulfilment"
        stats={[{ label: t('analytics.fulfil.rate'), value: f.pct(fu.rate) }]}
        chart={
          <Bars
            label={t('analytics.fulfil.title')}
            color={COLORS.brand}
            values={[fu.assigned, fu.unfulfilled, fu.cancelledBeforeAssignment, fu.searching]}
            name={(i) => fuLabels[i] ?? ''}
            formatY={f.compact}
          />
        }
        summary={t('analytics.fulfil.summary', {
          requested: f.n(fu.requested),
          assigned: f.n(fu.assigned),
          unfulfilled: f.n(fu.unfulfilled),
          cancelled: f.n(fu.cancelledBeforeAssignment),
          searching: f.n(fu.searching),
          rate: f.pct(fu.rate),
        })}
      >
        {fu.reasons.length > 0 && (
          <>
            <h3 className="an-sub">{t('analytics.fulfil.reasons')}</h3>
            <ul className="an-list">
              {fu.reasons.map((r) => (
                <li key={r.reason}>
                  <span>{r.reason || t('analytics.fulfil.noReason')}</span>
                  <span className="an-count">{f.n(r.count)}</span>
                </li>
              ))}
            </ul>
          </>
        )}
      </Card>

      <Card
        title={t('analytics.tta.title')}
        testId="analytics-tta"
        stats={[
          { label: t('analytics.tta.p50'), value: f.seconds(data.timeToAssignment.p50Seconds) },
          { label: t('analytics.tta.p90'), value: f.seconds(data.timeToAssignment.p90Seconds) },
        ]}
        summary={t('analytics.tta.summary', {
          count: f.n(data.timeToAssignment.count),
          p50: f.seconds(data.timeToAssignment.p50Seconds),
          p90: f.seconds(data.timeToAssignment.p90Seconds),
        })}
      />

      <Card
        title={t('analytics.offers.title')}
        testId="analytics-offers"
        stats={[{ label: t('analytics.offers.rate'), value: f.pct(of.rate) }]}
        chart={
          <Bars
            label={t('analytics.offers.title')}
            color={COLORS.blue}
            values={[of.accepted, of.declined, of.expired, of.withdrawn]}
            name={(i) => ofLabels[i] ?? ''}
            formatY={f.compact}
          />
        }
        summary={t('analytics.offers.summary', {
          total: f.n(of.total),
          accepted: f.n(of.accepted),
          declined: f.n(of.declined),
          expired: f.n(of.expired),
          withdrawn: f.n(of.withdrawn),
          open: f.n(of.open),
          rate: f.pct(of.rate),
        })}
      />

      <Card
        title={t('analytics.cancel.title')}
        testId="analytics-cancellations"
        chart={
          caReasons.length > 0 ? (
            <Bars
              label={t('analytics.cancel.title')}
              color={COLORS.amber}
              values={caReasons.map((r) => r.count)}
              name={(i) => f.n(i + 1)}
              formatY={f.compact}
            />
          ) : undefined
        }
        summary={
          ca.total === 0
            ? t('analytics.none')
            : t('analytics.cancel.summary', {
                total: f.n(ca.total),
                sides: ca.bySide.map((s) => `${f.n(s.count)} ${sideText(s.side)}`).join(f.list),
              })
        }
      >
        {caReasons.length > 0 && (
          <>
            <h3 className="an-sub">{t('analytics.cancel.reasons')}</h3>
            <ol className="an-list">
              {caReasons.map((r) => (
                <li key={r.reason}>
                  <span>{r.reason || t('analytics.fulfil.noReason')}</span>
                  <span className="an-count">{f.n(r.count)}</span>
                </li>
              ))}
            </ol>
          </>
        )}
      </Card>

      <Card
        title={t('analytics.money.title')}
        testId="analytics-money"
        stats={[
          { label: t('analytics.money.revenue'), value: f.money(money.totals.revenue, cur) },
          { label: t('analytics.money.commission'), value: f.money(money.totals.commission, cur) },
          { label: t('analytics.money.tips'), value: f.money(money.totals.tips, cur) },
        ]}
        chart={
          <Chart
            kind="line"
            x={moneyX}
            series={moneySeries}
            formatX={f.day}
            formatY={(v) => f.compact(v / 100)}
            testId="chart"
          />
        }
        summary={t('analytics.money.summary', {
          revenue: f.money(money.totals.revenue, cur),
          commission: f.money(money.totals.commission, cur),
          tips: f.money(money.totals.tips, cur),
          refunds: f.money(money.totals.refunds, cur),
        })}
      />

      <Card
        title={t('analytics.supply.title')}
        testId="analytics-supply"
        chart={
          <Chart kind="line" x={sdX} series={sdSeries} formatX={f.hour} formatY={f.compact} testId="chart" />
        }
        summary={t('analytics.supply.summary', {
          online: f.n1(avg(sd.map((p) => p.online))),
          available: f.n1(avg(sd.map((p) => p.available))),
          requests: f.n1(avg(sd.map((p) => p.requests))),
        })}
      />

      <Card
        title={t('analytics.ratings.title')}
        testId="analytics-ratings"
        chart={
          <Bars
            label={t('analytics.ratings.title')}
            color={COLORS.amber}
            values={ra.counts}
            name={(i) => t('analytics.ratings.axis', { n: f.n(i + 1) })}
            formatY={f.compact}
          />
        }
        summary={t('analytics.ratings.summary', {
          count: f.n(ra.count),
          average: ra.average === null ? '–' : f.n1(ra.average),
          breakdown: ra.counts
            .map((c, i) => t('analytics.ratings.stars', { n: f.n(i + 1), count: f.n(c) }))
            .join(f.list),
        })}
      />

      <Card
        title={t('analytics.heat.title')}
        testId="analytics-heat"
        chart={
          <Suspense fallback={<Loading />}>
            <DemandHeatmap heatmap={heat} center={center} label={t('analytics.heat.map')} />
          </Suspense>
        }
        summary={t('analytics.heat.summary', {
          total: f.n(heatTotal),
          cells: f.n(heat.cells.length),
          top: f.n(heat.max),
        })}
      />
    </div>
  );
}

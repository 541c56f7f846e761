import type { Db } from '../../../db/client';
import {
  type AnalyticsDashboard,
  type AnalyticsInput,
  type AnalyticsRange,
  DEFAULT_RANGE_DAYS,
  HEATMAP_CELL_DEGREES,
  HOURLY_DAYS,
  MAX_RANGE_DAYS,
} from '../../contracts/analytics';
import { DomainError } from '../../lib/errors';
import { log } from '../../lib/log';
import { createAnalyticsRepo, type Horizons, type Scope } from './analytics.repo';

const DAY = 86_400_000;
/** How often each node samples presence (one row per market per minute, whichever node writes first). */
const SAMPLE_MS = 60_000;
/** The busiest cells sent to the map: more than a city's worth at ~1 km. */
const HEATMAP_LIMIT = 2000;
const SCHEDULE_HORIZON_MS = 90 * DAY;

const rate = (num: number, den: number) => (den > 0 ? num / den : null);

export function createAnalyticsService(deps: {
  db: Db;
  presenceTimeoutMs: number;
  /** Customers review within this long of completion (config.reviews.windowMs). */
  reviewWindowMs: number;
  now?: () => number;
}) {
  const repo = createAnalyticsRepo(deps.db);
  // A booking is scheduled at most 90 days ahead (contracts/booking.ts); a job lasts at most a day or so.
  const horizons: Horizons = {
    offersMs: SCHEDULE_HORIZON_MS + 2 * DAY,
    reviewsMs: SCHEDULE_HORIZON_MS + 2 * DAY + deps.reviewWindowMs,
  };
  const now = deps.now ?? Date.now;
  let timer: NodeJS.Timeout | null = null;
  let sampling: Promise<unknown> | null = null;

  async function scope(input: AnalyticsInput): Promise<Scope> {
    const market = await repo.market(input.market);
    if (!market) throw new DomainError('NOT_FOUND', `No market ${input.market}.`);
    const to = input.to ? new Date(input.to) : new Date(now());
    const from = input.from ? new Date(input.from) : new Date(to.getTime() - DEFAULT_RANGE_DAYS * DAY);
    // The contract checks both ends when both are given; a lone `from` is checked here.
    if (from >= to || to.getTime() - from.getTime() > MAX_RANGE_DAYS * DAY)
      throw new DomainError('VALIDATION', `The range must be positive and at most ${MAX_RANGE_DAYS} days.`);
    return { market: market.slug, timeZone: market.timeZone, currency: market.currency, from, to };
  }

  const range = (s: Scope): AnalyticsRange => ({
    market: s.market,
    from: s.from.toISOString(),
    to: s.to.toISOString(),
    currency: s.currency,
    timeZone: s.timeZone,
  });
  /** Hourly charts: the last week of the range. */
  const hourlyFrom = (s: Scope) => new Date(Math.max(s.from.getTime(), s.to.getTime() - HOURLY_DAYS * DAY));

  const cards = {
    bookingsPerHour: async (s: Scope) => ({ points: await repo.bookingsPerHour(s, hourlyFrom(s)) }),
    fulfilment: async (s: Scope) => {
      const f = await repo.fulfilment(s);
      const assigned = f.requested - f.unfulfilled - f.searching - f.cancelledBeforeAssignment;
      return { ...f, assigned, rate: rate(assigned, assigned + f.unfulfilled) };
    },
    timeToAssignment: (s: Scope) => repo.timeToAssignment(s),
    offers: async (s: Scope) => {
      const by = await repo.offers(s, horizons);
      const n = (k: string) => by.get(k) ?? 0;
      const accepted = n('accepted');
      const declined = n('declined');
      const expired = n('expired');
      return {
        total: [...by.values()].reduce((a, b) => a + b, 0),
        accepted,
        declined,
        expired,
        withdrawn: n('withdrawn'),
        open: n('offered'),
        rate: rate(accepted, accepted + declined + expired),
      };
    },
    cancellations: async (s: Scope) => {
      const c = await repo.cancellations(s);
      return {
        total: c.bySide.reduce((a, b) => a + b.count, 0),
        bySide: c.bySide,
        byReason: c.byReason.slice(0, 10),
      };
    },
    money: async (s: Scope) => {
      const days = await repo.moneyPerDay(s);
      const totals = { revenue: 0, commission: 0, tips: 0, refunds: 0 };
      for (const d of days) {
        totals.revenue += d.revenue;
        totals.commission += d.commission;
        totals.tips += d.tips;
        totals.refunds += d.refunds;
      }
      return { currency: s.currency, days, totals };
    },
    supplyDemand: async (s: Scope) => ({ points: await repo.supplyDemand(s, hourlyFrom(s)) }),
    ratings: async (s: Scope) => {
      const counts = await repo.ratings(s, horizons);
      const count = counts.reduce((a, b) => a + b, 0);
      const sum = counts.reduce((a, c, i) => a + c * (i + 1), 0);
      return { count, average: count ? sum / count : null, counts };
    },
    heatmap: async (s: Scope) => {
      const cells = await repo.heatmap(s, HEATMAP_CELL_DEGREES, HEATMAP_LIMIT);
      return { cellDegrees: HEATMAP_CELL_DEGREES, cells, max: cells[0]?.count ?? 0 };
    },
  };
  type Cards = typeof cards;
  const one =
    <K extends keyof Cards>(k: K) =>
    async (input: AnalyticsInput) =>
      (await cards[k](await scope(input))) as Awaited<ReturnType<Cards[K]>>;

  const service = {
    bookingsPerHour: one('bookingsPerHour'),
    fulfilment: one('fulfilment'),
    timeToAssignment: one('timeToAssignment'),
    offers: one('offers'),
    cancellations: one('cancellations'),
    money: one('money'),
    supplyDemand: one('supplyDemand'),
    ratings: one('ratings'),
    heatmap: one('heatmap'),

    /** Every card in one call; the queries run side by side on the pool. */
    async dashboard(input: AnalyticsInput): Promise<AnalyticsDashboard> {
      const s = await scope(input);
      const [
        bookingsPerHour,
        fulfilment,
        timeToAssignment,
        offers,
        cancellations,
        money,
        supplyDemand,
        ratings,
        heatmap,
      ] = await Promise.all([
        cards.bookingsPerHour(s),
        cards.fulfilment(s),
        cards.timeToAssignment(s),
        cards.offers(s),
        cards.cancellations(s),
        cards.money(s),
        cards.supplyDemand(s),
        cards.ratings(s),
        cards.heatmap(s),
      ]);
      return {
        range: range(s),
        bookingsPerHour,
        fulfilment,
        timeToAssignment,
        offers,
        cancellations,
        money,
        supplyDemand,
        ratings,
        heatmap,
      };
    },

    /** One presence sample per market for this minute (see analytics.repo samplePresence). */
    samplePresence: () => repo.samplePresence(deps.presenceTimeoutMs),

    start() {
      if (timer) return;
      const run = () => {
        if (sampling) return;
        sampling = service
          .samplePresence()
          .catch((e) => log.warn('presence sample failed', { error: String(e) }))
          .finally(() => {
            sampling = null;
          });
      };
      timer = setInterval(run, SAMPLE_MS);
      timer.unref();
      run();
    },

    async stop() {
      if (timer) clearInterval(timer);
      timer = null;
      await sampling;
    },
  };
  return service;
}

export type AnalyticsService = ReturnType<typeof createAnalyticsService>;

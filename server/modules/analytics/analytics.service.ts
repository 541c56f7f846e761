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
import type { Leader } from '../cluster/leader';
import { createAnalyticsRepo, type Horizons, type Scope } from './analytics.repo';
import { createRollupRepo } from './analytics.rollup.repo';

const DAY = 86_400_000;
/** How often each node samples presence (one row per market per minute, whichever node writes first). */
const SAMPLE_MS = 60_000;
/** The busiest cells sent to the map: more than a city's worth at ~1 km. */
const HEATMAP_LIMIT = 2000;
const SCHEDULE_HORIZON_MS = 90 * DAY;
/** How often closed days are rolled up (yesterday soon after midnight; a day changed later, within this). */
const ROLLUP_MS = 5 * 60_000;
/** Days per roll-up transaction: short enough not to hold PGlite's one connection for long. */
const ROLLUP_BATCH_DAYS = 31;

/**
 * percentile_cont over a histogram (ascending values with their counts): the same arithmetic as
 * PostgreSQL's (position p·(n−1), linear between its two neighbours), so it equals percentile_cont over
 * the values themselves.
 */
export function percentileCont(histogram: { seconds: number; n: number }[], p: number): number | null {
  const total = histogram.reduce((a, b) => a + b.n, 0);
  if (!total) return null;
  const pos = p * (total - 1);
  const first = Math.floor(pos);
  const second = Math.ceil(pos);
  const at = (k: number) => {
    let seen = 0;
    for (const h of histogram) {
      seen += h.n;
      if (k < seen) return h.seconds;
    }
    return histogram.at(-1)!.seconds;
  };
  const lo = at(first);
  const hi = second === first ? lo : at(second);
  return lo + (pos - first) * (hi - lo);
}

const rate = (num: number, den: number) => (den > 0 ? num / den : null);

export function createAnalyticsService(deps: {
  db: Db;
  presenceTimeoutMs: number;
  /** Customers review within this long of completion (config.reviews.windowMs). */
  reviewWindowMs: number;
  now?: () => number;
  /** false: every card from the raw rows (the reference the rollups are tested against). */
  rollups?: boolean;
  /** Rolls up on one node at a time (the lease `analytics-rollup`); without it, on this node. */
  leader?: Leader;
}) {
  const repo = createAnalyticsRepo(deps.db, { rollups: deps.rollups ?? true });
  const rollupRepo = createRollupRepo(deps.db);
  // A booking is scheduled at most 90 days ahead (contracts/booking.ts); a job lasts at most a day or so.
  const horizons: Horizons = {
    offersMs: SCHEDULE_HORIZON_MS + 2 * DAY,
    reviewsMs: SCHEDULE_HORIZON_MS + 2 * DAY + deps.reviewWindowMs,
  };
  const now = deps.now ?? Date.now;
  let timer: NodeJS.Timeout | null = null;
  let rollupTimer: NodeJS.Timeout | null = null;
  let sampling: Promise<unknown> | null = null;
  let rolling: Promise<unknown> | null = null;
  let stopping = false;

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
    timeToAssignment: async (s: Scope) => {
      const histogram = await repo.waits(s);
      return {
        count: histogram.reduce((a, b) => a + b.n, 0),
        p50Seconds: percentileCont(histogram, 0.5),
        p90Seconds: percentileCont(histogram, 0.9),
      };
    },
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

    /**
     * Rolls up every market's closed days that need it (never rolled up, by an older version, or changed
     * since), newest first, a batch per transaction, until none is left. Returns the days rolled up.
     */
    async rollUp(stop: () => boolean = () => false): Promise<{ days: number; marks: number }> {
      let days = 0;
      let marks = 0;
      for (const m of await rollupRepo.markets()) {
        for (;;) {
          if (stop()) return { days, marks };
          const pending = await rollupRepo.pending(m, new Date(now()), ROLLUP_BATCH_DAYS);
          if (!pending.length) break;
          marks += await rollupRepo.roll(m, pending, horizons);
          days += pending.length;
        }
      }
      return { days, marks };
    },

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
      stopping = false;
      const roll = () => {
        if (rolling) return;
        const work = () => service.rollUp(() => stopping);
        rolling = (deps.leader ? deps.leader.runOnce('analytics-rollup', ROLLUP_MS * 3, work) : work())
          .catch((e) => log.warn('analytics roll-up failed', { error: String(e) }))
          .finally(() => {
            rolling = null;
          });
      };
      rollupTimer = setInterval(roll, ROLLUP_MS);
      rollupTimer.unref();
      roll();
    },

    async stop() {
      stopping = true;
      if (timer) clearInterval(timer);
      if (rollupTimer) clearInterval(rollupTimer);
      timer = null;
      rollupTimer = null;
      await sampling;
      await rolling;
    },
  };
  return service;
}

export type AnalyticsService = ReturnType<typeof createAnalyticsService>;

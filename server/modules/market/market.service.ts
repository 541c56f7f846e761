import { detached } from '../../../db/client';
import type { Market } from '../../contracts/market';
import { DomainError } from '../../lib/errors';
import { covers } from '../../lib/geo';
import { fallbackPolicy, type MarketMoneyPolicy } from '../payments/markets';
import type { MarketRecord, MarketRepo } from './market.repo';

/** How long the markets are answered from memory before they are read again (admins add them rarely). */
const REFRESH_MS = 60_000;

export const toMarket = (m: MarketRecord): Market => ({
  slug: m.slug,
  name: { en: m.nameEn, ar: m.nameAr },
  currency: m.currency,
  timeZone: m.timeZone,
  defaultLocale: m.defaultLocale,
  boundary: m.boundary,
  center: m.center,
});

/**
 * Markets (issue 13 §1): the market follows the job's pin. `fallback` (MARKET_FALLBACK) is the market
 * for pins outside every boundary: unset in production (such a booking is refused), set by test rigs
 * whose technicians live at random spots on the globe.
 */
export function createMarketService(
  repo: MarketRepo,
  opts: { fallback?: string | undefined; now?: () => number } = {},
) {
  const now = opts.now ?? Date.now;
  let cached: { at: number; markets: MarketRecord[] } | null = null;
  let loading: Promise<MarketRecord[]> | null = null;

  function load(): Promise<MarketRecord[]> {
    if (loading) return loading;
    const read: Promise<MarketRecord[]> = repo.active().then((markets) => {
      if (loading === read) cached = { at: now(), markets };
      return markets;
    });
    loading = read;
    const done = () => {
      if (loading === read) loading = null;
    };
    read.then(done, done);
    return read;
  }

  /**
   * The active markets, from memory. Expired, they are still answered at once and read again in the
   * background: callers inside a transaction (booking.create's unpaid check) must never wait for a read on
   * the pool while holding a pooled connection, or a rush deadlocks the pool (see catalog.service).
   */
  async function all(): Promise<MarketRecord[]> {
    if (!cached) return load();
    if (now() - cached.at >= REFRESH_MS && !loading) detached(load).catch(() => {});
    return cached.markets;
  }

  async function locate(at: { lat: number; lng: number }): Promise<MarketRecord | null> {
    const markets = await all();
    return (
      markets.find((m) => covers(m.boundary, at)) ??
      (opts.fallback ? (markets.find((m) => m.slug === opts.fallback) ?? null) : null)
    );
  }

  return {
    list: async () => (await all()).map(toMarket),
    bySlug: async (slug: string) => (await all()).find((m) => m.slug === slug) ?? null,
    /** A market's money rules (its row); a market without an active row: cash only, no fee. */
    async moneyPolicy(slug: string, currency = 'USD'): Promise<MarketMoneyPolicy> {
      return (await all()).find((m) => m.slug === slug)?.money ?? fallbackPolicy(slug, currency);
    },
    locate: async (at: { lat: number; lng: number }) => {
      const m = await locate(at);
      return m ? toMarket(m) : null;
    },
    /**
     * The market a job at `at` belongs to, or OUT_OF_AREA (with the markets' names, so the client can
     * say where Fundi works and show them on a map).
     */
    async require(at: { lat: number; lng: number }): Promise<MarketRecord> {
      const m = await locate(at);
      if (m) return m;
      const markets = await all();
      const names = markets.map((x) => x.nameEn).join(', ');
      throw new DomainError('OUT_OF_AREA', `Fundi does not work there yet. We work in ${names}.`, {
        markets: markets.map((x) => x.slug).join(','),
      });
    },
    /** Forget the cache (after an admin changed a market). */
    invalidate() {
      cached = null;
      loading = null;
    },
  };
}

export type MarketService = ReturnType<typeof createMarketService>;

import { useEffect, useState } from 'react';
import type { PublicUser } from '../../../../server/contracts/auth';
import type { Market } from '../../../../server/contracts/market';
import { trpc } from '../../lib/trpc';
import { pickMarket } from './pickMarket';

const STORAGE_KEY = 'fundi.market';
/** Told to every useMarket on the page when one of them switches city (the storage event is not). */
const CHOSEN_EVENT = 'fundi:market-chosen';
// Markets change when Fundi opens a city: keep the list for a long while.
const MARKETS_STALE_MS = 60 * 60_000;

function stored(): string | null {
  try {
    return localStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

/**
 * The city whose catalogue and prices the customer sees (issue 13: the market follows the job). Their
 * own choice first (kept on the device); else the market of their last booking; else where the device
 * is, when location is already allowed (no prompt just for this); else a guess from their time zone and
 * language (see pickMarket).
 */
export function useMarket(user: Pick<PublicUser, 'timeZone' | 'locale'>) {
  const utils = trpc.useUtils();
  const list = trpc.market.list.useQuery(undefined, { staleTime: MARKETS_STALE_MS });
  const [chosen, setChosen] = useState<string | null>(stored);
  const [located, setLocated] = useState<string | null>(null);
  // Their most recent booking (newest first); not asked for once they chose.
  const recent = trpc.booking.list.useQuery({ limit: 1 }, { enabled: !chosen, staleTime: 5 * 60_000 });
  const lastBooking = recent.data?.items[0]?.market ?? null;

  useEffect(() => {
    if (chosen || lastBooking || !navigator.permissions || !navigator.geolocation) return;
    let cancelled = false;
    void navigator.permissions
      .query({ name: 'geolocation' })
      .then((permission) => {
        if (permission.state !== 'granted' || cancelled) return;
        navigator.geolocation.getCurrentPosition(
          (position) =>
            void utils.market.locate
              .fetch({ lat: position.coords.latitude, lng: position.coords.longitude })
              .then((m) => {
                if (!cancelled && m) setLocated(m.slug);
              })
              .catch(() => undefined),
          () => undefined,
          { maximumAge: 10 * 60_000, timeout: 10_000 },
        );
      })
      .catch(() => undefined);
    return () => {
      cancelled = true;
    };
  }, [chosen, lastBooking, utils]);

  // Another screen part switched city (the services editor and the areas editor follow each other).
  useEffect(() => {
    const follow = (event: Event) => setChosen((event as CustomEvent<string>).detail);
    window.addEventListener(CHOSEN_EVENT, follow);
    return () => window.removeEventListener(CHOSEN_EVENT, follow);
  }, []);

  const markets: Market[] = list.data ?? [];
  const market = pickMarket(markets, {
    chosen,
    lastBooking,
    located,
    timeZone: user.timeZone,
    locale: user.locale,
  });

  const choose = (next: string) => {
    try {
      localStorage.setItem(STORAGE_KEY, next);
    } catch {
      // Private mode: the choice lasts for this visit.
    }
    setChosen(next);
    window.dispatchEvent(new CustomEvent(CHOSEN_EVENT, { detail: next }));
  };

  return {
    markets,
    market,
    chosen: markets.some((m) => m.slug === chosen) ? chosen : null,
    choose,
    query: list,
  };
}

/**
 * Every market, from the server (`market.list`: names in English and Arabic are data), and a slug's name
 * in the user's language (the slug itself while the list loads, or for a market since closed).
 */
export function useMarketNames() {
  const list = trpc.market.list.useQuery(undefined, { staleTime: MARKETS_STALE_MS });
  const markets: Market[] = list.data ?? [];
  const nameOf = (slug: string) => markets.find((m) => m.slug === slug)?.name ?? { en: slug, ar: slug };
  return { markets, nameOf, query: list };
}

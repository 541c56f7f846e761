import type { Market } from '../../../../server/contracts/market';

type Hints = {
  /** The customer's own choice, kept on the device. */
  chosen: string | null;
  /** The market of their most recent booking. */
  lastBooking: string | null;
  /** The market containing the device's position (when location was already allowed). */
  located: string | null;
  timeZone: string | null | undefined;
  locale: string | null | undefined;
};

/**
 * Which market the customer sees (issue 13: the market follows the job): their own choice; else where
 * they last booked; else where the device is; else the market of their time zone, then of their
 * language; else the first. Hints naming a market that is not (or no longer) in the list are skipped.
 */
export function pickMarket(markets: readonly Market[], hints: Hints): Market | undefined {
  const bySlug = (slug: string | null) => (slug ? markets.find((m) => m.slug === slug) : undefined);
  return (
    bySlug(hints.chosen) ??
    bySlug(hints.lastBooking) ??
    bySlug(hints.located) ??
    markets.find((m) => m.timeZone === hints.timeZone) ??
    markets.find((m) => m.defaultLocale === hints.locale) ??
    markets[0]
  );
}

/** The device's time zone (IANA; '' when unknown), for guessing the city of someone not signed in. */
export function deviceTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone ?? '';
  } catch {
    return '';
  }
}

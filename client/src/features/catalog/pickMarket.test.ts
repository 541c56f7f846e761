import { describe, expect, it } from 'vitest';
import type { Market } from '../../../../server/contracts/market';
import { deviceTimeZone, pickMarket } from './pickMarket';

const market = (slug: string, timeZone: string, defaultLocale: 'en' | 'ar'): Market => ({
  slug,
  name: { en: slug, ar: slug },
  currency: 'XXX',
  timeZone,
  defaultLocale,
  boundary: [],
  center: [0, 0],
});
const lagos = market('lagos', 'Africa/Lagos', 'en');
const cairo = market('cairo', 'Africa/Cairo', 'ar');
const accra = market('accra', 'Africa/Accra', 'en');
const markets = [lagos, cairo, accra];
const none = { chosen: null, lastBooking: null, located: null, timeZone: null, locale: null };

describe('which market the customer sees', () => {
  it('their own choice first, then their last booking, then where the device is', () => {
    const all = { chosen: 'accra', lastBooking: 'cairo', located: 'lagos', timeZone: null, locale: null };
    expect(pickMarket(markets, all)?.slug).toBe('accra');
    expect(pickMarket(markets, { ...all, chosen: null })?.slug).toBe('cairo');
    expect(pickMarket(markets, { ...all, chosen: null, lastBooking: null })?.slug).toBe('lagos');
  });

  it('the last booking wins over the position, the time zone and the language', () => {
    expect(
      pickMarket(markets, {
        chosen: null,
        lastBooking: 'cairo',
        located: 'lagos',
        timeZone: 'Africa/Lagos',
        locale: 'en',
      })?.slug,
    ).toBe('cairo');
  });

  it('without hints: the market of the time zone, then of the language, then the first', () => {
    expect(pickMarket(markets, { ...none, timeZone: 'Africa/Accra', locale: 'ar' })?.slug).toBe('accra');
    expect(pickMarket(markets, { ...none, timeZone: 'Europe/Paris', locale: 'ar' })?.slug).toBe('cairo');
    expect(pickMarket(markets, none)?.slug).toBe('lagos');
  });

  it('skips hints for a market that is not in the list', () => {
    expect(pickMarket(markets, { ...none, chosen: 'nairobi', lastBooking: 'accra' })?.slug).toBe('accra');
    expect(pickMarket([], { ...none, chosen: 'lagos' })).toBeUndefined();
  });
});

describe('a visitor not signed in', () => {
  it('is guessed from the device’s own time zone, a market’s data', () => {
    const zone = deviceTimeZone();
    expect(zone).toBe(Intl.DateTimeFormat().resolvedOptions().timeZone);
    const here = market('here', zone, 'en');
    // Arabic would pick Cairo: only the time zone can pick `here`.
    expect(pickMarket([here, cairo], { ...none, timeZone: zone, locale: 'ar' })?.slug).toBe('here');
  });
});

import type { Zone } from '../../contracts/area';
import type { PriceLine } from '../../contracts/booking';
import { covers } from '../../lib/geo';
import { money, percentOf } from '../../lib/money';

/** How long a market's zones are answered from memory (admins change them rarely). */
const REFRESH_MS = 60_000;

export type ZoneSurcharge = { slug: string; nameEn: string; nameAr: string; pct: number };

/**
 * The surcharge zone a pin is in (issue 13 §2): the market's zones kept in memory and tested here, so a
 * quote or a booking costs no extra database round trip (issue 18 counts them). Overlapping zones: the
 * highest surcharge applies, once.
 */
export function createZoneSurcharges(
  zones: (market: string) => Promise<Zone[]>,
  now: () => number = Date.now,
) {
  const cache = new Map<string, { at: number; zones: Promise<Zone[]> }>();
  return async (market: string, at: { lat: number; lng: number }): Promise<ZoneSurcharge | null> => {
    let entry = cache.get(market);
    if (!entry || now() - entry.at > REFRESH_MS) {
      entry = { at: now(), zones: zones(market).then((list) => list.filter((z) => z.surchargePct > 0)) };
      entry.zones.catch(() => cache.delete(market));
      cache.set(market, entry);
    }
    let best: Zone | null = null;
    for (const z of await entry.zones) {
      if ((!best || z.surchargePct > best.surchargePct) && covers([z.polygon], at)) best = z;
    }
    return best && { slug: best.slug, nameEn: best.name.en, nameAr: best.name.ar, pct: best.surchargePct };
  };
}

/** A price's surcharge lines: the zone's (its percentage of the base), the rest is the emergency's. */
export function surchargeLines(p: {
  base: number;
  surcharge: number;
  currency: string;
  emergency: boolean;
  emergencyPct: number | null;
  zone: ZoneSurcharge | null;
}): PriceLine[] {
  const zoneAmount = p.zone ? percentOf(p.base, p.zone.pct) : 0;
  const lines: PriceLine[] = [];
  const emergencyAmount = p.surcharge - zoneAmount;
  if (p.emergency && emergencyAmount > 0)
    lines.push({
      kind: 'emergency',
      pct: p.emergencyPct,
      zone: null,
      amount: money(emergencyAmount, p.currency),
    });
  if (p.zone)
    lines.push({
      kind: 'zone',
      pct: p.zone.pct,
      zone: { slug: p.zone.slug, name: { en: p.zone.nameEn, ar: p.zone.nameAr } },
      amount: money(zoneAmount, p.currency),
    });
  return lines;
}

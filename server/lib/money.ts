import type { Money } from '../contracts/catalog';

/** Percentages and rates on integer minor units, rounded half up once, on the server. */
export const percentOf = (amount: number, pct: number) => Math.round((amount * pct) / 100);
export const bpsOf = (amount: number, bps: number) => Math.round((amount * bps) / 10_000);
export const money = (amount: number, currency: string): Money => ({ amount, currency });

export type PriceInput = {
  basePrice: number;
  currency: string;
  priceUnit: 'fixed' | 'hourly';
  durationMinutes: number;
  emergencySurchargePct: number;
};

export type PriceParts = {
  base: number;
  /** Emergency + zone surcharges: each is its own percentage of the base, rounded on its own. */
  surcharge: number;
  total: number;
  commission: number;
  earnings: number;
  emergencySurcharge: number;
  zoneSurcharge: number;
};

/** The price of a job: hourly services are charged for the estimated duration (whole quarter hours). */
export function priceJob(
  s: PriceInput,
  opts: { emergency: boolean; commissionBps: number; zonePct?: number },
): PriceParts {
  const base =
    s.priceUnit === 'hourly'
      ? Math.round((s.basePrice * Math.ceil(s.durationMinutes / 15)) / 4)
      : s.basePrice;
  return cutPrice(base, { ...opts, surchargePct: s.emergencySurchargePct });
}

/**
 * A job's base price cut into surcharges, total, commission and the technician's earnings. `zonePct`:
 * the surcharge of the market zone the job is in (airport, islands; issue 13 §2).
 */
export function cutPrice(
  base: number,
  opts: { emergency: boolean; surchargePct: number; commissionBps: number; zonePct?: number | undefined },
): PriceParts {
  const emergencySurcharge = opts.emergency ? percentOf(base, opts.surchargePct) : 0;
  const zoneSurcharge = opts.zonePct ? percentOf(base, opts.zonePct) : 0;
  const surcharge = emergencySurcharge + zoneSurcharge;
  const total = base + surcharge;
  const commission = bpsOf(total, opts.commissionBps);
  return {
    base,
    surcharge,
    total,
    commission,
    earnings: total - commission,
    emergencySurcharge,
    zoneSurcharge,
  };
}

import type { PaymentMethod } from '../../contracts/payment';

/**
 * What money rules a market runs on: columns of its `markets` row (db/schema/markets.ts, seeded by
 * db/seed/markets.ts), read through market.repo; no market's rules live in code.
 */
export type MarketMoneyPolicy = {
  market: string;
  currency: string;
  /** Offered when their keys are configured; cash always. Order is the order the app shows them. */
  methods: readonly PaymentMethod[];
  cancellation: {
    /** Free within this long after a technician is assigned (and always before). */
    graceMinutes: number;
    /** Due once the technician is en route (and the grace period is over): fixed minor units or % of the quote. */
    fee: { kind: 'fixed'; amount: number } | { kind: 'percent'; pct: number };
    /** The technician's part of a cancellation fee (they drove there); the rest is the platform's. */
    technicianSharePct: number;
  };
  /** A customer with a completed booking unpaid for longer than this cannot book again. */
  unpaidGraceHours: number;
};

/** The rules of a market that has no row (or is inactive): cash only and no cancellation fee. */
export function fallbackPolicy(market: string, currency = 'USD'): MarketMoneyPolicy {
  return {
    market,
    currency,
    methods: ['cash'],
    cancellation: { graceMinutes: 0, fee: { kind: 'fixed', amount: 0 }, technicianSharePct: 100 },
    unpaidGraceHours: 24,
  };
}

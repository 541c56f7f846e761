import type { PaymentMethod } from '../../contracts/payment';

/**
 * What money rules a market runs on. A data object per market, keyed like `services.market`, so that the
 * markets table of issue 13 can own it later (load the rows, hand the same shape to the payments service).
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

export const marketPolicies: Record<string, MarketMoneyPolicy> = {
  lagos: {
    market: 'lagos',
    currency: 'NGN',
    methods: ['cash', 'paystack', 'stripe'],
    cancellation: {
      graceMinutes: 5,
      fee: { kind: 'fixed', amount: 1000_00 },
      technicianSharePct: 80,
    },
    unpaidGraceHours: 24,
  },
  cairo: {
    market: 'cairo',
    currency: 'EGP',
    methods: ['cash', 'paymob', 'stripe'],
    cancellation: {
      graceMinutes: 5,
      fee: { kind: 'percent', pct: 20 },
      technicianSharePct: 80,
    },
    unpaidGraceHours: 24,
  },
};

/** The policy of a market; an unknown market gets cash only and no cancellation fee. */
export function policyOf(market: string, currency = 'USD'): MarketMoneyPolicy {
  return (
    marketPolicies[market] ?? {
      market,
      currency,
      methods: ['cash'],
      cancellation: { graceMinutes: 0, fee: { kind: 'fixed', amount: 0 }, technicianSharePct: 100 },
      unpaidGraceHours: 24,
    }
  );
}

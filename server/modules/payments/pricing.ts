import type { MarketMoneyPolicy } from './markets';

/*
 * What a customer owes, as pure functions of the booking and the market policy: integer minor units in,
 * integer minor units out, every rounding written down here and nowhere else.
 */

export const QUARTER_MS = 15 * 60_000;

/** Minutes of work from `in_progress` to `completed`, rounded up to whole quarter hours (at least one). */
export function workedMinutes(startedAt: Date, completedAt: Date): number {
  const ms = Math.max(0, completedAt.getTime() - startedAt.getTime());
  return Math.max(1, Math.ceil(ms / QUARTER_MS)) * 15;
}

export type JobPriceInput = {
  priceUnit: 'fixed' | 'hourly';
  /** The quote stored on the booking (base + surcharge) and the commission in it. */
  priceTotal: number;
  commission: number;
  /** The service's estimated duration: what the quote was computed for. */
  estimatedMinutes: number;
  startedAt: Date | null;
  completedAt: Date | null;
  /**
   * Hourly only: the technician may bill less than the estimate (never more than the time worked, and in
   * quarter hours). Without it the bill is the time worked, at least the estimate.
   */
  technicianMinutes?: number | null;
  /** Approved extras, minor units each. */
  extras: readonly number[];
};

export type JobBill = {
  serviceAmount: number;
  extrasAmount: number;
  total: number;
  commission: number;
  technicianShare: number;
  billedMinutes: number | null;
};

/**
 * The amount due at completion. Fixed prices: the quote. Hourly: the quote scaled by billed quarter hours
 * over estimated quarter hours, so billing exactly the estimate reproduces the quote to the unit.
 * Commission is the quote's rate applied to the service amount; extras (parts bought for the job) pass
 * through to the technician without commission; a tip is not part of the bill (see `withTip`).
 */
export function priceCompletedJob(input: JobPriceInput): JobBill {
  const extrasAmount = input.extras.reduce((a, b) => a + b, 0);
  let serviceAmount = input.priceTotal;
  let billedMinutes: number | null = null;
  if (input.priceUnit === 'hourly') {
    const estimatedQ = Math.max(1, Math.ceil(input.estimatedMinutes / 15));
    const worked =
      input.startedAt && input.completedAt
        ? workedMinutes(input.startedAt, input.completedAt)
        : estimatedQ * 15;
    let billedQ = Math.max(worked / 15, estimatedQ);
    if (input.technicianMinutes != null) {
      // Lowering is the technician's call; raising above the time worked is not.
      const asked = Math.max(1, Math.ceil(input.technicianMinutes / 15));
      billedQ = Math.min(asked, Math.max(worked / 15, estimatedQ));
    }
    billedMinutes = billedQ * 15;
    serviceAmount = Math.round((input.priceTotal * billedQ) / estimatedQ);
  }
  const commission =
    input.priceTotal > 0 ? Math.round((input.commission * serviceAmount) / input.priceTotal) : 0;
  const total = serviceAmount + extrasAmount;
  return {
    serviceAmount,
    extrasAmount,
    total,
    commission,
    technicianShare: total - commission,
    billedMinutes,
  };
}

export type CancellationInput = {
  status: string;
  technicianId: string | null;
  assignedAt: Date | null;
  enRouteAt: Date | null;
  priceTotal: number;
};

export type CancellationFee = { fee: number; technicianShare: number; commission: number; reason: string };

/**
 * What cancelling now costs the customer. Free before a technician is assigned, within the grace period
 * after assignment, and while the technician has not set off; once they are en route (or there) and the
 * grace period is over, the market's fee, most of it to the technician.
 */
export function cancellationFee(b: CancellationInput, now: Date, policy: MarketMoneyPolicy): CancellationFee {
  const free = (reason: string): CancellationFee => ({ fee: 0, technicianShare: 0, commission: 0, reason });
  if (!b.technicianId || !b.assignedAt) return free('not_assigned');
  if (now.getTime() - b.assignedAt.getTime() <= policy.cancellation.graceMinutes * 60_000)
    return free('grace_period');
  if (!b.enRouteAt || !['en_route', 'arrived'].includes(b.status)) return free('not_en_route');
  const f = policy.cancellation.fee;
  const fee =
    f.kind === 'fixed' ? Math.min(f.amount, b.priceTotal) : Math.round((b.priceTotal * f.pct) / 100);
  if (fee <= 0) return free('no_fee');
  const technicianShare = Math.round((fee * policy.cancellation.technicianSharePct) / 100);
  return { fee, technicianShare, commission: fee - technicianShare, reason: 'en_route' };
}

/**
 * A refund of `amount` out of a payment, split between what it paid for: the tip first stays untouched
 * while there is anything else to give back, then commission and technician share pro rata.
 */
export function splitRefund(
  amount: number,
  parts: { due: number; tip: number; commission: number },
): { fromTechnician: number; fromCommission: number; fromTip: number } {
  const fromDue = Math.min(amount, parts.due);
  const fromTip = amount - fromDue;
  const fromCommission = parts.due > 0 ? Math.round((fromDue * parts.commission) / parts.due) : 0;
  return { fromTechnician: fromDue - fromCommission, fromCommission, fromTip };
}

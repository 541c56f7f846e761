import { describe, expect, it } from 'vitest';
import { marketSeed } from '../../../db/seed/markets';
import type { MarketMoneyPolicy } from './markets';
import { cancellationFee, priceCompletedJob, splitRefund, workedMinutes } from './pricing';

const at = (min: number) => new Date(Date.UTC(2026, 0, 5, 9, 0) + min * 60_000);

describe('pricing of the amount due', () => {
  it('a fixed price is the quote, plus approved extras (no commission on extras)', () => {
    const bill = priceCompletedJob({
      priceUnit: 'fixed',
      priceTotal: 150_000,
      commission: 22_500,
      estimatedMinutes: 30,
      startedAt: at(0),
      completedAt: at(200),
      extras: [5_000, 2_500],
    });
    expect(bill).toEqual({
      serviceAmount: 150_000,
      extrasAmount: 7_500,
      total: 157_500,
      commission: 22_500,
      technicianShare: 135_000,
      billedMinutes: null,
    });
  });

  it('rounds time worked up to quarter hours', () => {
    expect(workedMinutes(at(0), at(0))).toBe(15);
    expect(workedMinutes(at(0), at(15))).toBe(15);
    expect(workedMinutes(at(0), new Date(at(15).getTime() + 1))).toBe(30);
    expect(workedMinutes(at(0), at(61))).toBe(75);
  });

  const hourly = (started: number, completed: number, technicianMinutes?: number) =>
    priceCompletedJob({
      priceUnit: 'hourly',
      priceTotal: 800_000, // 2 h estimated at 4 000.00 per hour
      commission: 120_000,
      estimatedMinutes: 120,
      startedAt: at(started),
      completedAt: at(completed),
      technicianMinutes,
      extras: [],
    });

  it('hourly: at least the estimate, the actual time when longer', () => {
    expect(hourly(0, 50)).toMatchObject({ serviceAmount: 800_000, billedMinutes: 120, commission: 120_000 });
    expect(hourly(0, 120)).toMatchObject({ serviceAmount: 800_000, billedMinutes: 120 });
    expect(hourly(0, 131)).toMatchObject({ serviceAmount: 900_000, billedMinutes: 135, commission: 135_000 });
  });

  it('hourly: the technician may lower the bill, never raise it above the time worked', () => {
    expect(hourly(0, 50, 60)).toMatchObject({
      serviceAmount: 400_000,
      billedMinutes: 60,
      commission: 60_000,
    });
    expect(hourly(0, 131, 300)).toMatchObject({ billedMinutes: 135 });
    expect(hourly(0, 50, 0)).toMatchObject({ billedMinutes: 15, serviceAmount: 100_000 });
  });

  it('hourly totals always add up in whole minor units', () => {
    for (let m = 1; m < 400; m += 7) {
      const b = hourly(0, m);
      expect(Number.isInteger(b.serviceAmount) && Number.isInteger(b.commission)).toBe(true);
      expect(b.commission + b.technicianShare).toBe(b.total);
    }
  });
});

describe('cancellation fee', () => {
  // The seeded rules (the markets table's rows).
  const seeded = (slug: string): MarketMoneyPolicy => {
    const m = marketSeed.find((x) => x.slug === slug)!;
    return { market: m.slug, currency: m.currency, ...m.money };
  };
  const lagos = seeded('lagos');
  const cairo = seeded('cairo');
  const base = {
    status: 'en_route',
    technicianId: 't',
    assignedAt: at(0),
    enRouteAt: at(1),
    priceTotal: 400_000,
  };

  it('is free before assignment, within the grace period, and before the technician sets off', () => {
    expect(
      cancellationFee({ ...base, status: 'searching', technicianId: null, assignedAt: null }, at(30), lagos)
        .fee,
    ).toBe(0);
    expect(cancellationFee(base, at(5), lagos)).toMatchObject({ fee: 0, reason: 'grace_period' });
    expect(cancellationFee({ ...base, status: 'assigned', enRouteAt: null }, at(30), lagos)).toMatchObject({
      fee: 0,
      reason: 'not_en_route',
    });
  });

  it('after en route: the market fee, most of it to the technician', () => {
    expect(cancellationFee(base, at(6), lagos)).toEqual({
      fee: 100_000,
      technicianShare: 80_000,
      commission: 20_000,
      reason: 'en_route',
    });
    expect(cancellationFee({ ...base, status: 'arrived' }, at(30), cairo)).toEqual({
      fee: 80_000,
      technicianShare: 64_000,
      commission: 16_000,
      reason: 'en_route',
    });
    // A fixed fee never exceeds the quote.
    expect(cancellationFee({ ...base, priceTotal: 50_000 }, at(30), lagos).fee).toBe(50_000);
  });
});

describe('refund split', () => {
  it('takes the due part first (pro rata commission), the tip last', () => {
    expect(splitRefund(50_000, { due: 100_000, tip: 10_000, commission: 15_000 })).toEqual({
      fromTechnician: 42_500,
      fromCommission: 7_500,
      fromTip: 0,
    });
    expect(splitRefund(110_000, { due: 100_000, tip: 10_000, commission: 15_000 })).toEqual({
      fromTechnician: 85_000,
      fromCommission: 15_000,
      fromTip: 10_000,
    });
  });
});

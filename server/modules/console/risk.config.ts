import { z } from 'zod';

/**
 * Risk-signal thresholds (issue 14 §3), one env var: `RISK_THRESHOLDS="failedSignIns=5,rapidBookings=4"`
 * (any subset; the rest keep their defaults). Flags only inform admins: nothing is blocked by them.
 */
export const riskDefaults = {
  /** Failed sign-ins for the account within `failedSignInHours`. */
  failedSignIns: 5,
  failedSignInHours: 24,
  /** Bookings created by one customer within any `rapidBookingMinutes` window (last 30 days). */
  rapidBookings: 5,
  rapidBookingMinutes: 10,
  /** Bookings the user cancelled within `cancellationDays`. */
  cancellations: 3,
  cancellationDays: 30,
  /** A technician's consecutive fixes implying more than this speed (and at least 2 km apart). */
  jumpKmh: 300,
  /** A sign-in from an address block (IPv4 /24, IPv6 /48) never seen before, after this many sign-ins. */
  newAddressAfter: 3,
} as const;
export type RiskThresholds = { -readonly [K in keyof typeof riskDefaults]: number };

const keys = Object.keys(riskDefaults) as Array<keyof RiskThresholds>;

export const riskThresholdsEnv = z
  .string()
  .optional()
  .transform((v, ctx): RiskThresholds => {
    const out: RiskThresholds = { ...riskDefaults };
    for (const part of (v ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)) {
      const [k, n] = part.split('=');
      const value = Number(n);
      if (!keys.includes(k as keyof RiskThresholds) || !Number.isFinite(value) || value <= 0) {
        ctx.addIssue({
          code: 'custom',
          message: `unknown or invalid threshold "${part}" (keys: ${keys.join(', ')})`,
        });
        return z.NEVER;
      }
      out[k as keyof RiskThresholds] = value;
    }
    return out;
  });

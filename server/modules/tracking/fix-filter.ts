import { distanceMeters } from '../../lib/geo';

export type Fix = {
  lat: number;
  lng: number;
  accuracy?: number | null | undefined;
  heading?: number | null | undefined;
  speed?: number | null | undefined;
  /** Epoch milliseconds, from the device. */
  recordedAt: number;
};

export type FixVerdict =
  | { ok: true; current: boolean }
  | {
      ok: false;
      reason: 'range' | 'null_island' | 'inaccurate' | 'future' | 'stale' | 'duplicate' | 'implausible_speed';
    };

export const FIX_LIMITS = {
  maxAccuracyMeters: 1_000,
  maxFutureMs: 30_000,
  /** Older than this a fix is rejected outright. */
  maxAgeMs: 24 * 3600_000,
  /** ~200 km/h: faster than any okada or car in Lagos traffic. */
  maxSpeedMps: 200 / 3.6,
} as const;

/**
 * Traccar-style position filter. `last` is the newest accepted fix of this technician. A late fix (older
 * than `last`) can still be valid history, but it is never `current`: it must not move the pin back.
 */
export function judgeFix(fix: Fix, last: Fix | undefined, now: number): FixVerdict {
  if (!(Math.abs(fix.lat) <= 90 && Math.abs(fix.lng) <= 180) || !Number.isFinite(fix.lat + fix.lng)) {
    return { ok: false, reason: 'range' };
  }
  if (fix.lat === 0 && fix.lng === 0) return { ok: false, reason: 'null_island' };
  if (fix.accuracy != null && fix.accuracy > FIX_LIMITS.maxAccuracyMeters)
    return { ok: false, reason: 'inaccurate' };
  if (fix.recordedAt > now + FIX_LIMITS.maxFutureMs) return { ok: false, reason: 'future' };
  if (fix.recordedAt < now - FIX_LIMITS.maxAgeMs) return { ok: false, reason: 'stale' };
  if (!last) return { ok: true, current: true };
  if (fix.recordedAt === last.recordedAt) return { ok: false, reason: 'duplicate' };
  const seconds = Math.abs(fix.recordedAt - last.recordedAt) / 1000;
  if (distanceMeters(fix, last) / Math.max(seconds, 1) > FIX_LIMITS.maxSpeedMps) {
    return { ok: false, reason: 'implausible_speed' };
  }
  return { ok: true, current: fix.recordedAt > last.recordedAt };
}

import type { FixRejectionReason } from '../../contracts/tracking';
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
  | {
      ok: true;
      current: boolean;
      /** Accepted against the stored position because several fixes in a row agreed with each other. */
      reanchored?: boolean;
    }
  | { ok: false; reason: FixRejectionReason };

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

/** Consecutive, mutually consistent 'implausible_speed' rejections after which the newest one wins. */
export const REANCHOR_AFTER = 3;

export type FixFilter = {
  judge(technicianId: string, fix: Fix, last: Fix | undefined, now: number): FixVerdict;
  /** Drops what is remembered about a technician (they went offline). */
  forget(technicianId: string): void;
};

/**
 * judgeFix, plus a way out of a wrong anchor. If one accepted fix was wrong (a bad cell-tower position),
 * every true fix after it is "too far, too fast" relative to it, and the technician would be pinned there
 * forever. When REANCHOR_AFTER rejected fixes in a row agree with each other (each plausible from the one
 * before) but not with the stored position, the stored position is the odd one out: the newest is accepted.
 * Noise (jumps that disagree with each other too) keeps restarting the streak and never re-anchors.
 *
 * Memory: at most one small entry per technician, only while a streak is running; cleared on any accepted
 * fix and by `forget`.
 */
export function createFixFilter(): FixFilter {
  const streaks = new Map<string, { count: number; newest: Fix }>();

  return {
    judge(technicianId, fix, last, now) {
      const verdict = judgeFix(fix, last, now);
      if (verdict.ok) {
        streaks.delete(technicianId);
        return verdict;
      }
      // Other rejections say nothing about where the technician is: the streak neither grows nor ends.
      if (verdict.reason !== 'implausible_speed') return verdict;
      // A late fix far from the pin is history that disagrees; it can never become "now".
      if (last && fix.recordedAt < last.recordedAt) return verdict;
      const streak = streaks.get(technicianId);
      const agrees = streak ? judgeFix(fix, streak.newest, now) : undefined;
      // Only a newer fix that is plausible from the previous rejected one extends the streak.
      const count = agrees?.ok && agrees.current && streak ? streak.count + 1 : 1;
      if (count >= REANCHOR_AFTER) {
        streaks.delete(technicianId);
        return { ok: true, current: true, reanchored: true };
      }
      streaks.set(technicianId, { count, newest: fix });
      return verdict;
    },
    forget(technicianId) {
      streaks.delete(technicianId);
    },
  };
}

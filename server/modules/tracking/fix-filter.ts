import { distanceMeters } from '#shared/geo';
import type { FixRejectionReason } from '../../contracts/tracking';

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
/** The two usual verdicts, one object each (hot path, issue 15 §7: one per fix otherwise). */
const CURRENT: FixVerdict = Object.freeze({ ok: true, current: true });
const HISTORY: FixVerdict = Object.freeze({ ok: true, current: false });

export function judgeFix(fix: Fix, last: Fix | undefined, now: number): FixVerdict {
  if (!(Math.abs(fix.lat) <= 90 && Math.abs(fix.lng) <= 180) || !Number.isFinite(fix.lat + fix.lng)) {
    return { ok: false, reason: 'range' };
  }
  if (fix.lat === 0 && fix.lng === 0) return { ok: false, reason: 'null_island' };
  if (fix.accuracy != null && fix.accuracy > FIX_LIMITS.maxAccuracyMeters)
    return { ok: false, reason: 'inaccurate' };
  if (fix.recordedAt > now + FIX_LIMITS.maxFutureMs) return { ok: false, reason: 'future' };
  if (fix.recordedAt < now - FIX_LIMITS.maxAgeMs) return { ok: false, reason: 'stale' };
  if (!last) return CURRENT;
  if (fix.recordedAt === last.recordedAt) return { ok: false, reason: 'duplicate' };
  const seconds = Math.abs(fix.recordedAt - last.recordedAt) / 1000;
  if (distanceMeters(fix, last) / Math.max(seconds, 1) > FIX_LIMITS.maxSpeedMps) {
    return { ok: false, reason: 'implausible_speed' };
  }
  return fix.recordedAt > last.recordedAt ? CURRENT : HISTORY;
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
        if (streaks.size !== 0) streaks.delete(technicianId);
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

/** Offsets smaller than this are ordinary clock noise plus latency: fixes are judged as sent. */
export const CLOCK_TOLERANCE_MS = 5_000;
/** Samples kept per device (one per call). */
const CLOCK_SAMPLES = 5;
/** A slow clock is assumed only from this many calls in a row that agree (an offline backlog is old too)… */
const SLOW_CLOCK_AGREEMENT = 3;
/** …each of them at least this far behind (estimated from fixes alone; with `sentAt` the tolerance does). */
const SLOW_CLOCK_FROM_FIXES_MS = 10 * 60_000;

export type ClockEstimator = {
  /**
   * Learns from one call (received at `receivedAt`, server time; its fixes' times from `oldest` to `newest`)
   * and returns the offset to subtract from this device's times (device − server, ms; 0 while the clock
   * looks right or nothing is known yet).
   * `sentAt`: the device's own clock when it sent the call (exact); else its newest fix (a lower bound).
   */
  offset(deviceId: string, receivedAt: number, oldest: number, newest: number, sentAt?: number): number;
  forget(deviceId: string): void;
};

/**
 * Phone clocks are wrong (issue 15 §5): a clock 45 s fast had every fix refused as "future", one 2 h slow
 * had every fix older than the pin so it never moved. Each call says what the device's clock read; against
 * the server's receive time that is the device's offset, minus the network latency. The largest of the last
 * few samples is the best estimate (the least delayed one, as NTP keeps). A sample from `sentAt` is taken
 * at its word; one from the newest fix only bounds the offset from below, so a fast clock (fixes "from the
 * future") is corrected at once, a slow one only once several calls in a row agree (an offline backlog
 * after a tunnel is old but the clock is fine).
 */
export function createClockEstimator(): ClockEstimator {
  /**
   * The last CLOCK_SAMPLES samples per device, in a ring (`next` is where the next one goes). Hot path
   * (one call per tracking.update, issue 15 §7): no array is shifted or spread per call.
   */
  type Device = { samples: number[]; next: number; count: number };
  const devices = new Map<string, Device>();
  /** The i-th newest sample (0: this call's). */
  const back = (d: Device, i: number) => (d.next - 1 - i + CLOCK_SAMPLES) % CLOCK_SAMPLES;
  return {
    offset(deviceId, receivedAt, oldest, newest, sentAt) {
      const exact = sentAt !== undefined && Number.isFinite(sentAt);
      const sample = (exact ? sentAt : newest) - receivedAt;
      let d = devices.get(deviceId);
      if (!d) {
        d = { samples: new Array(CLOCK_SAMPLES).fill(0), next: 0, count: 0 };
        devices.set(deviceId, d);
      }
      d.samples[d.next] = sample;
      d.next = (d.next + 1) % CLOCK_SAMPLES;
      if (d.count < CLOCK_SAMPLES) d.count++;
      let best = Number.NEGATIVE_INFINITY;
      for (let i = 0; i < d.count; i++) best = Math.max(best, d.samples[i]!);
      if (Math.abs(best) < CLOCK_TOLERANCE_MS) return 0;
      // The device said what its clock read: taken at its word.
      if (exact) return best;
      // From fixes alone: fast only when all of this call's fixes are past what the filter tolerates as
      // "future" (one bogus fix from next week among good ones is that fix's problem, not the clock's)…
      if (best > 0)
        return best > FIX_LIMITS.maxFutureMs && oldest - receivedAt > FIX_LIMITS.maxFutureMs ? best : 0;
      // …slow only when several calls in a row agree it is far behind.
      if (d.count < SLOW_CLOCK_AGREEMENT) return 0;
      for (let i = 0; i < SLOW_CLOCK_AGREEMENT; i++)
        if (!(d.samples[back(d, i)]! <= -SLOW_CLOCK_FROM_FIXES_MS)) return 0;
      return best;
    },
    forget(deviceId) {
      devices.delete(deviceId);
    },
  };
}

import { useCallback, useEffect, useRef, useState } from 'react';
import { distanceMeters } from '#shared/geo';
import type { FixRejectionReason } from '../../../../server/contracts/tracking';
import { type GeoProblem, toGeoProblem } from '../../lib/geolocation';
import { addFix, pruneFixes, type TrackingPoint } from './fixOutbox';
import { type UploadResult, uploadFixes } from './uploadFixes';

/** Moving: at most one fix every ~3 s, and only once they have moved more than ~15 m. */
export const MOVING_EVERY_MS = 3_000;
export const MOVING_MIN_METERS = 15;
/** Standing still: one fix every ~30 s keeps the position (and "last seen") fresh. */
export const STILL_EVERY_MS = 30_000;
/** No fix at all for this long: the browser has stopped tracking (screen off, app in background…). */
export const STALLED_AFTER_MS = 45_000;
/** The server refuses fixes less accurate than 1 km. */
const MAX_ACCURACY_M = 1_000;
const TICK_MS = 500;
const RETRY_EVERY_MS = 15_000;
/** A pause shorter than this (a glance at another app) is not worth a warning afterwards. */
const NOTABLE_PAUSE_MS = 10_000;

export type PauseReason = 'hidden' | 'stalled';

export type SharingState = {
  /** A position watch is running. */
  sharing: boolean;
  /** Accuracy of the newest fix, in metres. */
  accuracy: number | null;
  /** When the server last took our fixes. */
  lastSentAt: number | null;
  /**
   * The server refused every fix of the last call that told either way, and why: the customer is not
   * seeing us move. Cleared by the next accepted fix.
   */
  rejection: FixRejectionReason | null;
  /** Fixes waiting on the device (no connection): they go, oldest first, when it returns. */
  queued: number;
  /** The last upload failed; it is retried on its own. */
  sendFailed: boolean;
  /** Tracking is not happening right now although it should. */
  paused: PauseReason | null;
  /** Tracking was paused for this long while Fundi was in the background (shown after coming back). */
  pausedForMs: number | null;
  problem: GeoProblem | null;
  /** The screen is kept on (Screen Wake Lock) during the job. */
  wakeLock: boolean;
};

const initial: SharingState = {
  sharing: false,
  accuracy: null,
  lastSentAt: null,
  rejection: null,
  queued: 0,
  sendFailed: false,
  paused: null,
  pausedForMs: null,
  problem: null,
  wakeLock: false,
};

export function toPoint(position: GeolocationPosition): TrackingPoint {
  const { latitude, longitude, accuracy, heading, speed } = position.coords;
  const point: TrackingPoint = {
    lat: latitude,
    lng: longitude,
    recordedAt: new Date(position.timestamp).toISOString(),
  };
  if (Number.isFinite(accuracy)) point.accuracy = Math.min(Math.max(accuracy, 0), 100_000);
  if (heading !== null && Number.isFinite(heading) && heading >= 0 && heading <= 360) point.heading = heading;
  if (speed !== null && Number.isFinite(speed) && speed >= 0) point.speed = Math.min(speed, 1000);
  return point;
}

/**
 * Whether a new fix is worth sending, given the last one sent (and when, on this device's clock): moving
 * more than 15 m at most every 3 s; still, every 30 s.
 */
export function worthSending(
  fix: { lat: number; lng: number; t: number },
  last: { lat: number; lng: number; t: number; sentAt: number } | null,
  now: number,
): boolean {
  if (!last) return true;
  if (fix.t <= last.t) return false; // the same (or an older) fix: the server would refuse it
  const since = now - last.sentAt;
  if (since >= STILL_EVERY_MS) return true;
  return since >= MOVING_EVERY_MS && distanceMeters(fix, last) > MOVING_MIN_METERS;
}

/**
 * The technician's live location: while `active`, watch the position with high accuracy and send fixes
 * (through an on-device outbox, so nothing is lost without a connection). Browsers stop geolocation when
 * the page is hidden or the screen is off; we say so instead of pretending, and during a job (`onJob`)
 * keep the screen on with a wake lock.
 */
export function useLocationSharing({
  userId,
  active,
  onJob,
}: {
  userId: string;
  active: boolean;
  onJob: boolean;
}): SharingState {
  const [state, setState] = useState<SharingState>(initial);
  const update = useCallback((patch: Partial<SharingState>) => {
    setState((current) => {
      for (const key of Object.keys(patch) as Array<keyof SharingState>) {
        if (patch[key] !== current[key]) return { ...current, ...patch };
      }
      return current;
    });
  }, []);

  const applyUpload = useCallback(
    (result: UploadResult) =>
      setState((current) => ({
        ...current,
        queued: result.queued,
        sendFailed: !result.ok,
        lastSentAt: result.sentAt ?? current.lastSentAt,
        rejection: result.rejection === undefined ? current.rejection : result.rejection,
      })),
    [],
  );
  const flush = useCallback(() => {
    uploadFixes(userId).then(applyUpload, () => update({ sendFailed: true }));
  }, [userId, applyUpload, update]);

  // Fixes left from before (a dead zone, a reload, the app killed): send them on start, when the
  // connection returns, and every so often while some are waiting — whether or not we are online now.
  const queuedRef = useRef(0);
  queuedRef.current = state.queued;
  useEffect(() => {
    void pruneFixes(userId)
      .catch(() => undefined)
      .then(flush);
    const onOnline = () => flush();
    window.addEventListener('online', onOnline);
    const retry = setInterval(() => {
      if (queuedRef.current > 0 && navigator.onLine) flush();
    }, RETRY_EVERY_MS);
    return () => {
      window.removeEventListener('online', onOnline);
      clearInterval(retry);
    };
  }, [userId, flush]);

  // The watch itself.
  useEffect(() => {
    if (!active) {
      update({ sharing: false, paused: null, pausedForMs: null, accuracy: null, problem: null });
      return;
    }
    if (!('geolocation' in navigator)) {
      update({ problem: 'unsupported' });
      return;
    }
    let stopped = false;
    let latest: GeolocationPosition | null = null;
    let last: { lat: number; lng: number; t: number; sentAt: number } | null = null;
    const startedAt = Date.now();
    let fixReceivedAt = 0;
    let askedAt = 0;
    let hiddenSince: number | null = document.visibilityState === 'hidden' ? Date.now() : null;

    const take = (position: GeolocationPosition) => {
      const point = toPoint(position);
      last = {
        lat: point.lat,
        lng: point.lng,
        t: position.timestamp,
        sentAt: Date.now(),
      };
      addFix(userId, point).then(
        () => {
          if (!stopped) setState((s) => ({ ...s, queued: s.queued + 1 }));
          flush();
        },
        () => update({ sendFailed: true }),
      );
    };

    const consider = () => {
      if (!latest) return;
      const { latitude, longitude, accuracy } = latest.coords;
      if (Number.isFinite(accuracy) && accuracy > MAX_ACCURACY_M) return;
      if (worthSending({ lat: latitude, lng: longitude, t: latest.timestamp }, last, Date.now()))
        take(latest);
    };

    const onPosition = (position: GeolocationPosition) => {
      if (stopped) return;
      latest = position;
      fixReceivedAt = Date.now();
      update({
        accuracy: Number.isFinite(position.coords.accuracy) ? position.coords.accuracy : null,
        problem: null,
        paused: document.visibilityState === 'hidden' ? 'hidden' : null,
      });
      consider();
    };
    const onError = (error: GeolocationPositionError) => {
      // A watch reports passing trouble (no satellites in a tunnel, a slow fix) and carries on: the stall
      // warning covers a real outage. Only a refusal is worth saying at once.
      if (!stopped && error.code === error.PERMISSION_DENIED) update({ problem: toGeoProblem(error) });
    };

    // Standing still, many phones stop producing fixes: ask for a fresh one now and then.
    const refresh = () => {
      askedAt = Date.now();
      navigator.geolocation.getCurrentPosition(onPosition, () => undefined, {
        enableHighAccuracy: true,
        maximumAge: 0,
        timeout: 20_000,
      });
    };

    const tick = () => {
      const now = Date.now();
      consider();
      if (now - Math.max(fixReceivedAt, askedAt) >= STILL_EVERY_MS) refresh();
      const hidden = document.visibilityState === 'hidden';
      const stalled = now - (fixReceivedAt || startedAt) > STALLED_AFTER_MS;
      update({ paused: hidden ? 'hidden' : stalled ? 'stalled' : null });
    };

    const onVisibility = () => {
      if (document.visibilityState === 'hidden') {
        hiddenSince ??= Date.now();
        update({ paused: 'hidden' });
        return;
      }
      const pausedFor = hiddenSince === null ? 0 : Date.now() - hiddenSince;
      hiddenSince = null;
      if (pausedFor >= NOTABLE_PAUSE_MS) update({ pausedForMs: pausedFor });
      // Back on screen: get a fresh fix at once rather than waiting for the watch to wake up.
      refresh();
      tick();
    };

    const watchId = navigator.geolocation.watchPosition(onPosition, onError, {
      enableHighAccuracy: true,
      maximumAge: 0,
      timeout: 30_000,
    });
    const timer = setInterval(tick, TICK_MS);
    document.addEventListener('visibilitychange', onVisibility);
    update({ sharing: true, problem: null, paused: hiddenSince === null ? null : 'hidden' });

    return () => {
      stopped = true;
      navigator.geolocation.clearWatch(watchId);
      clearInterval(timer);
      document.removeEventListener('visibilitychange', onVisibility);
    };
  }, [active, userId, flush, update]);

  // "Paused for 3 min" stays up for a minute after coming back, then goes.
  useEffect(() => {
    if (state.pausedForMs === null) return;
    const timer = setTimeout(() => update({ pausedForMs: null }), 60_000);
    return () => clearTimeout(timer);
  }, [state.pausedForMs, update]);

  // During a job keep the screen on: with the screen off, browsers stop sending the position.
  useEffect(() => {
    if (!active || !onJob || !('wakeLock' in navigator)) return;
    let lock: WakeLockSentinel | null = null;
    let stopped = false;
    const acquire = async () => {
      if (stopped || document.visibilityState !== 'visible' || (lock && !lock.released)) return;
      try {
        const next = await navigator.wakeLock.request('screen');
        if (stopped) {
          void next.release();
          return;
        }
        lock = next;
        update({ wakeLock: true });
        next.addEventListener('release', () => {
          if (!stopped) update({ wakeLock: false });
        });
      } catch {
        // Refused (battery saver, not visible): the paused warning covers what matters.
        update({ wakeLock: false });
      }
    };
    // The browser releases the lock whenever the page is hidden: take it again when it is back.
    const onVisibility = () => void acquire();
    document.addEventListener('visibilitychange', onVisibility);
    void acquire();
    return () => {
      stopped = true;
      document.removeEventListener('visibilitychange', onVisibility);
      if (lock && !lock.released) void lock.release();
      update({ wakeLock: false });
    };
  }, [active, onJob, update]);

  return state;
}

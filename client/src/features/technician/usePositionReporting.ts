import { useEffect, useState } from 'react';
import { distanceMeters, type GeoProblem, type LatLng, toGeoProblem } from '../../lib/geolocation';
import { trpc } from '../../lib/trpc';

const SEND_EVERY_MS = 15_000;
const SEND_WHEN_MOVED_M = 50;
const REFRESH_STILL_MS = 60_000;

export type Reporting = {
  /** When the server last accepted our position. */
  lastSentAt: number | null;
  problem: GeoProblem | null;
  /** The last attempt to send failed (offline, server down): the next one retries. */
  sendFailed: boolean;
};

function toPoint(position: GeolocationPosition) {
  const { latitude, longitude, accuracy, heading, speed } = position.coords;
  return {
    lat: latitude,
    lng: longitude,
    accuracy: Number.isFinite(accuracy) ? Math.min(accuracy, 100_000) : undefined,
    heading: heading !== null && Number.isFinite(heading) ? heading : undefined,
    speed: speed !== null && Number.isFinite(speed) ? Math.min(speed, 1000) : undefined,
    recordedAt: new Date(position.timestamp).toISOString(),
  };
}

/**
 * While `active` (the technician is online), report where they are: at once, whenever they move more
 * than ~50 m, and at least every ~15 s. Deliberately simple (one point per call, nothing queued while
 * offline): the live-tracking work replaces this with a streaming pipeline.
 */
export function usePositionReporting(active: boolean): Reporting {
  const utils = trpc.useUtils();
  const [state, setState] = useState<Reporting>({ lastSentAt: null, problem: null, sendFailed: false });

  useEffect(() => {
    if (!active) return;
    if (!('geolocation' in navigator)) {
      setState((s) => ({ ...s, problem: 'unsupported' }));
      return;
    }
    let stopped = false;
    let inFlight = false;
    let latest: GeolocationPosition | null = null;
    let lastSent: (LatLng & { at: number; fixAt: number }) | null = null;

    const send = async (position: GeolocationPosition) => {
      if (inFlight || stopped) return;
      inFlight = true;
      try {
        await utils.client.tracking.update.mutate({ points: [toPoint(position)] });
        lastSent = {
          lat: position.coords.latitude,
          lng: position.coords.longitude,
          at: Date.now(),
          fixAt: position.timestamp,
        };
        if (!stopped) setState({ lastSentAt: Date.now(), problem: null, sendFailed: false });
      } catch {
        if (!stopped) setState((s) => ({ ...s, sendFailed: true }));
      } finally {
        inFlight = false;
      }
    };

    const onPosition = (position: GeolocationPosition) => {
      latest = position;
      const here = { lat: position.coords.latitude, lng: position.coords.longitude };
      if (!lastSent || distanceMeters(lastSent, here) > SEND_WHEN_MOVED_M) void send(position);
    };

    const watchId = navigator.geolocation.watchPosition(
      onPosition,
      (error) => {
        if (!stopped) setState((s) => ({ ...s, problem: toGeoProblem(error) }));
      },
      { enableHighAccuracy: true, maximumAge: 5_000, timeout: 30_000 },
    );

    // Every ~15 s send the newest fix if the watch produced one we haven't sent (small moves). Standing
    // still, some phones stop producing fixes: then ask for a fresh one now and then.
    let askedAt = 0;
    const timer = setInterval(() => {
      if (lastSent && Date.now() - lastSent.at < SEND_EVERY_MS - 1000) return;
      if (latest && (!lastSent || latest.timestamp > lastSent.fixAt)) {
        void send(latest);
        return;
      }
      if (Date.now() - askedAt < REFRESH_STILL_MS) return;
      askedAt = Date.now();
      navigator.geolocation.getCurrentPosition(
        (position) => {
          latest = position;
          void send(position);
        },
        () => {},
        { enableHighAccuracy: true, maximumAge: 0, timeout: 10_000 },
      );
    }, SEND_EVERY_MS);

    return () => {
      stopped = true;
      navigator.geolocation.clearWatch(watchId);
      clearInterval(timer);
    };
  }, [active, utils]);

  return state;
}

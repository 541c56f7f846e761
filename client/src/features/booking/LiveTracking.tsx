import './booking.css';
import { useEffect, useMemo, useRef, useState } from 'react';
import type { Booking } from '../../../../server/contracts/booking';
import type { LivePosition } from '../../../../server/contracts/tracking';
import { useI18n } from '../../i18n/I18nProvider';
import { INTL_LOCALES } from '../../i18n/locale';
import { useNow } from '../../lib/useNow';
import { type MapMarker, MapView } from '../map/MapView';
import { useLiveTracking } from './useLiveTracking';

/** While these last, the customer follows the technician on the map. */
export const TRACKED_STATUSES: readonly Booking['status'][] = ['assigned', 'en_route', 'arrived'];

/** Screen readers hear a summary at most this often (fixes come every few seconds). */
const ANNOUNCE_EVERY_MS = 30_000;
/** The server marks a position stale after a minute; without news for this long we say so ourselves. */
const CLIENT_STALE_MS = 90_000;
const FOLLOW = ['job', 'technician'];

/** "2 minutes ago", in the user's language. */
function useAgo() {
  const { locale } = useI18n();
  return useMemo(() => {
    const format = new Intl.RelativeTimeFormat(INTL_LOCALES[locale], { numeric: 'auto' });
    return (ms: number) => {
      const seconds = Math.max(0, Math.round(ms / 1000));
      if (seconds < 60) return format.format(-seconds, 'second');
      if (seconds < 3600) return format.format(-Math.round(seconds / 60), 'minute');
      return format.format(-Math.round(seconds / 3600), 'hour');
    };
  }, [locale]);
}

/**
 * Announces `text` politely, but not on every change: at once when `kind` changes (arrived, stale…),
 * otherwise at most every 30 s with the latest text.
 */
function useCalmAnnouncement(text: string, kind: string): string {
  const [said, setSaid] = useState(text);
  const last = useRef({ at: Date.now(), kind });
  useEffect(() => {
    const say = () => {
      setSaid(text);
      last.current = { at: Date.now(), kind };
    };
    const since = Date.now() - last.current.at;
    if (kind !== last.current.kind || since >= ANNOUNCE_EVERY_MS) {
      say();
      return;
    }
    const timer = setTimeout(say, ANNOUNCE_EVERY_MS - since);
    return () => clearTimeout(timer);
  }, [text, kind]);
  return said;
}

/** The technician on their way: a live map with the route so far, ETA and distance, in words too. */
export function LiveTracking({ booking }: { booking: Booking }) {
  const { t } = useI18n();
  const { position, path, live } = useLiveTracking(booking.id);
  const name = booking.technician?.name ?? '';

  const markers = useMemo<MapMarker[]>(() => {
    const list: MapMarker[] = [
      { id: 'job', position: booking.location, kind: 'job', label: t('tracking.yourPlace') },
    ];
    if (position) {
      list.push({
        id: 'technician',
        position: { lat: position.lat, lng: position.lng },
        kind: 'technician',
        label: name,
        animate: true,
        faded: position.stale,
        testId: 'technician-marker',
      });
    }
    return list;
  }, [booking.location, position, name, t]);

  return (
    <section className="card live-tracking" aria-labelledby="tracking-title" data-testid="live-map">
      <h2 id="tracking-title">{t('tracking.title')}</h2>
      {position ? (
        <Facts position={position} status={booking.status} name={name} />
      ) : (
        <p className="muted">{t('tracking.waiting', { name })}</p>
      )}
      {!live && (
        <p className="muted small" role="status">
          {t('tracking.reconnecting')}
        </p>
      )}
      <MapView
        label={t('tracking.mapLabel', { name })}
        center={booking.location}
        zoom={15}
        markers={markers}
        path={path}
        follow={FOLLOW}
        height={260}
      />
    </section>
  );
}

function Facts({
  position,
  status,
  name,
}: {
  position: LivePosition;
  status: Booking['status'];
  name: string;
}) {
  const { t, formatMinutes, formatDistance } = useI18n();
  const ago = useAgo();
  const now = useNow(10_000);
  // Remember when news last came on this device's clock: the phone and server clocks may disagree.
  const [receivedAt, setReceivedAt] = useState(() => Date.now());
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new fix (or stale flag) is the trigger.
  useEffect(() => setReceivedAt(Date.now()), [position]);

  const stale = position.stale || now - receivedAt > CLIENT_STALE_MS;
  const seenAgo = ago(Math.max(now - Date.parse(position.recordedAt), now - receivedAt));
  const arrived = status === 'arrived';
  const minutes = Math.max(1, Math.round(position.etaSeconds / 60));
  const eta = formatMinutes(minutes);
  const distance = formatDistance(position.distanceMeters);

  const kind = arrived ? 'arrived' : stale ? 'stale' : 'moving';
  const summary =
    kind === 'arrived'
      ? t('tracking.summary.arrived', { name })
      : kind === 'stale'
        ? t('tracking.summary.stale', { name, ago: seenAgo, distance })
        : t('tracking.summary.moving', { status: t(`status.${status}`), name, distance, eta });
  const announced = useCalmAnnouncement(summary, kind);

  return (
    <>
      <p className="tracking-facts" data-stale={String(stale)}>
        {!arrived && (
          <>
            <span className="tracking-eta" data-testid="eta" data-eta-seconds={position.etaSeconds}>
              {t('tracking.eta', { eta })}
            </span>
            <span aria-hidden="true"> · </span>
          </>
        )}
        <span data-testid="distance" data-meters={position.distanceMeters}>
          {t('tracking.distance', { distance })}
        </span>
      </p>
      {stale && (
        <p className="tracking-stale" data-testid="last-seen">
          {t('tracking.lastSeen', { ago: seenAgo })}
        </p>
      )}
      <p className="visually-hidden" aria-live="polite" data-testid="tracking-summary">
        {announced}
      </p>
    </>
  );
}

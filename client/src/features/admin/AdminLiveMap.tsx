import { useMemo, useState } from 'react';
import type { PublicUser } from '../../../../server/contracts/auth';
import type { OnlineSnapshot } from '../../../../server/contracts/tracking';
import { useI18n } from '../../i18n/I18nProvider';
import { problemKey } from '../../lib/apiErrors';
import { defaultCenter } from '../../lib/geolocation';
import { trpc } from '../../lib/trpc';
import { useResubscribe } from '../../lib/useResubscribe';
import { type MapMarker, MapView } from '../map/MapView';

/** Every online technician, streamed (`tracking.online`: a fresh snapshot every couple of seconds). */
export function AdminLiveMap({ user }: { user: PublicUser }) {
  const { t, formatNumber, formatTime } = useI18n();
  const [snapshot, setSnapshot] = useState<{ data: OnlineSnapshot; at: number } | null>(null);
  const subscription = trpc.tracking.online.useSubscription(undefined, {
    onData: (data) => setSnapshot({ data, at: Date.now() }),
  });
  useResubscribe(subscription);
  const online = snapshot?.data.technicians;
  const total = snapshot?.data.total ?? 0;
  const away = snapshot?.data.away ?? 0;
  const markers = useMemo<MapMarker[]>(
    () =>
      (online ?? []).map((row) => ({
        id: row.id,
        position: { lat: row.lat, lng: row.lng },
        kind: 'person',
        // Online but not heard from lately: shown faded, and not counted as online.
        faded: row.away,
        label: row.away ? t('admin.live.awayLabel', { name: row.name }) : row.name,
        animate: true,
        testId: 'admin-tech-marker',
      })),
    [online, t],
  );
  const follow = useMemo(() => markers.map((m) => m.id), [markers]);
  const center = useMemo(() => defaultCenter(user.timeZone, user.locale), [user]);

  return (
    <section className="card" aria-labelledby="live-title" data-testid="admin-live-map">
      <div className="card-heading">
        <h2 id="live-title">{t('admin.live.title')}</h2>
        {snapshot && (
          <span className="chip" data-testid="admin-online-count" data-count={total}>
            {t('admin.live.count', { count: formatNumber(total) })}
          </span>
        )}
        {snapshot && away > 0 && (
          <span className="chip chip-muted" data-testid="admin-away-count" data-count={away}>
            {t('admin.live.away', { count: formatNumber(away) })}
          </span>
        )}
      </div>
      {subscription.error && !snapshot && (
        <p className="form-error" role="alert">
          {t(problemKey(subscription.error))}
        </p>
      )}
      {snapshot && total === 0 && <p className="muted">{t('admin.live.none')}</p>}
      <MapView
        label={t('admin.live.mapLabel')}
        center={center}
        zoom={11}
        markers={markers}
        follow={follow}
        height={280}
      />
      {snapshot && (
        <p className="muted small">
          {t('admin.live.updated', { time: formatTime(snapshot.at) })}
          {online && online.length < total + away
            ? ` ${t('admin.live.partial', { shown: formatNumber(online.length), total: formatNumber(total + away) })}`
            : ''}
        </p>
      )}
      {online && online.length > 0 && (
        <ul className="visually-hidden">
          {online.map((row) => (
            <li key={row.id}>{row.away ? t('admin.live.awayLabel', { name: row.name }) : row.name}</li>
          ))}
        </ul>
      )}
    </section>
  );
}

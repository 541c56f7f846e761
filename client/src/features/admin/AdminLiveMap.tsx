import { useMemo } from 'react';
import type { PublicUser } from '../../../../server/contracts/auth';
import { useI18n } from '../../i18n/I18nProvider';
import { problemKey } from '../../lib/apiErrors';
import { defaultCenter } from '../../lib/geolocation';
import { trpc } from '../../lib/trpc';
import { type MapMarker, MapView } from '../map/MapView';

/** How often the map asks again where everyone is (a later version may stream positions instead). */
export const ADMIN_MAP_REFRESH_MS = 5_000;

/** Verified technicians who are online right now, on a map refreshed every few seconds. */
export function AdminLiveMap({ user }: { user: PublicUser }) {
  const { t, formatNumber, formatTime } = useI18n();
  const list = trpc.admin.technicians.list.useQuery(
    { verification: 'verified' },
    { refetchInterval: ADMIN_MAP_REFRESH_MS, staleTime: ADMIN_MAP_REFRESH_MS - 1000 },
  );
  const items = list.data?.items;
  const online = useMemo(() => (items ?? []).filter((row) => row.online && row.location !== null), [items]);
  const markers = useMemo<MapMarker[]>(
    () =>
      online.map((row) => ({
        id: row.userId,
        position: { lat: row.location!.lat, lng: row.location!.lng },
        kind: 'person',
        label: row.name,
        animate: true,
        testId: 'admin-tech-marker',
      })),
    [online],
  );
  const follow = useMemo(() => markers.map((m) => m.id), [markers]);
  const center = useMemo(() => defaultCenter(user.timeZone, user.locale), [user]);

  return (
    <section className="card" aria-labelledby="live-title" data-testid="admin-live-map">
      <div className="card-heading">
        <h2 id="live-title">{t('admin.live.title')}</h2>
        {list.data && (
          <span className="chip" data-testid="admin-online-count" data-count={online.length}>
            {t('admin.live.count', { count: formatNumber(online.length) })}
          </span>
        )}
      </div>
      {list.error && !list.data && (
        <p className="form-error" role="alert">
          {t(problemKey(list.error))}
        </p>
      )}
      {list.data && online.length === 0 && <p className="muted">{t('admin.live.none')}</p>}
      <MapView
        label={t('admin.live.mapLabel')}
        center={center}
        zoom={11}
        markers={markers}
        follow={follow}
        height={280}
      />
      {list.dataUpdatedAt > 0 && (
        <p className="muted small">
          {t('admin.live.updated', { time: formatTime(list.dataUpdatedAt) })}
          {list.data?.nextCursor ? ` ${t('admin.live.firstPage')}` : ''}
        </p>
      )}
      {online.length > 0 && (
        <ul className="visually-hidden">
          {online.map((row) => (
            <li key={row.userId}>{row.name}</li>
          ))}
        </ul>
      )}
    </section>
  );
}

import { Component, lazy, type ReactNode, Suspense, useMemo, useState } from 'react';
import type { PublicUser } from '../../../../server/contracts/auth';
import type { OnlineSnapshot } from '../../../../server/contracts/tracking';
import { useI18n } from '../../i18n/I18nProvider';
import { problemKey } from '../../lib/apiErrors';
import { marketCenter } from '../../lib/geolocation';
import { Link } from '../../lib/router';
import { trpc } from '../../lib/trpc';
import { useResubscribe } from '../../lib/useResubscribe';
import { useLiveDemand } from '../analytics/LiveDemand';
import { type OpsKind, type OpsPoint, shapeSvg } from '../cases/opsShapes';
import { useMarket } from '../catalog/useMarket';
import '../cases/cases.css';

// Leaflet and the cluster plugin load only with the map.
const LiveOpsMap = lazy(() => import('../cases/LiveOpsMap'));

const KINDS: OpsKind[] = ['available', 'busy', 'away', 'waiting'];

/** A map chunk that failed to load (flaky network) leaves the text list, not a broken screen. */
class MapBoundary extends Component<{ fallback: ReactNode; children: ReactNode }, { failed: boolean }> {
  override state = { failed: false };
  static getDerivedStateFromError(): { failed: boolean } {
    return { failed: true };
  }
  override render(): ReactNode {
    return this.state.failed ? this.props.fallback : this.props.children;
  }
}

function Shape({ kind }: { kind: OpsKind }) {
  // Our own constant SVG (no user text in it).
  // biome-ignore lint/security/noDangerouslySetInnerHtml: a fixed SVG from opsShapes.
  return <span className="ops-shape" dangerouslySetInnerHTML={{ __html: shapeSvg(kind, 18) }} />;
}

/**
 * Live operations: online technicians by state (available, on a job, away) as distinct colours and
 * shapes, bookings waiting for a technician, clustered when zoomed out; and the same as a text list.
 */
export function AdminLiveMap({ user }: { user: PublicUser }) {
  const { t, formatNumber, formatTime, localized } = useI18n();
  const [snapshot, setSnapshot] = useState<{ data: OnlineSnapshot; at: number } | null>(null);
  const subscription = trpc.tracking.online.useSubscription(undefined, {
    onData: (data) => setSnapshot({ data, at: Date.now() }),
  });
  useResubscribe(subscription);
  const waiting = trpc.admin.bookings.list.useQuery(
    { status: 'searching', limit: 100 },
    { refetchInterval: 10_000, staleTime: 5_000 },
  );
  const online = snapshot?.data.technicians;
  const total = snapshot?.data.total ?? 0;
  const away = snapshot?.data.away ?? 0;

  const points = useMemo<OpsPoint[]>(() => {
    const techs = (online ?? []).map(
      (row): OpsPoint => ({
        id: `t:${row.id}`,
        kind: row.away ? 'away' : row.available ? 'available' : 'busy',
        lat: row.lat,
        lng: row.lng,
        label: row.name,
      }),
    );
    const jobs = (waiting.data?.items ?? []).map(
      (b): OpsPoint => ({
        id: `b:${b.id}`,
        kind: 'waiting',
        lat: b.location.lat,
        lng: b.location.lng,
        label: `${localized(b.service.name)} · ${b.address}`,
      }),
    );
    return [...techs, ...jobs];
  }, [online, waiting.data, localized]);
  const byKind = (k: OpsKind) => points.filter((p) => p.kind === k);
  // The map opens on the admin's city (market.list: their choice, else time zone and language).
  const { market } = useMarket(user);
  const center = useMemo(() => (market ? marketCenter(market) : null), [market]);
  const live = useLiveDemand();
  const list = (
    // Scrollable, so reachable by keyboard (axe: scrollable-region-focusable); named by its sections.
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be focusable to scroll by keys.
    <div className="ops-list" data-testid="ops-list" tabIndex={0}>
      {KINDS.map((k) => {
        const rows = byKind(k);
        return (
          <section key={k} aria-labelledby={`ops-${k}`}>
            <h3 id={`ops-${k}`} className="small">
              <Shape kind={k} /> {t(`cases.live.${k}`)} ({formatNumber(rows.length)})
            </h3>
            {rows.length > 0 && (
              <ul>
                {rows.slice(0, 50).map((p) => (
                  <li key={p.id}>
                    {p.kind === 'waiting' ? (
                      <Link href={`/admin/bookings/${p.id.slice(2)}`}>
                        <bdi>{p.label}</bdi>
                      </Link>
                    ) : (
                      <bdi>{p.label}</bdi>
                    )}
                  </li>
                ))}
              </ul>
            )}
          </section>
        );
      })}
    </div>
  );

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
      <ul className="ops-legend" aria-label={t('cases.live.legend')}>
        {KINDS.map((k) => (
          <li key={k}>
            <Shape kind={k} /> {t(`cases.live.${k}`)}
          </li>
        ))}
      </ul>
      {live.control}
      <div className="ops-layout">
        <div className="ops-map-col" aria-hidden="false">
          <MapBoundary fallback={<p className="map map-placeholder">{t('map.failed')}</p>}>
            <Suspense fallback={<p className="map map-placeholder">{t('map.loading')}</p>}>
              {!center ? (
                <p className="map map-placeholder">{t('map.loading')}</p>
              ) : (
                <LiveOpsMap
                  label={t('admin.live.mapLabel')}
                  center={center}
                  points={points}
                  zoomInLabel={t('cases.live.zoomIn')}
                  zoomOutLabel={t('cases.live.zoomOut')}
                  fitLabel={t('cases.live.fit')}
                  height={300}
                  demand={live.demand}
                />
              )}
            </Suspense>
          </MapBoundary>
        </div>
        <details className="ops-list-col" open>
          <summary>{t('cases.live.list')}</summary>
          {list}
        </details>
      </div>
      {snapshot && (
        <p className="muted small">
          {t('admin.live.updated', { time: formatTime(snapshot.at) })}
          {online && online.length < total + away
            ? ` ${t('admin.live.partial', { shown: formatNumber(online.length), total: formatNumber(total + away) })}`
            : ''}
        </p>
      )}
    </section>
  );
}

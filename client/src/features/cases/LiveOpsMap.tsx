// The admin's live operations map (issue 14 §1): loaded only with it (Leaflet + leaflet.markercluster).
import 'leaflet/dist/leaflet.css';
import 'leaflet.markercluster/dist/MarkerCluster.css';
import type { Map as LMap, Marker, MarkerClusterGroup, TileErrorEvent } from 'leaflet';
import * as Leaflet from 'leaflet';
import { useEffect, useRef, useState } from 'react';
import type { DemandHeatmap } from '../../../../server/contracts/analytics';
import { useI18n } from '../../i18n/I18nProvider';
import { addDemandLayer, demandView } from './demandLayer';
import { type OpsPoint, shapeSvg } from './opsShapes';

export type LiveOpsMapProps = {
  label: string;
  center: { lat: number; lng: number };
  points: OpsPoint[];
  zoomInLabel: string;
  zoomOutLabel: string;
  fitLabel: string;
  height?: number;
  /** Requests per grid cell drawn under the markers (the demand heatmap), or nothing. */
  demand?: DemandHeatmap[] | null;
};

const TILE_URL = import.meta.env.VITE_TILE_URL || 'https://tile.openstreetmap.org/{z}/{x}/{y}.png';

/**
 * leaflet.markercluster is a classic plugin: it reads and extends a global `L`. The ES module namespace
 * Vite gives us cannot be extended, so the plugin gets a copy of it (the classes are the same objects,
 * so its clusters are ordinary Leaflet layers), and is loaded only after that global exists.
 */
let withClusters: Promise<typeof Leaflet> | undefined;
function loadClusters(): Promise<typeof Leaflet> {
  withClusters ??= (async () => {
    const L = { ...Leaflet } as typeof Leaflet;
    (globalThis as { L?: unknown }).L = L;
    await import('leaflet.markercluster');
    return L;
  })();
  return withClusters;
}

const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

export default function LiveOpsMap({
  label,
  center,
  points,
  zoomInLabel,
  zoomOutLabel,
  fitLabel,
  height = 320,
  demand,
}: LiveOpsMapProps) {
  const containerRef = useRef<HTMLElement>(null);
  const mapRef = useRef<LMap | null>(null);
  const clusterRef = useRef<MarkerClusterGroup | null>(null);
  const markersRef = useRef(new Map<string, { marker: Marker; key: string }>());
  const fittedRef = useRef(false);
  const [L, setL] = useState<typeof Leaflet | null>(null);
  const initial = useRef(center);
  // Cluster counts in the user's digits; read through a ref so a language switch does not rebuild the map.
  const { formatNumber } = useI18n();
  const formatCount = useRef(formatNumber);
  formatCount.current = formatNumber;

  useEffect(() => {
    let live = true;
    void loadClusters().then((lib) => live && setL(() => lib));
    return () => {
      live = false;
    };
  }, []);

  useEffect(() => {
    const container = containerRef.current;
    if (!L || !container) return;
    // No zoom or attribution control on the map: they would sit on markers. Ours are below it.
    const map = L.map(container, {
      center: [initial.current.lat, initial.current.lng],
      zoom: 11,
      zoomControl: false,
      attributionControl: false,
    });
    const tiles = L.tileLayer(TILE_URL, { maxZoom: 19, crossOrigin: true });
    // Without tiles (offline, blocked) the markers still stand on the container's plain grid.
    tiles.on('tileerror', (event: TileErrorEvent) => {
      event.tile.style.visibility = 'hidden';
    });
    tiles.addTo(map);
    const cluster = L.markerClusterGroup({
      showCoverageOnHover: false,
      maxClusterRadius: 48,
      spiderfyOnMaxZoom: true,
      iconCreateFunction: (c) => {
        const n = formatCount.current(c.getChildCount());
        return L.divIcon({
          className: 'ops-cluster',
          html: `<span role="img" aria-label="${n}">${n}</span>`,
          iconSize: [38, 38],
        });
      },
    });
    cluster.addTo(map);
    mapRef.current = map;
    clusterRef.current = cluster;
    const markers = markersRef.current;
    const resize = new ResizeObserver(() => map.invalidateSize());
    resize.observe(container);
    return () => {
      resize.disconnect();
      map.remove();
      mapRef.current = null;
      clusterRef.current = null;
      markers.clear();
    };
  }, [L]);

  useEffect(() => {
    const map = mapRef.current;
    const cluster = clusterRef.current;
    if (!L || !map || !cluster) return;
    const existing = markersRef.current;
    const wanted = new Set(points.map((p) => p.id));
    const removed: Marker[] = [];
    for (const [id, entry] of existing) {
      if (!wanted.has(id)) {
        removed.push(entry.marker);
        existing.delete(id);
      }
    }
    if (removed.length) cluster.removeLayers(removed);
    const added: Marker[] = [];
    for (const p of points) {
      const key = `${p.kind}|${p.label}`;
      const entry = existing.get(p.id);
      if (entry && entry.key === key) {
        const at = entry.marker.getLatLng();
        if (at.lat !== p.lat || at.lng !== p.lng) entry.marker.setLatLng([p.lat, p.lng]);
        continue;
      }
      if (entry) cluster.removeLayer(entry.marker);
      const m = L.marker([p.lat, p.lng], {
        icon: L.divIcon({
          className: `ops-pin ops-pin-${p.kind}`,
          html: `<span data-testid="ops-${p.kind}" data-name="${escapeHtml(p.label)}">${shapeSvg(p.kind)}</span>`,
          iconSize: [24, 24],
          iconAnchor: [12, 12],
        }),
        alt: p.label,
        keyboard: false,
        zIndexOffset: p.kind === 'waiting' ? 500 : 0,
      });
      // The name on hover, and on a tap (touch has no hover).
      m.bindTooltip(escapeHtml(p.label), { direction: 'top', offset: [0, -10] });
      m.on('click', () => m.openTooltip());
      existing.set(p.id, { marker: m, key });
      added.push(m);
    }
    if (added.length) cluster.addLayers(added);
    // The first time there is something to show, show all of it (padding keeps pins off the edges).
    if (!fittedRef.current && points.length) {
      fittedRef.current = true;
      map.fitBounds(L.latLngBounds(points.map((p) => [p.lat, p.lng] as [number, number])), {
        padding: [28, 28],
        maxZoom: 15,
        animate: false,
      });
    }
  }, [L, points]);

  useEffect(() => {
    const map = mapRef.current;
    if (!L || !map || !demand?.length) return;
    const layer = addDemandLayer(L, map, demand);
    const view = demandView(L, map, demand);
    if (view) map.fitBounds(view, { padding: [16, 16], maxZoom: 14, animate: false });
    // How many squares are in view (for tests and the curious: the layer's own count, not pixels).
    const inView = map.getBounds();
    containerRef.current?.setAttribute(
      'data-demand-in-view',
      String(demand.reduce((a, h) => a + h.cells.filter((c) => inView.contains([c.lat, c.lng])).length, 0)),
    );
    return () => {
      layer.remove();
    };
  }, [L, demand]);

  const fit = () => {
    const map = mapRef.current;
    if (!L || !map || !points.length) return;
    map.fitBounds(L.latLngBounds(points.map((p) => [p.lat, p.lng] as [number, number])), {
      padding: [28, 28],
      maxZoom: 15,
    });
  };

  return (
    <div className="map-wrap">
      <section
        ref={containerRef}
        className="map ops-map"
        dir="ltr"
        style={{ blockSize: height }}
        aria-label={label}
        data-testid="ops-map"
        data-ready={L ? 'true' : 'false'}
        data-demand-cells={demand ? demand.reduce((a, h) => a + h.cells.length, 0) : undefined}
      />
      <div className="ops-controls">
        <button
          type="button"
          className="button button-ghost"
          onClick={() => mapRef.current?.zoomIn()}
          aria-label={zoomInLabel}
        >
          +
        </button>
        <button
          type="button"
          className="button button-ghost"
          onClick={() => mapRef.current?.zoomOut()}
          aria-label={zoomOutLabel}
        >
          −
        </button>
        <button type="button" className="button button-ghost" onClick={fit}>
          {fitLabel}
        </button>
        <span className="muted small ops-attribution">© OpenStreetMap</span>
      </div>
    </div>
  );
}

import './map.css';
// Loaded only on screens with a map (see MapView): Leaflet and its CSS stay out of the first screen's JS.
import 'leaflet/dist/leaflet.css';
import {
  divIcon,
  type LatLngTuple,
  type LeafletMouseEvent,
  type Map as LMap,
  latLngBounds,
  map as leafletMap,
  marker as leafletMarker,
  type Marker,
  type Polyline,
  point,
  polyline,
  type TileErrorEvent,
  tileLayer,
} from 'leaflet';
import { useEffect, useRef } from 'react';
import type { LatLng } from '../../lib/geolocation';
import type { MapMarker, MapProps } from './types';

const TILE_URL = import.meta.env.VITE_TILE_URL || 'https://tile.openstreetmap.org/{z}/{x}/{y}.png';
const TILE_ATTRIBUTION =
  import.meta.env.VITE_TILE_ATTRIBUTION ||
  '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors';

/** A marker glides to its new position over about a second (see `animate`). */
const GLIDE_MS = 1_000;
/** Following markers, the map zooms in as they get close, down to street level but no closer. */
const FOLLOW_MAX_ZOOM = 17;
const FOLLOW_PADDING = 40;
/** Farther than this is a jump (a first fix, a reconnect after a long gap), not movement: no glide. */
const GLIDE_MAX_METERS = 5_000;

// Pins are inline SVG (divIcon): no marker image requests that could fail on a flaky connection.
const PIN_SVG =
  '<svg viewBox="0 0 32 44" width="32" height="44" aria-hidden="true" focusable="false">' +
  '<path d="M16 1C7.7 1 1 7.6 1 15.8 1 27 16 43 16 43s15-16 15-27.2C31 7.6 24.3 1 16 1z" ' +
  'fill="currentColor" stroke="#fff" stroke-width="2"/><circle cx="16" cy="16" r="6" fill="#fff"/></svg>';

const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

/** Everything an icon depends on: the marker's icon is replaced only when this changes. */
const iconKey = (spec: MapMarker) => `${spec.kind}|${spec.text ?? ''}|${spec.faded ? 1 : 0}|${spec.label}`;

function iconFor(spec: MapMarker) {
  const testId = spec.testId ? ` data-testid="${escapeHtml(spec.testId)}"` : '';
  const faded = spec.faded ? ' map-pin-faded' : '';
  if (spec.kind === 'job') {
    return divIcon({
      className: `map-pin map-pin-job${faded}`,
      html: PIN_SVG.replace('<svg ', `<svg${testId} `),
      iconSize: [32, 44],
      iconAnchor: [16, 43],
    });
  }
  if (spec.kind === 'technician') {
    return divIcon({
      className: `map-pin map-pin-technician${faded}`,
      html: `<span role="img" aria-label="${escapeHtml(spec.label)}"${testId}></span>`,
      iconSize: [30, 30],
      iconAnchor: [15, 15],
    });
  }
  if (spec.kind === 'cell') {
    return divIcon({
      className: 'map-pin map-pin-cell',
      html: `<span role="img" aria-label="${escapeHtml(spec.label)}"${testId}>${escapeHtml(spec.text ?? '')}</span>`,
      iconSize: [34, 34],
      iconAnchor: [17, 17],
    });
  }
  return divIcon({
    className: `map-pin map-pin-${spec.kind}${faded}`,
    html: `<span${testId}></span>`,
    iconSize: [22, 22],
    iconAnchor: [11, 11],
  });
}

const reducedMotion = () => window.matchMedia?.('(prefers-reduced-motion: reduce)').matches ?? false;
const easeOutCubic = (k: number) => 1 - (1 - k) ** 3;

export default function LeafletMap({
  label,
  center,
  zoom = 15,
  markers,
  path,
  follow,
  onPick,
  pickCenterLabel,
  recenterKey,
  height = 240,
}: MapProps) {
  const containerRef = useRef<HTMLElement>(null);
  const mapRef = useRef<LMap | null>(null);
  const markersRef = useRef(new Map<string, { marker: Marker; icon: string; target: LatLng }>());
  const glidesRef = useRef(new Map<string, number>());
  const pathRef = useRef<Polyline | null>(null);
  /** The user panned or zoomed the map: stop following markers around. */
  const userMovedRef = useRef(false);
  /** Our own view changes (following) are not the user's. */
  const fittingRef = useRef(false);
  // Handlers change every render; Leaflet listeners are bound once and read the latest through a ref.
  const onPickRef = useRef(onPick);
  onPickRef.current = onPick;
  const initialView = useRef({ center, zoom });

  useEffect(() => {
    const container = containerRef.current;
    if (!container) return;
    const { center: c, zoom: z } = initialView.current;
    const map = leafletMap(container, { center: [c.lat, c.lng], zoom: z, zoomControl: true });
    const tiles = tileLayer(TILE_URL, { maxZoom: 19, attribution: TILE_ATTRIBUTION, crossOrigin: true });
    // Without tiles (offline, blocked) the map still works on the container's plain grid background;
    // hide failed tiles so no broken-image boxes cover it.
    tiles.on('tileerror', (event: TileErrorEvent) => {
      event.tile.style.visibility = 'hidden';
    });
    tiles.addTo(map);
    map.on('click', (event: LeafletMouseEvent) => {
      onPickRef.current?.({ lat: event.latlng.lat, lng: event.latlng.lng });
    });
    map.on('dragstart', () => {
      userMovedRef.current = true;
    });
    map.on('zoomstart', () => {
      if (!fittingRef.current) userMovedRef.current = true;
    });
    mapRef.current = map;
    const markerMap = markersRef.current;
    const glides = glidesRef.current;
    // The container may get its final size after layout (lazy chunk, fonts): re-measure once.
    const resize = new ResizeObserver(() => map.invalidateSize());
    resize.observe(container);
    return () => {
      resize.disconnect();
      for (const frame of glides.values()) cancelAnimationFrame(frame);
      glides.clear();
      map.remove();
      mapRef.current = null;
      pathRef.current = null;
      markerMap.clear();
    };
  }, []);

  // Recentre when asked (a new position from "Use my location"), not on every pan of the user's.
  // biome-ignore lint/correctness/useExhaustiveDependencies: recenterKey is the trigger; center is read then.
  useEffect(() => {
    if (recenterKey === undefined) return;
    // No animation: a zoom animation still running when the screen unmounts makes Leaflet throw.
    mapRef.current?.setView([center.lat, center.lng], Math.max(mapRef.current.getZoom(), zoom), {
      animate: false,
    });
  }, [recenterKey]);

  useEffect(() => {
    const map = mapRef.current;
    if (!map) return;
    const existing = markersRef.current;
    const glides = glidesRef.current;
    const wanted = new Set(markers.map((m) => m.id));
    for (const [id, entry] of existing) {
      if (!wanted.has(id)) {
        cancelAnimationFrame(glides.get(id) ?? 0);
        glides.delete(id);
        entry.marker.remove();
        existing.delete(id);
      }
    }

    const glide = (id: string, m: Marker, to: LatLng) => {
      cancelAnimationFrame(glides.get(id) ?? 0);
      glides.delete(id);
      const from = m.getLatLng();
      if (reducedMotion() || document.hidden || from.distanceTo([to.lat, to.lng]) > GLIDE_MAX_METERS) {
        m.setLatLng([to.lat, to.lng]);
        return;
      }
      const start = performance.now();
      const step = (now: number) => {
        const k = Math.min(1, (now - start) / GLIDE_MS);
        const e = easeOutCubic(k);
        m.setLatLng([from.lat + (to.lat - from.lat) * e, from.lng + (to.lng - from.lng) * e]);
        if (k < 1) glides.set(id, requestAnimationFrame(step));
        else glides.delete(id);
      };
      glides.set(id, requestAnimationFrame(step));
    };

    for (const spec of markers) {
      const entry = existing.get(spec.id);
      const key = iconKey(spec);
      if (!entry) {
        const passive = spec.kind === 'cell' || spec.kind === 'technician';
        const m = leafletMarker([spec.position.lat, spec.position.lng], {
          icon: iconFor(spec),
          draggable: Boolean(spec.editable),
          keyboard: false,
          // Counts and the moving technician must not swallow taps meant for the map (setting the pin).
          interactive: !passive,
          title: passive ? undefined : spec.label,
          alt: spec.label,
          zIndexOffset: spec.kind === 'technician' ? 1000 : 0,
        });
        if (spec.editable) {
          m.on('dragend', (event) => {
            const position = (event.target as Marker).getLatLng();
            onPickRef.current?.({ lat: position.lat, lng: position.lng });
          });
        }
        m.addTo(map);
        existing.set(spec.id, { marker: m, icon: key, target: spec.position });
        continue;
      }
      if (entry.icon !== key) {
        entry.marker.setIcon(iconFor(spec));
        entry.icon = key;
      }
      if (entry.target.lat !== spec.position.lat || entry.target.lng !== spec.position.lng) {
        entry.target = spec.position;
        if (spec.animate) glide(spec.id, entry.marker, spec.position);
        else entry.marker.setLatLng([spec.position.lat, spec.position.lng]);
      }
    }

    // Keep the followed markers (the technician and the customer's pin) in view as they move, and zoom
    // in as they get close so the two don't end up on top of each other.
    if (follow?.length && !userMovedRef.current) {
      const points = markers
        .filter((m) => follow.includes(m.id))
        .map((m): LatLngTuple => [m.position.lat, m.position.lng]);
      const inner = map.getBounds().pad(-0.1);
      const outside = !points.every((p) => inner.contains(p));
      fittingRef.current = true;
      try {
        if (points.length === 1 && outside) {
          map.panTo(points[0]!, { animate: false });
        } else if (points.length > 1) {
          const bounds = latLngBounds(points);
          const fits = map.getBoundsZoom(bounds, false, point(2 * FOLLOW_PADDING, 2 * FOLLOW_PADDING));
          const zoomIn = map.getZoom() < FOLLOW_MAX_ZOOM && fits > map.getZoom() + 1;
          if (outside || zoomIn) {
            const pad = point(FOLLOW_PADDING, FOLLOW_PADDING);
            map.fitBounds(bounds, { padding: pad, maxZoom: FOLLOW_MAX_ZOOM, animate: false });
          }
        }
      } finally {
        fittingRef.current = false;
      }
    }
  }, [markers, follow]);

  useEffect(() => {
    const map = mapRef.current;
    if (!map) return;
    const points = (path ?? []).map((p): LatLngTuple => [p.lat, p.lng]);
    if (points.length < 2) {
      pathRef.current?.remove();
      pathRef.current = null;
      return;
    }
    if (pathRef.current) pathRef.current.setLatLngs(points);
    else {
      pathRef.current = polyline(points, {
        className: 'map-trail',
        color: '#0e7c66',
        weight: 4,
        opacity: 0.7,
        interactive: false,
      }).addTo(map);
    }
  }, [path]);

  const pickCenter = () => {
    const map = mapRef.current;
    if (!map) return;
    const c = map.getCenter();
    onPick?.({ lat: c.lat, lng: c.lng });
  };

  return (
    <div className="map-wrap">
      {/* Leaflet's controls assume a left-to-right container; the page around it still mirrors. */}
      <section
        ref={containerRef}
        className="map"
        dir="ltr"
        style={{ blockSize: height }}
        aria-label={label}
      />
      {onPick && pickCenterLabel && (
        <button type="button" className="button button-ghost map-center-button" onClick={pickCenter}>
          {pickCenterLabel}
        </button>
      )}
    </div>
  );
}

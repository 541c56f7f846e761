// Loaded only on screens with a map (see MapView): Leaflet and its CSS stay out of the first screen's JS.
import 'leaflet/dist/leaflet.css';
import {
  divIcon,
  type LeafletMouseEvent,
  type Map as LMap,
  map as leafletMap,
  marker as leafletMarker,
  type Marker,
  type TileErrorEvent,
  tileLayer,
} from 'leaflet';
import { useEffect, useRef } from 'react';
import type { MapMarker, MapProps } from './types';

const TILE_URL = import.meta.env.VITE_TILE_URL || 'https://tile.openstreetmap.org/{z}/{x}/{y}.png';
const TILE_ATTRIBUTION =
  import.meta.env.VITE_TILE_ATTRIBUTION ||
  '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors';

// Pins are inline SVG (divIcon): no marker image requests that could fail on a flaky connection.
const PIN_SVG =
  '<svg viewBox="0 0 32 44" width="32" height="44" aria-hidden="true" focusable="false">' +
  '<path d="M16 1C7.7 1 1 7.6 1 15.8 1 27 16 43 16 43s15-16 15-27.2C31 7.6 24.3 1 16 1z" ' +
  'fill="currentColor" stroke="#fff" stroke-width="2"/><circle cx="16" cy="16" r="6" fill="#fff"/></svg>';

function iconFor(kind: MapMarker['kind']) {
  if (kind === 'job') {
    return divIcon({
      className: 'map-pin map-pin-job',
      html: PIN_SVG,
      iconSize: [32, 44],
      iconAnchor: [16, 43],
    });
  }
  return divIcon({
    className: `map-pin map-pin-${kind}`,
    html: '<span></span>',
    iconSize: [22, 22],
    iconAnchor: [11, 11],
  });
}

export default function LeafletMap({
  label,
  center,
  zoom = 15,
  markers,
  onPick,
  pickCenterLabel,
  recenterKey,
  height = 240,
}: MapProps) {
  const containerRef = useRef<HTMLElement>(null);
  const mapRef = useRef<LMap | null>(null);
  const markersRef = useRef(new Map<string, Marker>());
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
    mapRef.current = map;
    const markerMap = markersRef.current;
    // The container may get its final size after layout (lazy chunk, fonts): re-measure once.
    const resize = new ResizeObserver(() => map.invalidateSize());
    resize.observe(container);
    return () => {
      resize.disconnect();
      map.remove();
      mapRef.current = null;
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
    const wanted = new Set(markers.map((m) => m.id));
    for (const [id, m] of existing) {
      if (!wanted.has(id)) {
        m.remove();
        existing.delete(id);
      }
    }
    for (const spec of markers) {
      let m = existing.get(spec.id);
      if (!m) {
        m = leafletMarker([spec.position.lat, spec.position.lng], {
          icon: iconFor(spec.kind),
          draggable: Boolean(spec.editable),
          keyboard: false,
          title: spec.label,
          alt: spec.label,
        });
        if (spec.editable) {
          m.on('dragend', (event) => {
            const position = (event.target as Marker).getLatLng();
            onPickRef.current?.({ lat: position.lat, lng: position.lng });
          });
        }
        m.addTo(map);
        existing.set(spec.id, m);
      } else {
        m.setLatLng([spec.position.lat, spec.position.lng]);
      }
    }
  }, [markers]);

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

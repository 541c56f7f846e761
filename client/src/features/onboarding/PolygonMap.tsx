// Loaded only where polygons are shown or edited (lazy, like the other maps): Leaflet stays out of the
// first screen's JS.
import 'leaflet/dist/leaflet.css';
import {
  circleMarker,
  divIcon,
  type LeafletMouseEvent,
  type Map as LMap,
  latLngBounds,
  map as leafletMap,
  marker as leafletMarker,
  polygon as leafletPolygon,
  type Marker,
  type Polygon,
  type TileErrorEvent,
  tileLayer,
} from 'leaflet';
import { useEffect, useRef } from 'react';
import type { LatLng } from '../../lib/geolocation';
import './onboarding.css';

const TILE_URL = import.meta.env.VITE_TILE_URL || 'https://tile.openstreetmap.org/{z}/{x}/{y}.png';
const TILE_ATTRIBUTION =
  import.meta.env.VITE_TILE_ATTRIBUTION ||
  '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors';

export type Shape = { id: string; ring: LatLng[]; label: string };

export type PolygonEdit = {
  ring: LatLng[];
  selected: number | null;
  /** The ring after a corner was dragged, or a corner inserted on an edge (then `select` is that corner). */
  onChange: (ring: LatLng[], select?: number) => void;
  onSelect: (index: number | null) => void;
  /** A tap on the map (not on a corner): a new corner there. */
  onAdd: (p: LatLng) => void;
  cornerLabel: (n: number) => string;
  midpointLabel: (a: number, b: number) => string;
};

export type PolygonMapProps = {
  label: string;
  center: LatLng;
  zoom?: number;
  height?: number;
  /** Drawn read-only (the other areas). */
  shapes: Shape[];
  /** Fit the view to the shapes (and the edited ring) once they are there. */
  fit?: boolean;
  /** The polygon being drawn or edited: corners are big draggable handles, edges carry a "+" to insert one. */
  edit?: PolygonEdit;
  /** Label of "add a corner at the centre of the map" (keyboard users cannot tap the map). */
  addCenterLabel?: string;
  /** Show the shapes' labels on the map at all times (not only on hover). */
  permanentLabels?: boolean;
  /** A point to mark (the job's pin), included in the fitted view. */
  marker?: LatLng;
};

const esc = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

/**
 * Corner handles are 44 px touch targets (WCAG 2.5.5) around an 18 px dot, so a thumb on a 360 px phone
 * can grab one without hitting the map; the "+" on each edge inserts a corner there.
 */
const cornerIcon = (n: number, selected: boolean, label: string) =>
  divIcon({
    className: `poly-handle${selected ? ' poly-handle-selected' : ''}`,
    html: `<span role="button" aria-label="${esc(label)}" aria-pressed="${selected}" data-testid="corner-${n}">${n}</span>`,
    iconSize: [44, 44],
    iconAnchor: [22, 22],
  });
const midIcon = (a: number, label: string) =>
  divIcon({
    className: 'poly-mid',
    html: `<span role="button" aria-label="${esc(label)}" data-testid="midpoint-${a}">+</span>`,
    iconSize: [36, 36],
    iconAnchor: [18, 18],
  });

export default function PolygonMap({
  label,
  center,
  zoom = 13,
  height = 280,
  shapes,
  fit,
  edit,
  addCenterLabel,
  permanentLabels,
  marker,
}: PolygonMapProps) {
  const containerRef = useRef<HTMLElement>(null);
  const mapRef = useRef<LMap | null>(null);
  const shapesRef = useRef<Polygon[]>([]);
  const editLayerRef = useRef<{ poly: Polygon | null; handles: Marker[] }>({ poly: null, handles: [] });
  const editRef = useRef(edit);
  editRef.current = edit;
  const fitted = useRef(false);
  const initial = useRef({ center, zoom });

  useEffect(() => {
    const container = containerRef.current;
    if (!container) return;
    const { center: c, zoom: z } = initial.current;
    // While drawing, every tap is a corner: a quick second tap must not zoom in as well (the zoom
    // buttons and pinch still do).
    const map = leafletMap(container, {
      center: [c.lat, c.lng],
      zoom: z,
      zoomControl: true,
      doubleClickZoom: !editRef.current,
    });
    const tiles = tileLayer(TILE_URL, { maxZoom: 19, attribution: TILE_ATTRIBUTION, crossOrigin: true });
    tiles.on('tileerror', (event: TileErrorEvent) => {
      event.tile.style.visibility = 'hidden';
    });
    tiles.addTo(map);
    map.on('click', (event: LeafletMouseEvent) => {
      const e = editRef.current;
      if (!e) return;
      // A tap with a corner selected only deselects it (a thumb slipping off a corner adds nothing).
      if (e.selected !== null) e.onSelect(null);
      else e.onAdd({ lat: event.latlng.lat, lng: event.latlng.lng });
    });
    mapRef.current = map;
    const resize = new ResizeObserver(() => map.invalidateSize());
    resize.observe(container);
    return () => {
      resize.disconnect();
      map.remove();
      mapRef.current = null;
      shapesRef.current = [];
      editLayerRef.current = { poly: null, handles: [] };
    };
  }, []);

  // The read-only shapes.
  useEffect(() => {
    const map = mapRef.current;
    if (!map) return;
    for (const p of shapesRef.current) p.remove();
    shapesRef.current = shapes
      .filter((s) => s.ring.length >= 3)
      .map((s) =>
        leafletPolygon(
          s.ring.map((p) => [p.lat, p.lng] as [number, number]),
          { className: 'poly-shape', color: '#0e7c66', weight: 2, fillOpacity: 0.15, interactive: false },
        )
          .bindTooltip(
            s.label,
            permanentLabels ? { permanent: true, direction: 'top', offset: [0, -8] } : undefined,
          )
          .addTo(map),
      );
  }, [shapes, permanentLabels]);

  // The marked point (vector, like the shapes: drawn without tiles).
  const { lat, lng } = marker ?? {};
  useEffect(() => {
    const map = mapRef.current;
    if (!map || lat === undefined || lng === undefined) return;
    const dot = circleMarker([lat, lng], {
      className: 'poly-marker',
      radius: 7,
      color: '#b91c1c',
      weight: 3,
      fillOpacity: 0.8,
      interactive: false,
    }).addTo(map);
    return () => {
      dot.remove();
    };
  }, [lat, lng]);

  // The edited ring: polygon, corner handles, edge "+" handles. Rebuilt when the ring changes (a few dozen
  // markers at most); while a corner is dragged the outline follows without a React render.
  const ringKey = edit ? `${edit.ring.map((p) => `${p.lat},${p.lng}`).join(';')}|${edit.selected}` : '';
  // biome-ignore lint/correctness/useExhaustiveDependencies: ringKey stands for edit's ring and selection.
  useEffect(() => {
    const map = mapRef.current;
    if (!map) return;
    const layer = editLayerRef.current;
    layer.poly?.remove();
    for (const h of layer.handles) h.remove();
    layer.poly = null;
    layer.handles = [];
    const e = editRef.current;
    if (!e) return;
    const ring = e.ring;
    const latlngs = ring.map((p) => [p.lat, p.lng] as [number, number]);
    if (ring.length >= 2) {
      layer.poly = leafletPolygon(latlngs, {
        className: 'poly-edit',
        color: '#b45309',
        weight: 3,
        dashArray: ring.length < 3 ? '6 6' : undefined,
        fillOpacity: ring.length >= 3 ? 0.2 : 0,
        interactive: false,
      }).addTo(map);
    }
    ring.forEach((p, i) => {
      const m = leafletMarker([p.lat, p.lng], {
        icon: cornerIcon(i + 1, e.selected === i, e.cornerLabel(i + 1)),
        draggable: true,
        keyboard: true,
        title: e.cornerLabel(i + 1),
        zIndexOffset: 1000,
        autoPan: true,
      });
      m.on('click', () => editRef.current?.onSelect(editRef.current.selected === i ? null : i));
      m.on('drag', () => {
        const moved = m.getLatLng();
        latlngs[i] = [moved.lat, moved.lng];
        layer.poly?.setLatLngs(latlngs);
      });
      m.on('dragend', () => {
        const moved = m.getLatLng();
        const next = ring.map((q, j) => (j === i ? { lat: moved.lat, lng: moved.lng } : q));
        editRef.current?.onChange(next, i);
      });
      m.addTo(map);
      layer.handles.push(m);
    });
    if (ring.length >= 3) {
      ring.forEach((p, i) => {
        const q = ring[(i + 1) % ring.length]!;
        const m = leafletMarker([(p.lat + q.lat) / 2, (p.lng + q.lng) / 2], {
          icon: midIcon(i + 1, e.midpointLabel(i + 1, ((i + 1) % ring.length) + 1)),
          keyboard: true,
          title: e.midpointLabel(i + 1, ((i + 1) % ring.length) + 1),
        });
        m.on('click', () => {
          const mid = m.getLatLng();
          const next = [...ring.slice(0, i + 1), { lat: mid.lat, lng: mid.lng }, ...ring.slice(i + 1)];
          editRef.current?.onChange(next, i + 1);
        });
        m.addTo(map);
        layer.handles.push(m);
      });
    }
  }, [ringKey, edit === undefined]);

  // Fit once to what there is to see.
  useEffect(() => {
    const map = mapRef.current;
    if (!map || !fit || fitted.current) return;
    const points = [...shapes.flatMap((s) => s.ring), ...(edit?.ring ?? []), ...(marker ? [marker] : [])].map(
      (p) => [p.lat, p.lng] as [number, number],
    );
    if (points.length < 2) return;
    fitted.current = true;
    // Room for labels shown above the shapes.
    const pad = permanentLabels ? 48 : 24;
    map.fitBounds(latLngBounds(points), { padding: [pad, pad], maxZoom: 16, animate: false });
  }, [fit, shapes, edit?.ring, marker, permanentLabels]);

  return (
    <div className="map-wrap">
      <section
        ref={containerRef}
        className="map poly-map"
        dir="ltr"
        style={{ blockSize: height }}
        aria-label={label}
      />
      {edit && addCenterLabel && (
        <button
          type="button"
          className="button button-ghost map-center-button"
          onClick={() => {
            const c = mapRef.current?.getCenter();
            if (c) edit.onAdd({ lat: c.lat, lng: c.lng });
          }}
        >
          {addCenterLabel}
        </button>
      )}
    </div>
  );
}

// The demand heatmap: Leaflet (already the app's map library) with one shaded square per grid cell,
// drawn on a canvas renderer (thousands of cells stay cheap). Loaded with the analytics screen only.
import 'leaflet/dist/leaflet.css';
import { canvas, latLngBounds, map as leafletMap, rectangle, tileLayer } from 'leaflet';
import { useEffect, useRef } from 'react';
import type { DemandHeatmap as Heatmap } from '../../../../server/contracts/analytics';
import { heatColour as colour } from './heatColour';

const TILE_URL = import.meta.env.VITE_TILE_URL || 'https://tile.openstreetmap.org/{z}/{x}/{y}.png';
const TILE_ATTRIBUTION =
  import.meta.env.VITE_TILE_ATTRIBUTION ||
  '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors';

export default function DemandHeatmap({
  heatmap,
  center,
  label,
  height = 320,
}: {
  heatmap: Heatmap;
  center: [number, number];
  label: string;
  height?: number;
}) {
  const box = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const renderer = canvas({ padding: 0.2 });
    const m = leafletMap(el, { center, zoom: 10, preferCanvas: true, renderer, attributionControl: true });
    tileLayer(TILE_URL, { attribution: TILE_ATTRIBUTION, maxZoom: 18 }).addTo(m);
    const half = heatmap.cellDegrees / 2;
    const max = Math.max(1, heatmap.max);
    for (const c of heatmap.cells) {
      rectangle(
        [
          [c.lat - half, c.lng - half],
          [c.lat + half, c.lng + half],
        ],
        { renderer, stroke: false, fillColor: colour(c.count / max), fillOpacity: 0.7, interactive: false },
      ).addTo(m);
    }
    if (heatmap.cells.length) {
      const bounds = latLngBounds(heatmap.cells.map((c) => [c.lat, c.lng] as [number, number]));
      m.fitBounds(bounds.pad(0.1), { maxZoom: 13 });
    }
    return () => {
      m.remove();
    };
  }, [heatmap, center]);

  return (
    <div
      ref={box}
      className="map an-heatmap"
      style={{ blockSize: height }}
      role="img"
      aria-label={label}
      data-testid="analytics-heatmap"
    />
  );
}

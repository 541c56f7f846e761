// The demand heatmap as a layer of the admin live map (issue 14 §6: "a demand heatmap on the map"):
// requests per ~1 km grid cell (admin.analytics.heatmap), one shaded square per cell on a canvas, in a
// pane of its own between the tiles and the markers, so technicians and waiting jobs stay on top and
// clickable. A grid of squares rather than a blurred heat plugin: the server counts per cell, and the
// squares show exactly those counts.
import type * as Leaflet from 'leaflet';
import type { DemandHeatmap } from '../../../../server/contracts/analytics';
import { heatColour } from '../analytics/heatColour';

const PANE = 'fundi-demand';

/** Draws the squares; the returned `remove` takes them and their canvas off the map. */
export function addDemandLayer(
  L: typeof Leaflet,
  map: Leaflet.Map,
  heatmaps: DemandHeatmap[],
): { remove(): void } {
  if (!map.getPane(PANE)) {
    const pane = map.createPane(PANE);
    // Above tiles (200), below the overlay (400) and marker (600) panes; clicks go through to the map.
    pane.style.zIndex = '350';
    pane.style.pointerEvents = 'none';
  }
  const renderer = L.canvas({ pane: PANE, padding: 0.2 });
  const group = L.layerGroup([], { pane: PANE });
  // One colour scale over all markets: the busiest cell anywhere is the darkest.
  const max = Math.max(1, ...heatmaps.map((h) => h.max));
  for (const h of heatmaps) {
    const half = h.cellDegrees / 2;
    for (const c of h.cells) {
      L.rectangle(
        [
          [c.lat - half, c.lng - half],
          [c.lat + half, c.lng + half],
        ],
        {
          renderer,
          pane: PANE,
          stroke: false,
          fillColor: heatColour(c.count / max),
          fillOpacity: 0.55,
          interactive: false,
        },
      ).addTo(group);
    }
  }
  group.addTo(map);
  return {
    remove() {
      group.remove();
      renderer.remove();
    },
  };
}

/**
 * The view to show when the layer is switched on: the demand of the market nearest to the current view
 * (not every market's: Lagos and Cairo together would zoom out to a continent, where a 1 km square is
 * less than a pixel). "Show all" goes back to every marker.
 */
export function demandView(
  L: typeof Leaflet,
  map: Leaflet.Map,
  heatmaps: DemandHeatmap[],
): Leaflet.LatLngBounds | null {
  const centre = map.getCenter();
  let best: { bounds: Leaflet.LatLngBounds; distance: number } | null = null;
  for (const h of heatmaps) {
    if (!h.cells.length) continue;
    const half = h.cellDegrees / 2;
    const bounds = L.latLngBounds(
      h.cells.flatMap((c) => [
        [c.lat - half, c.lng - half] as [number, number],
        [c.lat + half, c.lng + half] as [number, number],
      ]),
    );
    const distance = centre.distanceTo(bounds.getCenter());
    if (!best || distance < best.distance) best = { bounds, distance };
  }
  return best?.bounds ?? null;
}

/**
 * The demand heatmap's colour: light yellow → deep red by a cell's share of the busiest cell (square
 * root: small counts stay visible). Shared by the analytics screen's map and the live map's layer.
 */
export function heatColour(share: number): string {
  const s = Math.sqrt(Math.max(0, Math.min(1, share)));
  const hue = 55 - 55 * s;
  const light = 70 - 30 * s;
  return `hsl(${hue.toFixed(0)}, 90%, ${light.toFixed(0)}%)`;
}

/** The same scale as a CSS gradient, for legends (inline start = fewest requests). */
export const HEAT_GRADIENT = `linear-gradient(to right, ${[0, 0.1, 0.3, 0.6, 1].map(heatColour).join(', ')})`;

/**
 * The centre of the cell of a grid of roughly `meters` that a point is in (latitude degrees; good enough
 * for coarse positions): the pre-booking map shows cells, not technicians.
 */
export function cellCentre(p: { lat: number; lng: number }, meters: number) {
  const step = meters / 111_320;
  const lngStep = step / Math.max(0.2, Math.cos((p.lat * Math.PI) / 180));
  return {
    lat: Math.round(p.lat / step) * step + step / 2,
    lng: Math.round(p.lng / lngStep) * lngStep + lngStep / 2,
  };
}

/**
 * Ray casting on one ring ([lng, lat] pairs). Hand-written on purpose: every quote and booking asks
 * "which market (and whose service areas) is this pin in?", and a handful of polygons in memory answers that in microseconds
 * instead of a PostGIS round trip (the repo's `containing` is the reference the tests compare with).
 */
function inRing(ring: number[][], lng: number, lat: number): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i] as [number, number];
    const [xj, yj] = ring[j] as [number, number];
    if (yi > lat !== yj > lat && lng < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

export function covers(boundary: number[][][][], at: { lat: number; lng: number }): boolean {
  return boundary.some(
    ([outer, ...holes]) =>
      outer !== undefined && inRing(outer, at.lng, at.lat) && !holes.some((h) => inRing(h, at.lng, at.lat)),
  );
}

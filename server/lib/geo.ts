/** Great-circle distance in metres (haversine; plenty for city distances). */
export function distanceMeters(a: { lat: number; lng: number }, b: { lat: number; lng: number }): number {
  const R = 6_371_008.8;
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLng = (b.lng - a.lng) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLng / 2) ** 2;
  return 2 * R * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** Snaps a coordinate to a grid of roughly `meters` (latitude degrees; good enough for coarse positions). */
export function snap(p: { lat: number; lng: number }, meters: number) {
  const step = meters / 111_320;
  const lngStep = step / Math.max(0.2, Math.cos((p.lat * Math.PI) / 180));
  return {
    lat: Math.round(p.lat / step) * step + step / 2,
    lng: Math.round(p.lng / lngStep) * lngStep + lngStep / 2,
  };
}

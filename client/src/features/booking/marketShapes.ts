import type { Market } from '../../../../server/contracts/market';
import type { Shape } from '../onboarding/PolygonMap';

/** Each polygon's outer ring of every market's outline, as map shapes ([lng, lat] → LatLng). */
export function marketShapes(markets: readonly Market[], name: (m: Market) => string): Shape[] {
  return markets.flatMap((m) =>
    m.boundary.map((polygon, i) => ({
      id: `${m.slug}-${i}`,
      label: name(m),
      ring: (polygon[0] ?? []).slice(0, -1).map(([lng, lat]) => ({ lat: lat!, lng: lng! })),
    })),
  );
}

import type { LatLng } from '#shared/geo';
import type { Market } from '../../../server/contracts/market';

// navigator.geolocation as promises, with failures reduced to a few codes the UI can translate.

export type GeoProblem = 'denied' | 'unavailable' | 'timeout' | 'unsupported' | 'insecure';

export class GeoError extends Error {
  constructor(readonly problem: GeoProblem) {
    super(`Geolocation failed: ${problem}`);
  }
}

export type { LatLng };

export function toGeoProblem(error: unknown): GeoProblem {
  if (error instanceof GeoError) return error.problem;
  if (typeof error === 'object' && error !== null && 'code' in error) {
    // GeolocationPositionError: 1 PERMISSION_DENIED, 2 POSITION_UNAVAILABLE, 3 TIMEOUT
    if (error.code === 1) return window.isSecureContext ? 'denied' : 'insecure';
    if (error.code === 3) return 'timeout';
  }
  return 'unavailable';
}

export function currentPosition(options: PositionOptions = {}): Promise<GeolocationPosition> {
  return new Promise((resolve, reject) => {
    if (!('geolocation' in navigator)) {
      reject(new GeoError('unsupported'));
      return;
    }
    // Phones allow geolocation only on HTTPS (or localhost): say so instead of a vague "denied".
    if (!window.isSecureContext) {
      reject(new GeoError('insecure'));
      return;
    }
    navigator.geolocation.getCurrentPosition(resolve, (error) => reject(new GeoError(toGeoProblem(error))), {
      enableHighAccuracy: true,
      timeout: 20_000,
      maximumAge: 30_000,
      ...options,
    });
  });
}

/** Where a map starts before the user sets a pin: the centre of their city (`market.list`'s data). */
export function marketCenter(market: Pick<Market, 'center'>): LatLng {
  return { lat: market.center[0], lng: market.center[1] };
}

import type { z } from 'zod';
import type { AreaRejectionReason, ServiceArea, setAreasInput, Zone } from '../../contracts/area';
import { DomainError } from '../../lib/errors';
import type { AreaRepo } from './area.repo';

const REASONS: Record<AreaRejectionReason, string> = {
  invalid: 'crosses itself or is not a proper shape',
  outside: 'is not inside one of the cities Fundi works in',
  zone: 'is not a zone of that city',
  too_large: 'is larger than 2,000 km²',
};

/**
 * Technicians' service areas (issue 13 §2): drawn polygons or named zones of a market. Dispatch, quotes
 * and the map consider a technician only where one of their areas covers the job; one with no areas
 * serves anywhere within the dispatch radius (as before areas existed).
 */
export function createAreaService(deps: {
  repo: AreaRepo;
  onChanged: (technicianId: string) => Promise<void>;
}) {
  const { repo } = deps;
  return {
    zones: (market: string): Promise<Zone[]> => repo.zones(market),
    areas: (technicianId: string): Promise<ServiceArea[]> => repo.areasOf(technicianId),
    zoneAt: (market: string, at: { lat: number; lng: number }) => repo.zoneAt(market, at),

    async set(technicianId: string, input: z.output<typeof setAreasInput>): Promise<ServiceArea[]> {
      const areas = input.areas.map((a) => {
        if ('zone' in a) return { zone: a.zone, market: a.market };
        const ring = [...a.polygon];
        const [first, last] = [ring[0]!, ring.at(-1)!];
        if (first[0] !== last[0] || first[1] !== last[1]) ring.push(first);
        const wkt = ring.map(([lng, lat]) => `${lng} ${lat}`).join(',');
        return { name: a.name, zone: null, ewkt: `SRID=4326;POLYGON((${wkt}))` };
      });
      const result = await repo.replace(technicianId, areas);
      if (!result.ok) {
        throw new DomainError('VALIDATION', `Area ${result.index + 1} ${REASONS[result.reason]}.`, {
          index: result.index,
          reason: result.reason,
        });
      }
      await deps.onChanged(technicianId);
      return repo.areasOf(technicianId);
    },
  };
}

export type AreaService = ReturnType<typeof createAreaService>;

import type { Nearby, OnlineSnapshot } from '../../contracts/tracking';
import { cellCentre } from '../../lib/geo';
import type { PresenceService } from '../presence/presence.service';
import type { TrackingRepo } from './tracking.repo';
import type { TrackingState } from './tracking.state';

/** The admin's live map shows at most this many technicians (and says how many are online in all). */
export const ONLINE_MAP_LIMIT = 5_000;

/**
 * Questions answered from memory: who is available near a point (quotes, dispatch, the pre-booking map),
 * and every online technician (the admin's live map).
 */
export function createTrackingQueries(deps: {
  repo: TrackingRepo;
  state: TrackingState;
  presence: PresenceService;
}) {
  const { repo, state, presence } = deps;
  const { index, last, serves, onDuty, ownPrices, names, isStale } = state;

  /**
   * The index learns of a lapse at the next presence beat; until then, answers are checked against
   * presence itself (a map lookup each), so nobody away is counted even for a moment.
   */
  function present<T extends { technician: { id: string } }>(found: T[]): T[] {
    const now = Date.now();
    return found.filter((f) => presence.isPresent(f.technician.id, now));
  }

  return {
    /** How many available technicians offer a service around a point, and how far the nearest is. */
    availability(serviceId: string, at: { lat: number; lng: number }, radiusMeters: number, when?: Date) {
      const t = when?.getTime() ?? Date.now();
      const found = present(index.nearestAvailable(at, 100, radiusMeters, serviceId)).filter(
        (f) => serves(f.technician.id, at) && onDuty(f.technician.id, t),
      );
      // Unit prices of those around with their own price (the rest charge the list price).
      const prices: number[] = [];
      for (const f of found) {
        const p = ownPrices.get(f.technician.id)?.get(serviceId);
        if (p !== undefined) prices.push(p);
      }
      return {
        count: found.length,
        nearestMeters: found[0] ? Math.round(found[0].distanceMeters) : null,
        ownPrices: prices,
        listPriced: found.length - prices.length,
      };
    },

    /** Dispatch's candidates: the nearest available technicians offering a service, from memory. */
    nearest(
      serviceId: string,
      at: { lat: number; lng: number },
      n: number,
      radiusMeters: number,
      when?: Date | null,
    ) {
      const t = when?.getTime() ?? Date.now();
      return present(index.nearestAvailable(at, n, radiusMeters, serviceId))
        .filter((f) => serves(f.technician.id, at) && onDuty(f.technician.id, t))
        .map((f) => ({
          technicianId: f.technician.id,
          distanceMeters: Math.round(f.distanceMeters),
        }));
    },

    /** Available technicians around a point for the pre-booking map: a count and ~300 m cells, no ids. */
    nearby(at: { lat: number; lng: number }, serviceId?: string): Nearby {
      const found = present(index.nearestAvailable(at, 200, 5_000, serviceId)).filter(
        (f) => serves(f.technician.id, at) && onDuty(f.technician.id),
      );
      const cells = new Map<string, { lat: number; lng: number; count: number }>();
      for (const f of found) {
        const c = cellCentre(f.technician, 300);
        const key = `${c.lat.toFixed(5)},${c.lng.toFixed(5)}`;
        const cell = cells.get(key) ?? {
          lat: Number(c.lat.toFixed(5)),
          lng: Number(c.lng.toFixed(5)),
          count: 0,
        };
        cell.count++;
        cells.set(key, cell);
      }
      return { count: found.length, cells: [...cells.values()] };
    },

    /** Every online technician where they are now, from memory: the admin's live map. */
    async online(limit = ONLINE_MAP_LIMIT, now = Date.now()): Promise<OnlineSnapshot> {
      const shown = [];
      for (const t of index.all()) {
        if (shown.length >= limit) break;
        shown.push(t);
      }
      if (names.size > 2 * index.size + 100) names.clear();
      const unnamed = shown.filter((t) => !names.has(t.id)).map((t) => t.id);
      if (unnamed.length) for (const r of await repo.names(unnamed)) names.set(r.id, r.name);
      let present = 0;
      for (const t of index.all()) if (presence.isPresent(t.id, now)) present++;
      return {
        // Away technicians (online, but not heard from) are listed, but not counted as online.
        total: present,
        away: index.size - present,
        technicians: shown.map((t) => {
          const fix = last.get(t.id);
          return {
            id: t.id,
            name: names.get(t.id) ?? '',
            lat: t.lat,
            lng: t.lng,
            available: t.available,
            away: !presence.isPresent(t.id, now),
            recordedAt: fix ? new Date(fix.recordedAt).toISOString() : null,
            stale: !fix || isStale(fix, now),
          };
        }),
      };
    },
  };
}

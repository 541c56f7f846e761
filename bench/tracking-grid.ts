// A bench-only PROTOTYPE, for comparison with server/realtime/location-index.ts in the "nearest"
// section of bench/tracking.ts: one grid per service holding only available technicians, with
// ~280 m cells, so a nearest-N query walks a few small cells of technicians that all qualify instead of
// filtering every technician in ~1.1 km cells. Same answers (checked against brute force), same
// distance function. Not used by the server.
import { distanceMeters } from '../server/lib/geo';

type Entry = {
  id: string;
  lat: number;
  lng: number;
  available: boolean;
  services: string[];
  cell: number;
  /** Position of this entry in its cell's array, per service (same order as `services`). */
  slots: number[];
  /** Whether the entry is currently in the grids (available when last placed). */
  placed: boolean;
};

export function createServiceGrid(origin: { lat: number; lng: number }, cellDeg = 0.0025) {
  const byId = new Map<string, Entry>();
  const grids = new Map<string, Map<number, Entry[]>>();
  const row0 = Math.floor((origin.lat + 90) / cellDeg);
  const col0 = Math.floor((origin.lng + 180) / cellDeg);
  // Small-integer keys (V8 Smis) for cells within ±8192 cells (±20°) of the origin: a per-city index.
  const keyOf = (row: number, col: number) => (row - row0 + 8192) * 16384 + (col - col0 + 8192);
  const cellOf = (lat: number, lng: number) =>
    keyOf(Math.floor((lat + 90) / cellDeg), Math.floor((lng + 180) / cellDeg));

  function place(e: Entry) {
    for (let k = 0; k < e.services.length; k++) {
      const service = e.services[k]!;
      let grid = grids.get(service);
      if (!grid) {
        grid = new Map();
        grids.set(service, grid);
      }
      let cell = grid.get(e.cell);
      if (!cell) {
        cell = [];
        grid.set(e.cell, cell);
      }
      e.slots[k] = cell.length;
      cell.push(e);
    }
    e.placed = true;
  }

  function unplace(e: Entry) {
    for (let k = 0; k < e.services.length; k++) {
      const service = e.services[k]!;
      const cell = grids.get(service)!.get(e.cell)!;
      const last = cell.pop()!;
      if (last !== e) {
        const slot = e.slots[k]!;
        cell[slot] = last;
        last.slots[last.services.indexOf(service)] = slot;
      }
    }
    e.placed = false;
  }

  return {
    upsert(
      id: string,
      f: { lat: number; lng: number; available?: boolean; services?: ReadonlySet<string> | string[] },
    ) {
      let e = byId.get(id);
      if (!e) {
        e = {
          id,
          lat: f.lat,
          lng: f.lng,
          available: f.available ?? false,
          services: [...(f.services ?? [])],
          cell: cellOf(f.lat, f.lng),
          slots: [],
          placed: false,
        };
        byId.set(id, e);
        if (e.available) place(e);
        return;
      }
      const cell = cellOf(f.lat, f.lng);
      const available = f.available ?? e.available;
      const services = f.services ? [...f.services] : e.services;
      const moves = cell !== e.cell || available !== e.available || services !== e.services;
      if (moves && e.placed) unplace(e);
      e.lat = f.lat;
      e.lng = f.lng;
      e.cell = cell;
      e.available = available;
      e.services = services;
      if (moves && available) place(e);
    },

    /** Up to `n` available technicians offering `service`, nearest first, within `radiusMeters`. */
    nearest(at: { lat: number; lng: number }, n: number, radiusMeters: number, service: string) {
      const found: Array<{ id: string; d: number }> = [];
      const grid = grids.get(service);
      if (!grid) return found;
      const row = Math.floor((at.lat + 90) / cellDeg);
      const col = Math.floor((at.lng + 180) / cellDeg);
      // The smaller side of a cell: anything outside ring r is at least r of these away.
      const cellMeters = cellDeg * 111_320 * Math.min(1, Math.max(0.1, Math.cos((at.lat * Math.PI) / 180)));
      const maxRing = Math.ceil(radiusMeters / cellMeters) + 1;
      for (let ring = 0; ring <= maxRing; ring++) {
        for (let dr = -ring; dr <= ring; dr++) {
          const edge = dr === -ring || dr === ring;
          // Whole rows at the top and bottom of the ring, only the two ends in between.
          for (let dc = -ring; dc <= ring; dc += edge || ring === 0 ? 1 : 2 * ring) {
            const cell = grid.get(keyOf(row + dr, col + dc));
            if (!cell) continue;
            for (let i = 0; i < cell.length; i++) {
              const e = cell[i]!;
              const d = distanceMeters(at, e);
              if (d <= radiusMeters) found.push({ id: e.id, d });
            }
          }
        }
        if (found.length >= n) {
          found.sort((a, b) => a.d - b.d);
          if (found[n - 1]!.d <= ring * cellMeters) break;
        }
      }
      found.sort((a, b) => a.d - b.d);
      return found.length > n ? found.slice(0, n) : found;
    },
  };
}

import { distanceMeters } from '../lib/geo';

/** ~1.1 km cells: a nearest-10 query in a city touches a handful of cells. */
const CELL_DEG = 0.01;

export type IndexedTechnician = {
  id: string;
  lat: number;
  lng: number;
  /** Verified, online, not on a job: may be offered work. */
  available: boolean;
  services: ReadonlySet<string>;
  cell: number;
};

const cellKey = (lat: number, lng: number) =>
  (Math.floor((lat + 90) / CELL_DEG) * 40_000 + Math.floor((lng + 180) / CELL_DEG)) | 0;

/**
 * The live positions of online technicians, in memory, bucketed by grid cell. Updates are O(1); a
 * nearest-N search walks rings of cells outwards from the query point. PostGIS stays the source of
 * truth (and is what the index is rebuilt from after a restart).
 */
export function createLocationIndex() {
  const byId = new Map<string, IndexedTechnician>();
  const cells = new Map<number, Set<IndexedTechnician>>();

  function place(t: IndexedTechnician) {
    const set = cells.get(t.cell);
    if (set) set.add(t);
    else cells.set(t.cell, new Set([t]));
  }
  function unplace(t: IndexedTechnician) {
    const set = cells.get(t.cell);
    set?.delete(t);
    if (set?.size === 0) cells.delete(t.cell);
  }

  return {
    get size() {
      return byId.size;
    },
    get: (id: string) => byId.get(id),

    upsert(
      id: string,
      fields: { lat: number; lng: number; available?: boolean; services?: ReadonlySet<string> },
    ) {
      const existing = byId.get(id);
      const cell = cellKey(fields.lat, fields.lng);
      if (existing) {
        if (existing.cell !== cell) {
          unplace(existing);
          existing.cell = cell;
          place(existing);
        }
        existing.lat = fields.lat;
        existing.lng = fields.lng;
        if (fields.available !== undefined) existing.available = fields.available;
        if (fields.services) existing.services = fields.services;
        return existing;
      }
      const t: IndexedTechnician = {
        id,
        lat: fields.lat,
        lng: fields.lng,
        available: fields.available ?? false,
        services: fields.services ?? new Set(),
        cell,
      };
      byId.set(id, t);
      place(t);
      return t;
    },

    setAvailable(id: string, available: boolean) {
      const t = byId.get(id);
      if (t) t.available = available;
    },

    remove(id: string) {
      const t = byId.get(id);
      if (!t) return;
      unplace(t);
      byId.delete(id);
    },

    /** Up to `n` technicians matching `filter`, nearest first, within `radiusMeters`. */
    nearest(
      at: { lat: number; lng: number },
      n: number,
      radiusMeters: number,
      filter: (t: IndexedTechnician) => boolean = () => true,
    ): Array<{ technician: IndexedTechnician; distanceMeters: number }> {
      const row0 = Math.floor((at.lat + 90) / CELL_DEG);
      const col0 = Math.floor((at.lng + 180) / CELL_DEG);
      const cellMeters = CELL_DEG * 111_320 * Math.max(0.1, Math.cos((at.lat * Math.PI) / 180));
      const maxRing = Math.ceil(radiusMeters / cellMeters) + 1;
      const found: Array<{ technician: IndexedTechnician; distanceMeters: number }> = [];
      for (let ring = 0; ring <= maxRing; ring++) {
        for (let dr = -ring; dr <= ring; dr++) {
          for (let dc = -ring; dc <= ring; dc++) {
            if (Math.max(Math.abs(dr), Math.abs(dc)) !== ring) continue; // the ring's border only
            const set = cells.get(((row0 + dr) * 40_000 + (col0 + dc)) | 0);
            if (!set) continue;
            for (const t of set) {
              if (!filter(t)) continue;
              const d = distanceMeters(at, t);
              if (d <= radiusMeters) found.push({ technician: t, distanceMeters: d });
            }
          }
        }
        // Everything within `ring` cells is at least (ring) cells away beyond this ring: safe to stop.
        if (found.length >= n) {
          found.sort((a, b) => a.distanceMeters - b.distanceMeters);
          if (found[n - 1]!.distanceMeters <= ring * cellMeters) break;
        }
      }
      found.sort((a, b) => a.distanceMeters - b.distanceMeters);
      return found.slice(0, n);
    },

    all: () => byId.values(),
  };
}

export type LocationIndex = ReturnType<typeof createLocationIndex>;

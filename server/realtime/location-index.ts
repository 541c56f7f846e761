import { intern } from '../lib/intern';
import { cellKey, colOf, Entry, Grid, type IndexedTechnician, rowOf } from './location-grid';
import { createNearestSearch, type NearestResult } from './location-query';

export type { IndexedTechnician } from './location-grid';
export type { NearestResult } from './location-query';

/**
 * The live positions of online technicians, in memory. PostGIS stays the source of truth (and is what
 * the index is rebuilt from after a restart); this answers "who is nearest" in microseconds while
 * position updates stream in.
 *
 * Layout: technicians are bucketed in a grid of ~1 km cells, and there is one grid per question asked
 * often, each holding only the technicians that answer it:
 *
 *   - `everyone`:  every technician (for the generic, filtered `nearest`);
 *   - `available`: available technicians, any service (the pre-booking map);
 *   - one per service: available technicians offering that service (dispatch, availability).
 *
 * So `nearestAvailable` only meets technicians that qualify, instead of filtering everyone. A cell
 * keeps its technicians' coordinates side by side, so a search sweeps through plain numbers and
 * touches a technician's record only when it is a candidate (see `Cell`). Each technician remembers
 * its cell and slot in every grid holding it: leaving a cell is a swap-remove, O(1) with no search, and
 * a position update that stays in its cell (most of them: fixes are metres apart) is a few stores.
 *
 * Cells are the same everywhere on Earth (no origin), keyed by small integers that V8 keeps as Smis
 * (fast Map keys, no boxing): see `cellKey`.
 *
 * Split in three: the data structure (location-grid.ts), its maintenance and the API (here), and the
 * nearest-n search (location-query.ts).
 */

/** The same members (services are few: a handful of lookups). */
function sameMembers(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  if (a.size !== b.size) return false;
  for (const x of b) if (!a.has(x)) return false;
  return true;
}

export function createLocationIndex() {
  const byId = new Map<string, Entry>();
  const everyone = new Grid();
  const available = new Grid();
  const byService = new Map<string, Grid>();

  /** Files an available technician in `available` and in the grid of each of its services. */
  function attach(e: Entry) {
    if (!e.available) return;
    e.grids.push(available);
    available.add(e, e.grids.length - 1);
    for (const service of e.services) {
      let grid = byService.get(service);
      if (grid === undefined) {
        grid = new Grid(service);
        byService.set(service, grid);
      }
      e.grids.push(grid);
      grid.add(e, e.grids.length - 1);
    }
  }

  /** The reverse of `attach`: leaves only `everyone`. */
  function detach(e: Entry) {
    for (let k = e.grids.length - 1; k >= 1; k--) {
      const grid = e.grids[k]!;
      grid.delete(e, k);
      // A service nobody available offers any more: forget its grid.
      if (grid.size === 0 && grid.service !== undefined) byService.delete(grid.service);
    }
    e.grids.length = 1;
    e.cells.length = 1;
    e.slots.length = 1;
  }

  /** Updates the copy of a technician's coordinates in each cell holding it (it stays in them). */
  function writeCoords(e: Entry) {
    for (let k = 0; k < e.cells.length; k++) {
      const coords = e.cells[k]!.coords;
      const i = 2 * e.slots[k]!;
      coords[i] = e.lat;
      coords[i + 1] = e.lng;
    }
  }

  /** Moves a technician to another cell in every grid holding it. */
  function moveTo(e: Entry, cell: number) {
    for (let k = 0; k < e.grids.length; k++) e.grids[k]!.delete(e, k);
    e.cell = cell;
    for (let k = 0; k < e.grids.length; k++) e.grids[k]!.add(e, k);
  }

  /** After a move: into another cell, or (most fixes) only the coordinates written. */
  function reposition(e: Entry, cell: number) {
    if (cell !== e.cell) moveTo(e, cell);
    else writeCoords(e);
  }

  const search = createNearestSearch();

  return {
    /** Technicians in the index (online), available or not. */
    get size() {
      return byId.size;
    },

    get: (id: string): IndexedTechnician | undefined => byId.get(id),

    /**
     * Adds a technician or updates one: position always; availability and services when given (a
     * technician added without them is unavailable and offers nothing). A move within its cell — most
     * position fixes — only writes the coordinates.
     */
    upsert(
      id: string,
      fields: { lat: number; lng: number; available?: boolean; services?: ReadonlySet<string> },
    ): IndexedTechnician {
      const e = byId.get(id);
      if (e === undefined) {
        const key = intern(id); // what every fix's move looks up by (server/lib/intern.ts)
        const created = new Entry(
          key,
          fields.lat,
          fields.lng,
          fields.available ?? false,
          new Set(fields.services ?? []), // our own copy: the grids depend on it not changing
        );
        byId.set(key, created);
        created.grids.push(everyone);
        everyone.add(created, 0);
        attach(created);
        return created;
      }

      const cell = cellKey(rowOf(fields.lat), colOf(fields.lng));
      e.lat = fields.lat;
      e.lng = fields.lng;
      const availableChanges = fields.available !== undefined && fields.available !== e.available;
      const servicesChange = fields.services !== undefined && !sameMembers(e.services, fields.services);
      if (availableChanges || servicesChange) {
        // Refile: out of the availability grids, move, then into the grids it now belongs in.
        detach(e);
        if (cell !== e.cell) moveTo(e, cell);
        else writeCoords(e);
        if (availableChanges) e.available = fields.available!;
        if (servicesChange) e.services = new Set(fields.services);
        attach(e);
      } else reposition(e, cell);
      return e;
    },

    /** A new position of a technician in the index (hot path: every fix); false when they are not in it. */
    move(id: string, at: { lat: number; lng: number }): boolean {
      const e = byId.get(id);
      if (e === undefined) return false;
      e.lat = at.lat;
      e.lng = at.lng;
      reposition(e, cellKey(rowOf(at.lat), colOf(at.lng)));
      return true;
    },

    setAvailable(id: string, isAvailable: boolean) {
      const e = byId.get(id);
      if (e === undefined || e.available === isAvailable) return;
      detach(e);
      e.available = isAvailable;
      attach(e);
    },

    remove(id: string) {
      const e = byId.get(id);
      if (e === undefined) return;
      detach(e);
      everyone.delete(e, 0);
      e.grids.length = 0;
      e.cells.length = 0;
      e.slots.length = 0;
      byId.delete(id);
    },

    /**
     * Up to `n` AVAILABLE technicians offering `serviceId` (any service when omitted), nearest first,
     * within `radiusMeters`. The fast path: the walk only meets technicians that qualify.
     */
    nearestAvailable(
      at: { lat: number; lng: number },
      n: number,
      radiusMeters: number,
      serviceId?: string,
    ): NearestResult {
      const grid = serviceId === undefined ? available : byService.get(serviceId);
      return grid === undefined ? [] : search(grid, at, n, radiusMeters);
    },

    /**
     * Up to `n` technicians matching `filter`, nearest first, within `radiusMeters`, available or not.
     * Generic, so it walks everyone and calls `filter` on each technician near enough to matter:
     * prefer `nearestAvailable` when it fits. `filter` must not call back into the index.
     */
    nearest(
      at: { lat: number; lng: number },
      n: number,
      radiusMeters: number,
      filter?: (t: IndexedTechnician) => boolean,
    ): NearestResult {
      return search(everyone, at, n, radiusMeters, filter);
    },

    all: (): IterableIterator<IndexedTechnician> => byId.values(),
  };
}

export type LocationIndex = ReturnType<typeof createLocationIndex>;

import { distanceMeters, EARTH_RADIUS_M as EARTH_RADIUS } from '#shared/geo';

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
 */

// ---------------------------------------------------------------------------------------------
// Cell geometry.

const RAD = Math.PI / 180;
/** Metres per degree of latitude (of a great circle). */
const METERS_PER_DEGREE = EARTH_RADIUS * RAD;

/**
 * Cell height: 0.01° of latitude ≈ 1.1 km. Measured (bench/tracking-nearest.ts, 100k technicians
 * over a city): with coordinates stored in the cells, ~1 km cells beat ~280 m and ~600 m ones for
 * nearest-10 of a service (most answers within one ring of cells, 9 map lookups), and are close to
 * the best for the map's nearest-200 of any service. Sparser cities favour large cells further.
 */
const LAT_CELL_DEG = 0.01;
const ROWS = Math.round(180 / LAT_CELL_DEG); // 18,000 rows from the south pole to the north pole
/**
 * 2^15 columns around the globe: cells ≈ 1.2 km wide at the equator, 0.76 km at 51.5° (London). A
 * power of two, so that columns wrap at the antimeridian by masking (see `cellKey`).
 */
const COLS = 32_768;
const LNG_CELL_DEG = 360 / COLS;

/** A ring walk never spans this many columns, so it never meets a column twice (all the way round). */
const MAX_WALK = COLS / 2;
/** A walk may look at this many more cells than a grid has before scanning the grid instead. */
const WALK_ALLOWANCE = 64;

/** Row of a latitude; out-of-range (or NaN) latitudes clamp to the polar rows. */
function rowOf(lat: number): number {
  const row = Math.floor((lat + 90) / LAT_CELL_DEG);
  return row >= 0 ? (row < ROWS ? row : ROWS - 1) : 0;
}

/** Column of a longitude, wrapped into [0, COLS) (so 180° and -180° are the same column). */
function colOf(lng: number): number {
  const col = Math.floor((lng + 180) / LNG_CELL_DEG) % COLS; // NaN for NaN or ±Infinity
  return col >= 0 ? col : col < 0 ? col + COLS : 0;
}

/**
 * Map key of a cell: row × 2^15 + column, below 18,000 × 2^15 < 2^30, so a Smi even with pointer
 * compression, and one key per cell on Earth. Any integer column works (it is taken modulo COLS by
 * the mask): -1 is column COLS - 1 and COLS is column 0, so a ring walk wraps around the antimeridian
 * by itself.
 */
function cellKey(row: number, col: number): number {
  return (row << 15) | (col & (COLS - 1));
}

// ---------------------------------------------------------------------------------------------
// Technicians and grids.

/** A technician as callers see it. Read-only: change it through the index, which files it by these. */
export type IndexedTechnician = {
  readonly id: string;
  readonly lat: number;
  readonly lng: number;
  /** Verified, online, not on a job: may be offered work. */
  readonly available: boolean;
  readonly services: ReadonlySet<string>;
};

/** The index's own record (callers get it typed as IndexedTechnician). */
class Entry implements IndexedTechnician {
  /** Key of the cell holding this technician, in every grid it is in. */
  cell: number;
  /** Grids holding this technician: `everyone` first, then (when available) `available` and one per service. */
  readonly grids: Grid[] = [];
  /** The cell holding this technician in each grid, and its slot there (same order as `grids`). */
  readonly cells: Cell[] = [];
  readonly slots: number[] = [];

  constructor(
    readonly id: string,
    public lat: number,
    public lng: number,
    public available: boolean,
    public services: ReadonlySet<string>,
  ) {
    this.cell = cellKey(rowOf(lat), colOf(lng));
  }
}

/**
 * The technicians in one cell of one grid, in slots kept compact by swap-removes, with a copy of their
 * coordinates side by side (lat, lng, lat, lng, … of unboxed doubles): a search reads the coordinates
 * in one sweep and touches a technician's record only when it is a candidate. (Searches are bound by
 * memory, not arithmetic: with the coordinates on each record, most of their time went into
 * fetching records that turned out to be too far.)
 */
class Cell {
  readonly members: Entry[] = [];
  readonly coords: number[] = [];
}

/** Cells of technicians by key. */
class Grid {
  readonly cells = new Map<number, Cell>();
  /** Technicians in this grid. */
  size = 0;

  /** The service of a per-service grid. */
  constructor(readonly service?: string) {}

  /** Puts `e` (whose `k`-th grid this is) into its cell. */
  add(e: Entry, k: number) {
    let cell = this.cells.get(e.cell);
    if (cell === undefined) {
      cell = new Cell();
      this.cells.set(e.cell, cell);
    }
    e.cells[k] = cell;
    e.slots[k] = cell.members.length;
    cell.members.push(e);
    cell.coords.push(e.lat, e.lng);
    this.size++;
  }

  /** Takes `e` (whose `k`-th grid this is) out of its cell: the cell's last technician takes its slot. */
  delete(e: Entry, k: number) {
    const cell = e.cells[k]!;
    const { members, coords } = cell;
    const last = members.pop()!;
    const lng = coords.pop()!;
    const lat = coords.pop()!;
    if (last !== e) {
      const slot = e.slots[k]!;
      members[slot] = last;
      coords[2 * slot] = lat;
      coords[2 * slot + 1] = lng;
      last.slots[last.grids.indexOf(this)] = slot;
    }
    // Empty cells go, so memory follows the technicians online rather than everywhere they have been.
    if (members.length === 0) this.cells.delete(e.cell);
    this.size--;
  }
}

/**
 * A lower bound, without trigonometry, on the haversine term h of `distanceMeters(at, {lat, lng})`
 * (the distance is 2R·asin(√h) ≥ 2R·√h), given `cosAt` = cos(at.lat) ≥ 0 (a real latitude). With
 * h = sin²(Δφ/2) + cos φ1 · cos φ2 · sin²(Δλ/2):
 *   - sin x ≥ x − x³/6 for x ≥ 0, and both sides are ≥ 0 while x ≤ √6 (clamped to 0 beyond);
 *   - cos φ2 ≥ cos φ1 − |Δφ| (cosine is 1-Lipschitz), clamped to 0.
 * At city scale it is within a few parts per million of the distance, so it rules out nearly
 * everything that `distanceMeters` would have.
 */
function haversineFloor(at: { lat: number; lng: number }, cosAt: number, lat: number, lng: number): number {
  const halfDLat = Math.abs(lat - at.lat) * (RAD / 2);
  const halfDLng = Math.abs(lng - at.lng) * (RAD / 2);
  const sinLat = Math.max(0, halfDLat - (halfDLat * halfDLat * halfDLat) / 6);
  const sinLng = Math.max(0, halfDLng - (halfDLng * halfDLng * halfDLng) / 6);
  const cosProduct = cosAt * Math.max(0, cosAt - 2 * halfDLat);
  return sinLat * sinLat + cosProduct * sinLng * sinLng;
}

/** What `haversineFloor` must exceed for the distance to exceed `meters` (with a hair of slack). */
function haversineFloorLimit(meters: number): number {
  const x = (meters * (1 + 1e-9)) / (2 * EARTH_RADIUS);
  // √h is capped at 1 (the antipode): a limit that far away rules nothing out.
  return x < 1 ? x * x : Number.POSITIVE_INFINITY;
}

/** The same members (services are few: a handful of lookups). */
function sameMembers(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  if (a.size !== b.size) return false;
  for (const x of b) if (!a.has(x)) return false;
  return true;
}

export type NearestResult = Array<{ technician: IndexedTechnician; distanceMeters: number }>;

// ---------------------------------------------------------------------------------------------
// The index.

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

  // Scratch for searches, reused (queries are synchronous): a max-heap of the best n so far, by
  // distance, the point being measured, and the cosine of the query's latitude (-1: not a latitude).
  const probe = { lat: 0, lng: 0 };
  let queryCos = -1;
  const heapDistance: number[] = [];
  const heapEntry: Entry[] = [];
  let heapSize = 0;
  let heapLimit = 0;

  /** Offers a candidate at distance `d` to the best-n heap. */
  function offer(e: Entry, d: number) {
    if (heapSize < heapLimit) {
      // Sift up from the new leaf.
      let i = heapSize++;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (heapDistance[parent]! >= d) break;
        heapDistance[i] = heapDistance[parent]!;
        heapEntry[i] = heapEntry[parent]!;
        i = parent;
      }
      heapDistance[i] = d;
      heapEntry[i] = e;
    } else if (d < heapDistance[0]!) {
      siftDownFromRoot(e, d); // replaces the farthest
    }
  }

  /** Puts (`e`, `d`) at the root, in place of what was there, and sifts it down to its place. */
  function siftDownFromRoot(e: Entry, d: number) {
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= heapSize) break;
      if (child + 1 < heapSize && heapDistance[child + 1]! > heapDistance[child]!) child++;
      if (heapDistance[child]! <= d) break;
      heapDistance[i] = heapDistance[child]!;
      heapEntry[i] = heapEntry[child]!;
      i = child;
    }
    heapDistance[i] = d;
    heapEntry[i] = e;
  }

  /** Empties the heap into a list, nearest first. */
  function drain(): NearestResult {
    const out: NearestResult = new Array(heapSize);
    while (heapSize > 0) {
      const d = heapDistance[0]!;
      const e = heapEntry[0]!;
      // Move the last leaf to the root and sift it down.
      heapSize--;
      siftDownFromRoot(heapEntry[heapSize]!, heapDistance[heapSize]!);
      out[heapSize] = { technician: e, distanceMeters: d };
    }
    return out;
  }

  /** Offers every technician of one cell. */
  function offerCell(
    cell: Cell,
    at: { lat: number; lng: number },
    radiusMeters: number,
    filter: ((t: IndexedTechnician) => boolean) | undefined,
  ) {
    const coords = cell.coords;
    // A candidate must be this near: within the radius, and nearer than the n-th best once there are n.
    let full = heapSize === heapLimit;
    let limit = full ? heapDistance[0]! : radiusMeters;
    let floorLimit = haversineFloorLimit(limit);
    for (let i = 0; i < coords.length; i += 2) {
      const lat = coords[i]!;
      const lng = coords[i + 1]!;
      // Trigonometry is most of the cost of a distance: rule out what is surely too far without it.
      if (queryCos >= 0 && haversineFloor(at, queryCos, lat, lng) > floorLimit) continue;
      // Only now the record itself, if a filter reads it: the coordinates ruled out most of the cell.
      if (filter !== undefined && !filter(cell.members[i >> 1]!)) continue;
      probe.lat = lat;
      probe.lng = lng;
      const d = distanceMeters(at, probe);
      if (full ? d >= limit : d > limit) continue;
      offer(cell.members[i >> 1]!, d);
      full = heapSize === heapLimit;
      if (full) {
        limit = heapDistance[0]!;
        floorLimit = haversineFloorLimit(limit);
      }
    }
  }

  /**
   * Up to `n` technicians of `grid` (passing `filter`, if any), nearest first, within `radiusMeters`.
   *
   * Walks square rings of cells outwards from the query's cell. After each ring it knows a lower bound
   * on the distance of everything not yet seen (see below); it stops once that bound reaches the
   * radius, or the n-th best distance so far. When the walk would look at more cells than the grid has
   * (a sparse grid, a huge radius, near a pole), it scans the grid's cells instead: same answer.
   */
  function search(
    grid: Grid,
    at: { lat: number; lng: number },
    n: number,
    radiusMeters: number,
    filter?: (t: IndexedTechnician) => boolean,
  ): NearestResult {
    heapSize = 0;
    heapLimit = Math.min(Math.floor(n), grid.size);
    if (!(heapLimit > 0) || !(radiusMeters >= 0)) return [];
    queryCos = Math.abs(at.lat) <= 90 ? Math.cos(at.lat * RAD) : -1;

    const row0 = rowOf(at.lat);
    const col0 = colOf(at.lng);
    // How far the query is inside its own cell, in degrees (to the nearer edge, each way): everything
    // beyond ring r is at least r cells plus this much away, in latitude or in longitude.
    const south = row0 * LAT_CELL_DEG - 90;
    const latInside = Math.max(0, Math.min(at.lat - south, south + LAT_CELL_DEG - at.lat)) || 0;
    const lng = at.lng - 360 * Math.floor((at.lng + 180) / 360); // into [-180, 180)
    const west = col0 * LNG_CELL_DEG - 180;
    const lngInside = Math.max(0, Math.min(lng - west, west + LNG_CELL_DEG - lng)) || 0;
    const absLat = Math.abs(at.lat * RAD);

    for (let ring = 0; ; ring++) {
      const side = 2 * ring + 1;
      if (side >= MAX_WALK || side * side > grid.cells.size + WALK_ALLOWANCE) {
        return scan(grid, at, radiusMeters, filter);
      }
      for (let dr = -ring; dr <= ring; dr++) {
        const row = row0 + dr;
        if (row < 0 || row >= ROWS) continue; // beyond a pole
        // The top and bottom rows of the ring whole; in between, only its two ends.
        const step = dr === -ring || dr === ring ? 1 : 2 * ring;
        for (let dc = -ring; dc <= ring; dc += step) {
          // Across the antimeridian col0 + dc leaves [0, COLS): cellKey wraps it.
          const cell = grid.cells.get(cellKey(row, col0 + dc));
          if (cell !== undefined) offerCell(cell, at, radiusMeters, filter);
        }
      }

      // Everything unseen is within `threshold` only if it is nearer than what we already have.
      const threshold = heapSize === heapLimit ? heapDistance[0]! : radiusMeters;
      // Unseen and in another row: more than `ring` rows away, so at least this far in latitude alone.
      const byRows = METERS_PER_DEGREE * (ring * LAT_CELL_DEG + latInside);
      if (byRows < threshold) continue;
      // Unseen and in another column: at least `dLng` away in longitude. Haversine gives
      // hav(d) ≥ cos φ1 · cos φ2 · hav(dLng), and a point nearer than `threshold` has |φ2| below
      // |φ1| + threshold/R, which bounds both cosines from below.
      const dLng = Math.min(Math.PI, (ring * LNG_CELL_DEG + lngInside) * RAD);
      const minCos = Math.cos(Math.min(Math.PI / 2, absLat + threshold / EARTH_RADIUS));
      const byCols = 2 * EARTH_RADIUS * Math.asin(Math.min(1, minCos * Math.sin(dLng / 2)));
      if (byCols >= threshold) break;
    }
    return drain();
  }

  /** `search` by brute force over the grid's cells. */
  function scan(
    grid: Grid,
    at: { lat: number; lng: number },
    radiusMeters: number,
    filter: ((t: IndexedTechnician) => boolean) | undefined,
  ): NearestResult {
    heapSize = 0;
    for (const cell of grid.cells.values()) offerCell(cell, at, radiusMeters, filter);
    return drain();
  }

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
        const created = new Entry(
          id,
          fields.lat,
          fields.lng,
          fields.available ?? false,
          new Set(fields.services ?? []), // our own copy: the grids depend on it not changing
        );
        byId.set(id, created);
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
      } else if (cell !== e.cell) {
        moveTo(e, cell);
      } else {
        writeCoords(e); // the hot path: a few stores
      }
      return e;
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

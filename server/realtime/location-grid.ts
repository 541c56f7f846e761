import { EARTH_RADIUS_M as EARTH_RADIUS } from '#shared/geo';

/**
 * The location index's data structure (see location-index.ts): cell geometry, and the grids of cells
 * that hold technicians' records. Maintained by location-index.ts, searched by location-query.ts.
 */

// ---------------------------------------------------------------------------------------------
// Cell geometry.

export const RAD = Math.PI / 180;
/** Metres per degree of latitude (of a great circle). */
export const METERS_PER_DEGREE = EARTH_RADIUS * RAD;

/**
 * Cell height: 0.01° of latitude ≈ 1.1 km. Measured (bench/tracking-nearest.ts, 100k technicians
 * over a city): with coordinates stored in the cells, ~1 km cells beat ~280 m and ~600 m ones for
 * nearest-10 of a service (most answers within one ring of cells, 9 map lookups), and are close to
 * the best for the map's nearest-200 of any service. Sparser cities favour large cells further.
 */
export const LAT_CELL_DEG = 0.01;
export const ROWS = Math.round(180 / LAT_CELL_DEG); // 18,000 rows from the south pole to the north pole
/**
 * 2^15 columns around the globe: cells ≈ 1.2 km wide at the equator, 0.76 km at 51.5° (London). A
 * power of two, so that columns wrap at the antimeridian by masking (see `cellKey`).
 */
export const COLS = 32_768;
export const LNG_CELL_DEG = 360 / COLS;

/** A ring walk never spans this many columns, so it never meets a column twice (all the way round). */
export const MAX_WALK = COLS / 2;
/** A walk may look at this many more cells than a grid has before scanning the grid instead. */
export const WALK_ALLOWANCE = 64;

/** Row of a latitude; out-of-range (or NaN) latitudes clamp to the polar rows. */
export function rowOf(lat: number): number {
  const row = Math.floor((lat + 90) / LAT_CELL_DEG);
  return row >= 0 ? (row < ROWS ? row : ROWS - 1) : 0;
}

/** Column of a longitude, wrapped into [0, COLS) (so 180° and -180° are the same column). */
export function colOf(lng: number): number {
  const col = Math.floor((lng + 180) / LNG_CELL_DEG) % COLS; // NaN for NaN or ±Infinity
  return col >= 0 ? col : col < 0 ? col + COLS : 0;
}

/**
 * Map key of a cell: row × 2^15 + column, below 18,000 × 2^15 < 2^30, so a Smi even with pointer
 * compression, and one key per cell on Earth. Any integer column works (it is taken modulo COLS by
 * the mask): -1 is column COLS - 1 and COLS is column 0, so a ring walk wraps around the antimeridian
 * by itself.
 */
export function cellKey(row: number, col: number): number {
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
export class Entry implements IndexedTechnician {
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
export class Cell {
  readonly members: Entry[] = [];
  readonly coords: number[] = [];
}

/** Cells of technicians by key. */
export class Grid {
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

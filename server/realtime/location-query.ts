import { distanceMeters, EARTH_RADIUS_M as EARTH_RADIUS } from '#shared/geo';
import {
  type Cell,
  cellKey,
  colOf,
  type Entry,
  type Grid,
  type IndexedTechnician,
  LAT_CELL_DEG,
  LNG_CELL_DEG,
  MAX_WALK,
  METERS_PER_DEGREE,
  RAD,
  ROWS,
  rowOf,
  WALK_ALLOWANCE,
} from './location-grid';

/**
 * The location index's query side (see location-index.ts): nearest-n searches over one grid, walking
 * rings of cells outwards and keeping the best n in a heap.
 */

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

export type NearestResult = Array<{ technician: IndexedTechnician; distanceMeters: number }>;

/** A searcher over grids, with its own scratch (searches are synchronous, so one per index is enough). */
export function createNearestSearch() {
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

  return search;
}

import { describe, expect, it } from 'vitest';
import { distanceMeters } from '#shared/geo';
import { prng } from '../lib/prng';
import { createLocationIndex, type IndexedTechnician } from './location-index';

type Point = { lat: number; lng: number };
type Truth = { lat: number; lng: number; available: boolean; services: Set<string> };

/** What the index should answer, from a plain copy of the data. */
function bruteForce(
  truth: Map<string, Truth>,
  at: Point,
  n: number,
  radius: number,
  keep: (t: Truth) => boolean,
): Array<{ id: string; d: number }> {
  const found: Array<{ id: string; d: number }> = [];
  for (const [id, t] of truth) {
    if (!keep(t)) continue;
    const d = distanceMeters(at, t);
    if (d <= radius) found.push({ id, d });
  }
  found.sort((a, b) => a.d - b.d);
  return found.slice(0, n);
}

/** Same distances in the same order (ids may swap between technicians at the same distance). */
function expectSame(
  got: Array<{ technician: IndexedTechnician; distanceMeters: number }>,
  want: Array<{ id: string; d: number }>,
  truth: Map<string, Truth>,
  at: Point,
) {
  expect(got.map((x) => x.distanceMeters)).toEqual(want.map((x) => x.d));
  // And each answer is the technician it claims to be, where it really is (one assertion: fast).
  const wrong = got.filter(({ technician, distanceMeters: d }) => {
    const t = truth.get(technician.id);
    return !t || t.lat !== technician.lat || t.lng !== technician.lng || distanceMeters(at, t) !== d;
  });
  expect(wrong).toEqual([]);
}

const SERVICES = ['plumbing', 'electrical', 'cleaning', 'locksmith', 'painting'];

/** A random point within ~`spreadDeg`/2 of `centre`. */
const around = (rand: () => number, centre: Point, spreadDeg: number): Point => ({
  lat: centre.lat + (rand() - 0.5) * spreadDeg,
  lng: centre.lng + (rand() - 0.5) * spreadDeg,
});

function randomServices(rand: () => number) {
  const s = new Set<string>();
  const count = Math.floor(rand() * 3); // 0–2 services: some offer nothing
  while (s.size < count) s.add(SERVICES[Math.floor(rand() * SERVICES.length)]!);
  return s;
}

/**
 * Technicians around `centre`, then rounds of churn (moves small and large, availability flips via
 * both upsert and setAvailable, service changes, removals, newcomers), checking every query kind
 * against brute force after each round.
 */
function churnAndCompare(centre: Point, spreadDeg: number, seed: number, rounds = 40) {
  const rand = prng(seed);
  const index = createLocationIndex();
  const truth = new Map<string, Truth>();
  let nextId = 0;
  const add = () => {
    const id = `t${nextId++}`;
    const t: Truth = {
      ...around(rand, centre, spreadDeg),
      available: rand() < 0.7,
      services: randomServices(rand),
    };
    truth.set(id, t);
    index.upsert(id, t);
  };
  for (let i = 0; i < 3000; i++) add();
  // A few piled onto one spot: exact ties.
  const spot = around(rand, centre, spreadDeg / 4);
  for (let i = 0; i < 5; i++) {
    const id = `pile${i}`;
    truth.set(id, { ...spot, available: true, services: new Set(['plumbing']) });
    index.upsert(id, truth.get(id)!);
  }

  const ids = () => [...truth.keys()];
  for (let round = 0; round < rounds; round++) {
    const current = ids();
    for (let i = 0; i < 400; i++) {
      const id = current[Math.floor(rand() * current.length)]!;
      const t = truth.get(id);
      if (!t) continue; // removed earlier this round
      const r = rand();
      if (r < 0.6) {
        // A GPS fix: a few metres to a few hundred, position only.
        t.lat += (rand() - 0.5) * 0.004;
        t.lng += (rand() - 0.5) * 0.004;
        // tracking's hot path moves (position only); upsert without availability must do the same.
        if (rand() < 0.5) expect(index.move(id, { lat: t.lat, lng: t.lng })).toBe(true);
        else index.upsert(id, { lat: t.lat, lng: t.lng });
      } else if (r < 0.7) {
        // A jump across the area.
        Object.assign(t, around(rand, centre, spreadDeg));
        if (rand() < 0.5) expect(index.move(id, { lat: t.lat, lng: t.lng })).toBe(true);
        else index.upsert(id, { lat: t.lat, lng: t.lng });
      } else if (r < 0.8) {
        t.available = !t.available;
        index.setAvailable(id, t.available);
      } else if (r < 0.88) {
        // Refreshed from the database: new availability and services, maybe the same, with a move.
        t.available = rand() < 0.6;
        t.services = randomServices(rand);
        t.lat += (rand() - 0.5) * 0.001;
        index.upsert(id, { lat: t.lat, lng: t.lng, available: t.available, services: new Set(t.services) });
      } else if (r < 0.94) {
        truth.delete(id);
        index.remove(id);
      } else {
        add();
      }
    }
    expect(index.size).toBe(truth.size);

    for (let q = 0; q < 15; q++) {
      const at = around(rand, centre, spreadDeg * 1.2);
      const radius = [500, 2_000, 5_000, 20_000, 1e7][Math.floor(rand() * 5)]!;
      const n = [1, 10, 50, 200][Math.floor(rand() * 4)]!;
      const service = SERVICES[Math.floor(rand() * SERVICES.length)]!;
      expectSame(
        index.nearestAvailable(at, n, radius, service),
        bruteForce(truth, at, n, radius, (t) => t.available && t.services.has(service)),
        truth,
        at,
      );
      expectSame(
        index.nearestAvailable(at, n, radius),
        bruteForce(truth, at, n, radius, (t) => t.available),
        truth,
        at,
      );
      expectSame(
        index.nearest(at, n, radius, (t) => !t.available && t.services.has(service)),
        bruteForce(truth, at, n, radius, (t) => !t.available && t.services.has(service)),
        truth,
        at,
      );
      expectSame(
        index.nearest(at, n, radius),
        bruteForce(truth, at, n, radius, () => true),
        truth,
        at,
      );
    }
  }
  // What the index holds is what we think it holds.
  for (const t of index.all()) {
    const want = truth.get(t.id)!;
    expect({ lat: t.lat, lng: t.lng, available: t.available, services: [...t.services].sort() }).toEqual({
      ...want,
      services: [...want.services].sort(),
    });
  }
  return index;
}

describe('in-memory location index', () => {
  it('answers like brute force in a city while technicians move, flip, change services and leave', () => {
    churnAndCompare({ lat: 6.5244, lng: 3.3792 }, 0.3, 1, 25); // Lagos, ~33 km across
  });

  it('answers like brute force where cells are narrow and where the grid wraps', () => {
    churnAndCompare({ lat: 59.91, lng: 10.75 }, 0.3, 2, 10); // Oslo: cells half as wide as tall
    churnAndCompare({ lat: -16.5, lng: 180 }, 0.1, 3, 10); // Fiji (Labasa), on the antimeridian
    churnAndCompare({ lat: -33.87, lng: 151.21 }, 3, 4, 10); // sparse: a ~330 km area
  });

  it('keeps exactly the technicians within the radius, inclusive', () => {
    const index = createLocationIndex();
    const at = { lat: -1.2921, lng: 36.8219 };
    const services = new Set(['plumbing']);
    // Straight north, 10 m apart from 950 m to 1050 m.
    for (let m = 950; m <= 1050; m += 10) {
      index.upsert(`n${m}`, { lat: at.lat + m / 111_195, lng: at.lng, available: true, services });
    }
    const exactly = distanceMeters(at, index.get('n1000')!);
    const got = index.nearestAvailable(at, 100, exactly, 'plumbing');
    expect(got.map((x) => x.technician.id)).toEqual(['n950', 'n960', 'n970', 'n980', 'n990', 'n1000']);
    expect(index.nearestAvailable(at, 100, exactly - 1e-6, 'plumbing')).toHaveLength(5);
    expect(index.nearestAvailable(at, 100, 0, 'plumbing')).toEqual([]);
  });

  it('returns at most n, the nearest n', () => {
    const index = createLocationIndex();
    const at = { lat: 6.5, lng: 3.4 };
    for (let i = 1; i <= 50; i++) {
      index.upsert(`t${i}`, {
        lat: at.lat,
        lng: at.lng + i * 0.001,
        available: true,
        services: new Set(['a']),
      });
    }
    expect(index.nearestAvailable(at, 3, 50_000, 'a').map((x) => x.technician.id)).toEqual([
      't1',
      't2',
      't3',
    ]);
    expect(index.nearestAvailable(at, 1000, 50_000)).toHaveLength(50);
    expect(index.nearestAvailable(at, 0, 50_000)).toEqual([]);
    expect(index.nearest(at, 2, 50_000, (t) => t.id.endsWith('0')).map((x) => x.technician.id)).toEqual([
      't10',
      't20',
    ]);
  });

  it('only offers available technicians, of the service asked (or any service)', () => {
    const index = createLocationIndex();
    const at = { lat: 51.5072, lng: -0.1276 };
    const near = (i: number) => ({ lat: at.lat + i * 0.0005, lng: at.lng });
    index.upsert('busy', { ...near(1), available: false, services: new Set(['a']) });
    index.upsert('a', { ...near(2), available: true, services: new Set(['a']) });
    index.upsert('b', { ...near(3), available: true, services: new Set(['b']) });
    index.upsert('none', { ...near(4), available: true });
    index.upsert('new', near(5)); // added with a position only: not available
    const ids = (r: Array<{ technician: IndexedTechnician }>) => r.map((x) => x.technician.id);
    expect(ids(index.nearestAvailable(at, 10, 5_000, 'a'))).toEqual(['a']);
    expect(ids(index.nearestAvailable(at, 10, 5_000))).toEqual(['a', 'b', 'none']);
    expect(ids(index.nearestAvailable(at, 10, 5_000, 'unknown'))).toEqual([]);
    expect(ids(index.nearest(at, 10, 5_000))).toEqual(['busy', 'a', 'b', 'none', 'new']);

    index.setAvailable('busy', true);
    index.upsert('b', { ...near(3), services: new Set(['a', 'b']) });
    index.upsert('a', { ...near(2), available: false });
    expect(ids(index.nearestAvailable(at, 10, 5_000, 'a'))).toEqual(['busy', 'b']);
    expect(ids(index.nearestAvailable(at, 10, 5_000, 'b'))).toEqual(['b']);
    // A position-only update keeps availability and services.
    index.upsert('b', near(0.5));
    expect(ids(index.nearestAvailable(at, 10, 5_000, 'b'))).toEqual(['b']);
    expect(ids(index.nearestAvailable(at, 10, 5_000, 'a'))).toEqual(['b', 'busy']);
    expect(index.get('b')).toMatchObject({ available: true, lat: near(0.5).lat });

    // The index keeps its own copy of the services: changing the caller's set changes nothing.
    const mine = new Set(['c']);
    index.upsert('c', { ...near(6), available: true, services: mine });
    mine.add('a');
    expect(ids(index.nearestAvailable(at, 10, 5_000, 'a'))).toEqual(['b', 'busy']);

    index.remove('b');
    index.remove('b'); // twice: harmless
    expect(index.get('b')).toBeUndefined();
    expect(ids(index.nearestAvailable(at, 10, 5_000, 'b'))).toEqual([]);
    expect(index.size).toBe(5);
  });

  it('answers an empty index, and odd input, without throwing', () => {
    const index = createLocationIndex();
    expect(index.size).toBe(0);
    expect(index.nearestAvailable({ lat: 0, lng: 0 }, 10, 5_000)).toEqual([]);
    expect(index.nearestAvailable({ lat: 0, lng: 0 }, 10, 5_000, 'a')).toEqual([]);
    expect(index.nearest({ lat: 0, lng: 0 }, 10, 5_000)).toEqual([]);
    expect([...index.all()]).toEqual([]);
    // A fix of someone not in the index (offline) adds nobody.
    expect(index.move('offline', { lat: 6.5, lng: 3.4 })).toBe(false);
    expect(index.size).toBe(0);

    const services = new Set(['a']);
    index.upsert('pole', { lat: 90, lng: 0, available: true, services });
    index.upsert('south', { lat: -89.9999, lng: -179.9999, available: true, services });
    index.upsert('edge', { lat: 0, lng: 180, available: true, services });
    index.upsert('wrapped', { lat: 0, lng: -540.001, available: true, services }); // = 179.999°
    index.upsert('nan', { lat: Number.NaN, lng: Number.NaN, available: true, services });
    const queries: Point[] = [
      { lat: 90, lng: 123 },
      { lat: 89.99, lng: -45 },
      { lat: -90, lng: 180 },
      { lat: 0, lng: -180 },
      { lat: 0, lng: 179.9999 },
      { lat: 95, lng: 400 },
      { lat: Number.NaN, lng: 0 },
      { lat: 0, lng: Number.POSITIVE_INFINITY },
    ];
    for (const at of queries) {
      for (const radius of [0, 1_000, 50_000, Number.POSITIVE_INFINITY, -1, Number.NaN]) {
        expect(() => index.nearestAvailable(at, 10, radius, 'a')).not.toThrow();
        expect(() => index.nearest(at, Number.POSITIVE_INFINITY, radius)).not.toThrow();
      }
    }
    // The pole is one point, whatever the longitude.
    expect(index.nearestAvailable({ lat: 90, lng: 123 }, 1, 1)[0]?.technician.id).toBe('pole');
    // Across the antimeridian, both sides.
    expect(
      index
        .nearestAvailable({ lat: 0, lng: -179.9995 }, 10, 1_000)
        .map((x) => x.technician.id)
        .sort(),
    ).toEqual(['edge', 'wrapped']);
    expect(index.nearestAvailable({ lat: 0, lng: 179.9995 }, 1, 1_000)[0]?.technician.id).toBe('edge');
    for (const id of ['pole', 'south', 'edge', 'wrapped', 'nan']) index.remove(id);
    expect(index.size).toBe(0);
    expect(index.nearestAvailable({ lat: 0, lng: 180 }, 10, 1_000)).toEqual([]);
  });

  it('is fast enough to be worth it: 100k technicians, nearest 10 of a service in well under a millisecond', () => {
    // A smoke test, not a benchmark (bench/tracking-nearest.ts is): catches a walk that scans everyone.
    const rand = prng(9);
    const index = createLocationIndex();
    const centre = { lat: 6.5244, lng: 3.3792 };
    for (let i = 0; i < 100_000; i++) {
      index.upsert(`t${i}`, {
        ...around(rand, centre, 0.36),
        available: rand() < 0.7,
        services: new Set([SERVICES[i % SERVICES.length]!]),
      });
    }
    const queries = Array.from({ length: 2000 }, () => around(rand, centre, 0.3));
    for (const at of queries) index.nearestAvailable(at, 10, 10_000, 'plumbing'); // warm-up
    const started = performance.now();
    for (const at of queries) index.nearestAvailable(at, 10, 10_000, 'plumbing');
    const perQueryMs = (performance.now() - started) / queries.length;
    expect(perQueryMs).toBeLessThan(0.2);
  });
});

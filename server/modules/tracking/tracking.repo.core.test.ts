import { randomUUID } from 'node:crypto';
import { asc, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type Db, queryRows } from '../../../db/client';
import { bookings, services, technicianProfiles, trackingBreadcrumbs, users } from '../../../db/schema';
import { seedCatalog } from '../../../db/seed/catalog';
import { testDatabase } from '../../test/harness';
import type { PresenceService } from '../presence/presence.service';
import { createTrackingPersistence, FLUSH_PARTS } from './tracking.persist';
import {
  type BreadcrumbWrite,
  createTrackingRepo,
  POSITION_WRITE_METERS,
  type PositionWrite,
} from './tracking.repo';
import { createTrackingState } from './tracking.state';

// The batched PostGIS writes of the live-tracking pipeline, straight against the repo (both drivers).
let database: Awaited<ReturnType<typeof testDatabase>>;
let repo: ReturnType<typeof createTrackingRepo>;
let serviceId: string;

beforeAll(async () => {
  database = await testDatabase();
  await seedCatalog(database.db);
  const [service] = await database.db.select({ id: services.id }).from(services).limit(1);
  serviceId = service!.id;
  repo = createTrackingRepo(database.db);
});
afterAll(() => database.dispose());

/** Lagos-ish, and lng ≠ lat by far, so a swapped pair cannot pass. */
const YABA = { lat: 6.5158123, lng: 3.3792456 };
/** `m` metres north of YABA, on the sphere ST_DWithin(…, false) measures on (111,195 m per degree). */
const north = (m: number) => ({ lat: YABA.lat + m / 111_195, lng: YABA.lng });
/** A fixed, ms-precise base: odd milliseconds catch any rounding of `recorded_at`. */
const T0 = Date.UTC(2025, 4, 6, 9, 30, 0, 123);

async function insertUser(role: 'customer' | 'technician') {
  const id = randomUUID();
  await database.db
    .insert(users)
    .values({ id, email: `repo-${id}@test.fundi.app`, passwordHash: 'x', name: `Repo ${role}`, role });
  return id;
}

/** An online technician whose stored position is YABA at `at` (or nowhere yet, offline). */
async function insertTechnician(at?: number) {
  const id = await insertUser('technician');
  await database.db.insert(technicianProfiles).values({
    userId: id,
    verification: 'verified',
    online: at !== undefined,
    location: at !== undefined ? YABA : null,
    locationAccuracy: at !== undefined ? 10 : null,
    locationAt: at !== undefined ? new Date(at) : null,
  });
  return id;
}

/** A technician with an on-demand booking en route: what breadcrumbs belong to. */
async function insertJob() {
  const technicianId = await insertTechnician(T0);
  const customerId = await insertUser('customer');
  const bookingId = randomUUID();
  await database.db.insert(bookings).values({
    id: bookingId,
    customerId,
    serviceId,
    technicianId,
    status: 'en_route',
    location: YABA,
    address: '1 Repo street',
    currency: 'NGN',
    priceBase: 1000,
    priceSurcharge: 0,
    priceTotal: 1000,
    commission: 150,
    technicianEarnings: 850,
    idempotencyKey: bookingId,
    requestHash: 'repo-test',
  });
  return { bookingId, technicianId };
}

async function stored(technicianId: string) {
  const [row] = await database.db
    .select({
      x: sql<number>`ST_X(${technicianProfiles.location}::geometry)`.mapWith(Number),
      y: sql<number>`ST_Y(${technicianProfiles.location}::geometry)`.mapWith(Number),
      srid: sql<number>`ST_SRID(${technicianProfiles.location})`.mapWith(Number),
      location: technicianProfiles.location,
      accuracy: technicianProfiles.locationAccuracy,
      at: technicianProfiles.locationAt,
    })
    .from(technicianProfiles)
    .where(eq(technicianProfiles.userId, technicianId));
  return { ...row!, at: row!.at?.getTime() ?? null };
}

const pos = (
  technicianId: string,
  p: { lat: number; lng: number },
  at: number,
  accuracy: number | null = 7.5,
) => ({ technicianId, lat: p.lat, lng: p.lng, accuracy, at: new Date(at) }) satisfies PositionWrite;

describe('writePositions', () => {
  it('stores lng as X and lat as Y in SRID 4326, with accuracy and the exact time', async () => {
    const id = await insertTechnician(T0);
    const ikeja = { lat: 6.6018071, lng: 3.3515037 };
    await repo.writePositions([pos(id, ikeja, T0 + 1)]);
    expect(await stored(id)).toEqual({
      x: ikeja.lng,
      y: ikeja.lat,
      srid: 4326,
      location: ikeja,
      accuracy: 7.5,
      at: T0 + 1,
    });
    // What dispatch reads back after a restart.
    const [live] = await repo.liveTechnicians([id]);
    expect(live).toMatchObject({ id, lat: ikeja.lat, lng: ikeja.lng, accuracy: 7.5 });
    expect(live!.at!.getTime()).toBe(T0 + 1);
  });

  it('never moves a position back in time: late and equal-time fixes are ignored', async () => {
    const id = await insertTechnician(T0);
    const lekki = { lat: 6.4474, lng: 3.4746 };
    const surulere = { lat: 6.5, lng: 3.35 };

    await repo.writePositions([pos(id, lekki, T0 + 5_000)]);
    await repo.writePositions([pos(id, surulere, T0 + 4_999)]); // late
    await repo.writePositions([pos(id, surulere, T0 + 5_000)]); // same instant
    expect(await stored(id)).toMatchObject({ location: lekki, at: T0 + 5_000 });

    await repo.writePositions([pos(id, surulere, T0 + 5_001, null)]);
    expect(await stored(id)).toMatchObject({ location: surulere, accuracy: null, at: T0 + 5_001 });
  });

  it(`skips a fix within ${POSITION_WRITE_METERS} m of the stored position: the stored one and its time stand`, async () => {
    const id = await insertTechnician(T0);
    expect(await repo.writePositions([pos(id, north(POSITION_WRITE_METERS - 2), T0 + 1_000)])).toEqual(
      new Set(),
    );
    expect(await stored(id)).toMatchObject({ location: YABA, accuracy: 10, at: T0 });
    const away = north(POSITION_WRITE_METERS + 2);
    // The caller is told which rows were written (the flush remembers them as stored).
    expect(await repo.writePositions([pos(id, away, T0 + 2_000)])).toEqual(new Set([id]));
    expect(await stored(id)).toMatchObject({ location: away, accuracy: 7.5, at: T0 + 2_000 });
    // Measured from what is stored (not from the skipped fix): small steps add up to a write.
    await repo.writePositions([pos(id, north(POSITION_WRITE_METERS + 20), T0 + 3_000)]);
    await repo.writePositions([pos(id, north(POSITION_WRITE_METERS + 40), T0 + 4_000)]);
    expect(await stored(id)).toMatchObject({ at: T0 + 4_000 });
  });

  it('writes a whole batch, and the newest fix wins when a technician appears twice', async () => {
    const a = await insertTechnician(T0);
    const b = await insertTechnician(T0);
    const c = await insertTechnician(T0 + 60_000); // already newer than anything below
    const p1 = { lat: 6.51, lng: 3.31 };
    const p2 = { lat: 6.52, lng: 3.32 };
    const p3 = { lat: 6.53, lng: 3.33 };
    await repo.writePositions([
      pos(a, p2, T0 + 2_000),
      pos(b, p1, T0 + 1_000),
      pos(a, p1, T0 + 1_000), // older duplicate, later in the batch
      pos(b, p3, T0 + 3_000),
      pos(c, p3, T0 + 3_000),
    ]);
    expect(await stored(a)).toMatchObject({ location: p2, at: T0 + 2_000 });
    expect(await stored(b)).toMatchObject({ location: p3, at: T0 + 3_000 });
    expect(await stored(c)).toMatchObject({ location: YABA, at: T0 + 60_000 });
  });
});

describe('the row a position write updates', () => {
  it('carries no inverted (GIN) index: the search text and its trigrams live in technician_search', async () => {
    // Every written position is a non-HOT update of this row, so every index on it is written too; a
    // trigram index there doubled PostgreSQL's cost of the flush (README, issue 15 §7).
    const defs = await queryRows<{ indexdef: string }>(
      database.db,
      sql`SELECT indexdef FROM pg_indexes WHERE tablename = 'technician_profiles' ORDER BY indexname`,
    );
    expect(defs.length).toBeGreaterThan(0);
    expect(defs.filter((r) => /USING gin/i.test(r.indexdef))).toEqual([]);
  });
});

describe('insertBreadcrumbs', () => {
  const crumb = (
    job: { bookingId: string; technicianId: string },
    i: number,
    accuracy: number | null = i % 3 ? i / 4 : null,
  ): BreadcrumbWrite => ({
    ...job,
    lat: YABA.lat + i * 1e-5,
    lng: YABA.lng - i * 1e-5,
    accuracy,
    at: new Date(T0 + i * 1_001),
  });

  const rowsOf = (bookingId: string) =>
    database.db
      .select({
        bookingId: trackingBreadcrumbs.bookingId,
        technicianId: trackingBreadcrumbs.technicianId,
        location: trackingBreadcrumbs.location,
        accuracy: trackingBreadcrumbs.accuracy,
        at: trackingBreadcrumbs.recordedAt,
      })
      .from(trackingBreadcrumbs)
      .where(eq(trackingBreadcrumbs.bookingId, bookingId))
      .orderBy(asc(trackingBreadcrumbs.id));

  it('round-trips booking, technician, lng/lat, accuracy and time, in order', async () => {
    const job = await insertJob();
    const other = await insertJob();
    const batch = [crumb(job, 0), crumb(other, 1), crumb(job, 2, 3.25), crumb(job, 1)];
    await repo.insertBreadcrumbs(batch);

    const expected = (c: BreadcrumbWrite) => ({
      bookingId: c.bookingId,
      technicianId: c.technicianId,
      location: { lat: c.lat, lng: c.lng },
      accuracy: c.accuracy,
      at: c.at,
    });
    expect(await rowsOf(job.bookingId)).toEqual([batch[0], batch[2], batch[3]].map((c) => expected(c!)));
    expect(await rowsOf(other.bookingId)).toEqual([expected(batch[1]!)]);
    // The trail the customer sees is ordered by time.
    expect((await repo.breadcrumbs(job.bookingId)).map((r) => r.recordedAt.getTime())).toEqual([
      T0,
      T0 + 1_001,
      T0 + 2_002,
    ]);
  });

  it('writes 5,000 breadcrumbs in one call, as one statement', async () => {
    const job = await insertJob();
    const batch = Array.from({ length: 5_000 }, (_, i) => crumb(job, i));
    const execute = vi.spyOn(database.db, 'execute');
    try {
      await repo.insertBreadcrumbs(batch);
      expect(execute).toHaveBeenCalledTimes(1);
    } finally {
      execute.mockRestore();
    }
    const rows = await rowsOf(job.bookingId);
    expect(rows).toHaveLength(5_000);
    for (const i of [0, 1, 2, 2_500, 4_999]) {
      expect(rows[i]).toEqual({
        bookingId: job.bookingId,
        technicianId: job.technicianId,
        location: { lat: batch[i]!.lat, lng: batch[i]!.lng },
        accuracy: batch[i]!.accuracy,
        at: batch[i]!.at,
      });
    }
  });

  it('writes batches larger than one statement’s slice (25,001 rows) completely and in order', async () => {
    const job = await insertJob();
    const batch = Array.from({ length: 25_001 }, (_, i) => crumb(job, i));
    await repo.insertBreadcrumbs(batch);
    const rows = await rowsOf(job.bookingId);
    expect(rows).toHaveLength(25_001);
    expect(rows.every((r, i) => r.at.getTime() === batch[i]!.at.getTime())).toBe(true);
    expect(rows[25_000]!.location).toEqual({ lat: batch[25_000]!.lat, lng: batch[25_000]!.lng });
  });
});

describe('the flush (tracking.persist)', () => {
  it(`queues no fix within ${POSITION_WRITE_METERS} m of what it knows is stored, and forgets that when told`, async () => {
    const id = await insertTechnician(T0);
    const sent: PositionWrite[][] = [];
    const counting = {
      ...repo,
      writePositions: (rows: PositionWrite[]) => {
        sent.push(rows);
        return repo.writePositions(rows);
      },
    };
    const state = createTrackingState({
      flushMs: 1_000,
      staleAfterMs: 30_000,
      breadcrumbRetentionMs: 60_000,
    });
    const persist = createTrackingPersistence({
      repo: counting,
      state,
      presence: { isPresent: () => true } as unknown as PresenceService,
    });
    await persist.refresh([id]); // reads YABA at T0 as stored
    const fix = (p: { lat: number; lng: number }, at: number) => ({
      ...p,
      recordedAt: at,
      accuracy: 5,
      heading: null,
      speed: null,
    });

    persist.position(id, fix(north(10), T0 + 1_000));
    await persist.flush();
    expect(sent.flat()).toEqual([]); // nothing to write: not even sent

    persist.position(id, fix(north(60), T0 + 2_000));
    persist.position(id, fix(north(5), T0 + 3_000)); // back near the stored one: the earlier fix goes too
    await persist.flush();
    expect(sent.flat()).toEqual([]);

    persist.position(id, fix(north(60), T0 + 4_000));
    await persist.flush();
    expect(sent.flat().map((r) => r.technicianId)).toEqual([id]);
    expect(await stored(id)).toMatchObject({ at: T0 + 4_000 });

    // Now north(60) is what this node knows is stored.
    sent.length = 0;
    persist.position(id, fix(north(70), T0 + 5_000));
    await persist.flush();
    expect(sent.flat()).toEqual([]);

    // Another node wrote meanwhile (it took the technician's fixes): the statement judges again.
    await database.db
      .update(technicianProfiles)
      .set({ location: YABA, locationAt: new Date(T0 + 6_000) })
      .where(eq(technicianProfiles.userId, id));
    persist.forget(id);
    persist.position(id, fix(north(70), T0 + 7_000));
    await persist.flush();
    expect(sent.flat().map((r) => r.technicianId)).toEqual([id]);
    expect(await stored(id)).toMatchObject({ at: T0 + 7_000 });
  });
});

describe("the timer's flush (tracking.persist)", () => {
  it(`writes the moving technicians in ${FLUSH_PARTS} parts, each one once per interval, none left out`, async () => {
    const ids = await Promise.all(Array.from({ length: 16 }, () => insertTechnician(T0)));
    const sent: PositionWrite[][] = [];
    const persist = createTrackingPersistence({
      repo: {
        ...repo,
        writePositions: (rows: PositionWrite[]) => {
          sent.push(rows);
          return repo.writePositions(rows);
        },
      },
      state: createTrackingState({ flushMs: 1_000, staleAfterMs: 30_000, breadcrumbRetentionMs: 60_000 }),
      presence: { isPresent: () => true } as unknown as PresenceService,
    });
    await persist.refresh(ids);
    const moveAll = (m: number, at: number) => {
      for (const id of ids)
        persist.position(id, { ...north(m), recordedAt: at, accuracy: 5, heading: null, speed: null });
    };
    moveAll(100, T0 + 1_000);
    for (let i = 0; i < FLUSH_PARTS; i++) await persist.flushNextPart();
    const written = sent.map((rows) => rows.map((r) => r.technicianId));
    // Every technician once, in one of the parts; no part holds them all.
    expect(written.flat().sort()).toEqual([...ids].sort());
    expect(Math.max(...written.map((w) => w.length))).toBeLessThan(ids.length);
    for (const id of ids) expect(await stored(id)).toMatchObject({ at: T0 + 1_000 });
    // A newer fix of each, queued again: one more round of parts writes each once more, not twice.
    sent.length = 0;
    moveAll(200, T0 + 2_000);
    moveAll(300, T0 + 3_000);
    for (let i = 0; i < FLUSH_PARTS; i++) await persist.flushNextPart();
    expect(
      sent
        .flat()
        .map((r) => r.technicianId)
        .sort(),
    ).toEqual([...ids].sort());
    for (const id of ids) expect(await stored(id)).toMatchObject({ at: T0 + 3_000 });
  });
});

describe('empty batches', () => {
  it('issue no statement at all', async () => {
    const execute = vi.fn();
    const spy = createTrackingRepo({ execute, insert: execute } as unknown as Db);
    await spy.writePositions([]);
    await spy.insertBreadcrumbs([]);
    expect(execute).not.toHaveBeenCalled();
  });
});

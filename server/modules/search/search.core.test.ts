import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { serviceCategories, services, technicianProfiles, users } from '../../../db/schema';
import type { SearchTechniciansInput, TechnicianCard } from '../../contracts/discovery';
import { codeOf, offset, serviceId, technician, uniqueSpot } from '../../test/fixtures';
import { httpClient, startTestServer, type TestServer } from '../../test/harness';
import { createSearchRepo, GRID_DEGREES } from './search.repo';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({}, { dispatch: false });
});
afterAll(() => server.close());
const svc = () => server.services;
const api = () => httpClient(server);

/**
 * The technicians this test made. Others (other tests, other files sharing the database) live at random
 * spots on the globe and are almost never within reach, but "almost" is not a test: results are read
 * through this set.
 */
const created = new Set<string>();
beforeEach(() => created.clear());

/** A verified technician `meters` north of `at`, offering `slugs` (with custom prices where given). */
async function techAt(
  at: { lat: number; lng: number },
  meters: number,
  opts: {
    name?: string;
    bio?: string;
    slugs?: string[];
    prices?: Record<string, number>;
    rating?: { sum: number; count: number };
    verified?: boolean;
  } = {},
) {
  const t = await technician(svc(), offset(at, meters), {
    name: opts.name ?? 'Tech',
    slugs: opts.slugs ?? ['shoe-shine'],
    verified: opts.verified,
    online: opts.verified !== false,
    listening: false,
  });
  if (opts.prices) {
    const services = await Promise.all(
      (opts.slugs ?? ['shoe-shine']).map(async (slug) => ({
        serviceId: await serviceId(svc(), slug),
        ...(opts.prices?.[slug] ? { price: opts.prices[slug] } : {}),
      })),
    );
    await svc().technicians.setServices(t.user.id, { services });
  }
  if (opts.bio) await svc().technicians.updateProfile(t.user.id, { bio: opts.bio });
  if (opts.rating) {
    // Aggregates set directly: search reads them; how reviews keep them is review.test.ts's business.
    await svc()
      .database.db.update(technicianProfiles)
      .set({ ratingSum: opts.rating.sum, ratingCount: opts.rating.count })
      .where(eq(technicianProfiles.userId, t.user.id));
  }
  created.add(t.user.id);
  return t.user.id;
}

/**
 * A price for `slug` at fraction `f` of the range technicians may charge (the service's bounds, or half
 * to three times the list price where it has none).
 */
async function bounded(slug: string, f: number) {
  const [row] = await svc()
    .database.db.select({ base: services.basePrice, lo: services.minPrice, hi: services.maxPrice })
    .from(services)
    .where(eq(services.id, await serviceId(svc(), slug)));
  const lo = row!.lo ?? Math.ceil(row!.base * 0.5);
  const hi = row!.hi ?? row!.base * 3;
  return lo + Math.round((hi - lo) * f);
}

const search = (input: SearchTechniciansInput) => api().technician.search.query(input);
const ids = (items: TechnicianCard[]) => items.map((i) => i.id).filter((id) => created.has(id));

/** Every page of a search, following cursors; `between` runs after each page. */
async function allPages(
  input: SearchTechniciansInput,
  between: (page: number) => Promise<void> = async () => {},
) {
  const seen: string[] = [];
  let cursor: string | undefined;
  let page = 0;
  do {
    const res = await search({ ...input, cursor });
    seen.push(...res.items.map((i) => i.id));
    cursor = res.nextCursor ?? undefined;
    await between(++page);
  } while (cursor);
  return seen;
}

describe('technician.search', () => {
  it('orders by distance, measured from an approximate area and rounded to 100 m', async () => {
    const spot = uniqueSpot();
    const far = await techAt(spot, 15_000);
    const near = await techAt(spot, 1_000);
    const mid = await techAt(spot, 8_000);
    const midNear = await techAt(spot, 4_000);
    const res = await search({ ...spot, sort: 'distance' });
    expect(ids(res.items)).toEqual([near, midNear, mid, far]);
    const meters = [1_000, 4_000, 8_000, 15_000];
    res.items
      .filter((item) => created.has(item.id))
      .forEach((item, i) => {
        expect(item.distanceMeters! % 100).toBe(0);
        // The grid cell is ~1.1 km: the shown distance is within that of the true one.
        expect(Math.abs(item.distanceMeters! - meters[i]!)).toBeLessThan(1_600);
        expect(item.price).toMatchObject({ from: true });
      });
    // Beyond the radius: not found.
    expect(ids((await search({ ...spot, sort: 'distance', radiusKm: 10 })).items)).not.toContain(far);
    expect(ids((await search({ ...spot, radiusKm: 100 })).items)).toHaveLength(4);
  });

  it('filters by service, category, rating and price in SQL; shows each technician their own price', async () => {
    const spot = uniqueSpot();
    const shine = await serviceId(svc(), 'shoe-shine');
    const leak = await serviceId(svc(), 'leak-repair');
    const catalog = await svc().catalog.services();
    const shineCatalog = catalog.find((s) => s.id === shine)!;
    const plumbingCategory = catalog.find((s) => s.id === leak)!.categoryId;

    const low = await bounded('shoe-shine', 0);
    const high = await bounded('shoe-shine', 1);
    const cheap = await techAt(spot, 500, { prices: { 'shoe-shine': low }, rating: { sum: 9, count: 2 } });
    const catalogPriced = await techAt(spot, 1_500, { rating: { sum: 480, count: 100 } });
    const plumber = await techAt(spot, 2_000, { slugs: ['leak-repair'], rating: { sum: 5, count: 1 } });
    const both = await techAt(spot, 3_000, {
      slugs: ['shoe-shine', 'leak-repair'],
      prices: { 'shoe-shine': high },
    });
    const unverified = await techAt(spot, 700, { verified: false });

    const all = await search({ ...spot });
    expect(ids(all.items).sort()).toEqual([cheap, catalogPriced, plumber, both].sort());
    expect(ids(all.items)).not.toContain(unverified);

    const shines = await search({ ...spot, serviceId: shine, sort: 'price' });
    expect(ids(shines.items)).toEqual([cheap, catalogPriced, both]);
    const mine = shines.items.filter((i) => created.has(i.id));
    expect(mine.map((i) => i.price?.amount)).toEqual([low, shineCatalog.basePrice.amount, high]);
    expect(mine[0]!.price).toMatchObject({ currency: shineCatalog.basePrice.currency, from: false });

    expect(ids((await search({ ...spot, categoryId: plumbingCategory })).items).sort()).toEqual(
      [plumber, both].sort(),
    );
    expect(ids((await search({ ...spot, serviceId: shine, maxPrice: low })).items)).toEqual([cheap]);
    // minRating: the shown average (4.5, 4.8, 5.0); nobody without reviews.
    expect(ids((await search({ ...spot, minRating: 4.6 })).items).sort()).toEqual(
      [catalogPriced, plumber].sort(),
    );
    // By rating: the Bayesian score (4.76, 4.17, 4.14, 4.0), so 100 reviews at 4.8 beat one at 5.0.
    expect(ids((await search({ ...spot, sort: 'rating' })).items)).toEqual([
      catalogPriced,
      plumber,
      cheap,
      both,
    ]);
    const best = await search({ ...spot, sort: 'best' });
    expect(ids(best.items)[0]).toBe(catalogPriced);
    expect(best.items.find((i) => i.id === catalogPriced)!.rating).toEqual({
      average: 4.8,
      count: 100,
      score: 4.76,
    });
  });

  it('matches words in names, bios and service names, English and Arabic, whatever the alef or taa form', async () => {
    const spot = uniqueSpot();
    const ahmed = await techAt(spot, 1_000, { name: 'أحمد النجار', bio: 'خدمة سريعة ومضمونة' });
    const ada = await techAt(spot, 2_000, {
      name: 'Ada Obi',
      bio: 'Plumber for 10 years',
      slugs: ['leak-repair'],
    });
    const found = async (q: string) => ids((await search({ ...spot, q, sort: 'distance' })).items);

    expect(await found('احمد')).toEqual([ahmed]); // bare alef for hamza-on-alef
    expect(await found('إحمد')).toEqual([ahmed]); // hamza-under-alef
    expect(await found('أَحْمَد')).toEqual([ahmed]); // with diacritics
    expect(await found('خدمه')).toEqual([ahmed]); // ha for taa marbuta
    expect(await found('الاحذيه')).toEqual([ahmed]); // the service's Arabic name, written loosely
    expect(await found('اصلاح')).toEqual([ada]); // إصلاح التسريب
    expect(await found('PLUMBER')).toEqual([ada]);
    expect(await found('leak ada')).toEqual([ada]); // every word must match
    expect(await found('shoe')).toEqual([ahmed]);
    expect(await found('%')).toEqual([]); // LIKE wildcards are literal
    expect(await found('nobody-by-this-name')).toEqual([]);
  });

  it('pages with a stable cursor: no duplicates and nobody missed while new technicians join', async () => {
    for (const sort of ['distance', 'best', 'rating', 'price'] as const) {
      const spot = uniqueSpot();
      const original: string[] = [];
      const prices = [
        await bounded('shoe-shine', 0),
        await bounded('shoe-shine', 0.5),
        await bounded('shoe-shine', 1),
      ];
      const cheapest = await bounded('shoe-shine', 0.1);
      for (let i = 0; i < 7; i++) {
        original.push(
          await techAt(spot, 1_000 + i * 2_500, {
            rating: i % 2 ? { sum: 4 * i, count: i } : undefined,
            prices: { 'shoe-shine': prices[i % 3]! },
          }),
        );
      }
      const joined: string[] = [];
      const seen = await allPages(
        { ...spot, sort, limit: 3, serviceId: await serviceId(svc(), 'shoe-shine') },
        async (page) => {
          if (page > 2) return;
          // Newcomers nearer, farther and in between, with and without reviews, cheaper and dearer.
          joined.push(await techAt(spot, 500 + page * 100, { rating: { sum: 10, count: 2 } }));
          joined.push(await techAt(spot, 9_000 + page * 100, { prices: { 'shoe-shine': cheapest } }));
          joined.push(await techAt(spot, 20_000 + page * 100));
        },
      );
      expect(new Set(seen).size, sort).toBe(seen.length);
      for (const id of original) expect(seen, sort).toContain(id);
      expect(
        seen.every((id) => original.includes(id) || joined.includes(id)),
        sort,
      ).toBe(true);
    }
  });

  it('leaves out technicians whose service areas do not cover the point searched (no areas: anywhere)', async () => {
    // Areas lie inside a market: Yaba and Ikeja in Lagos, about 9 km apart; a fresh spot near Yaba.
    const yaba = { lat: 6.5095 + Math.random() * 0.002, lng: 3.3711 + Math.random() * 0.002 };
    const ikeja = { lat: 6.6018, lng: 3.3515 };
    const square = (c: { lat: number; lng: number }, d: number): Array<[number, number]> => [
      [c.lng - d, c.lat - d],
      [c.lng + d, c.lat - d],
      [c.lng + d, c.lat + d],
      [c.lng - d, c.lat + d],
    ];
    const elsewhere = await techAt(yaba, 300, { name: 'Serves Ikeja' });
    await svc().areas.set(elsewhere, { areas: [{ name: 'Ikeja', polygon: square(ikeja, 0.01) }] });
    const here = await techAt(yaba, 600, { name: 'Serves Yaba' });
    await svc().areas.set(here, {
      areas: [
        { name: 'Ikeja', polygon: square(ikeja, 0.01) },
        { name: 'Yaba', polygon: square(yaba, 0.02) },
      ],
    });
    const anywhere = await techAt(yaba, 900, { name: 'No areas' });
    const found = ids((await search({ ...yaba, sort: 'distance', limit: 50 })).items);
    // (Both may share a ~1 km grid cell, so equally far: compared as a set.)
    expect(found.sort()).toEqual([here, anywhere].sort());
    expect(ids((await search({ ...ikeja, sort: 'distance', limit: 50 })).items)).toEqual(
      expect.arrayContaining([elsewhere, here, anywhere]),
    );
  });

  it('availableAt: only technicians at work then (hours, time off); each result carries its next free start', async () => {
    const spot = uniqueSpot();
    const d = new Date();
    const tenInLagos = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 2, 9, 0); // UTC+1
    const always = await techAt(spot, 500, { name: 'No hours set' });
    const afternoons = await techAt(spot, 900, { name: 'Afternoons' });
    await svc().schedule.setHours(afternoons, {
      timeZone: 'Africa/Lagos',
      ranges: [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, start: '14:00', end: '18:00' })),
    });
    const away = await techAt(spot, 1_300, { name: 'Away' });
    await svc().schedule.addTimeOff(away, {
      startsAt: new Date(tenInLagos - 3600_000).toISOString(),
      endsAt: new Date(tenInLagos + 3 * 3600_000).toISOString(),
    });
    const never = await techAt(spot, 1_700, { name: 'Never' });
    await svc().schedule.setHours(never, { timeZone: 'Africa/Lagos', ranges: [] });

    const availableAt = new Date(tenInLagos).toISOString();
    const at10 = await search({ ...spot, sort: 'distance', availableAt });
    expect(ids(at10.items)).toEqual([always]);
    // Pages of one: the same answer, nobody twice.
    expect(
      (await allPages({ ...spot, sort: 'distance', availableAt, limit: 1 })).filter((id) => created.has(id)),
    ).toEqual([always]);
    // 15:00 in Lagos: the afternoon one works then too.
    const at15 = await search({
      ...spot,
      sort: 'distance',
      availableAt: new Date(tenInLagos + 5 * 3600_000).toISOString(),
    });
    // (Some may share a ~1 km grid cell, so be equally far: compared as a set.)
    expect(ids(at15.items).sort()).toEqual([always, afternoons, away].sort());

    const all = new Map((await search({ ...spot, sort: 'distance', limit: 50 })).items.map((i) => [i.id, i]));
    const next = (id: string) => all.get(id)!.nextAvailableAt;
    expect(Date.parse(next(always)!)).toBeLessThan(Date.now() + 2 * 3600_000);
    const lagosHour = (iso: string) => (new Date(iso).getUTCHours() + 1) % 24;
    expect(lagosHour(next(afternoons)!)).toBeGreaterThanOrEqual(14);
    expect(lagosHour(next(afternoons)!)).toBeLessThan(18);
    expect(next(never)).toBeNull();
  });

  it('finds verified technicians, online or not, through the GiST index on their location', async () => {
    const spot = uniqueSpot();
    const plan = await createSearchRepo(svc().database.db).explainSearch(
      {
        at: spot,
        radiusMeters: 30_000,
        words: [],
        sort: 'distance',
        presentAfter: new Date(),
      },
      21,
    );
    expect(plan).toContain('technician_profiles_verified_location_gist');
  });

  it('text: a trigram index over the normalised text, kept by triggers; Latin accents folded', async () => {
    const spot = uniqueSpot();
    const tag = randomUUID()
      .replace(/[^a-f]/g, '')
      .slice(0, 6);
    const id = await techAt(spot, 500, { name: `Zoé ${tag}`, bio: 'Électricienne à domicile' });
    const found = async (q: string) => ids((await search({ ...spot, q })).items);
    expect(await found(`zoe ${tag}`)).toEqual([id]);
    expect(await found('electricienne')).toEqual([id]);
    expect(await found('ÉLECTRICIENNE')).toEqual([id]);
    expect(await found('shoe')).toEqual([id]); // their service's name
    // A new name, a new bio and other services: the text follows (triggers), the old words are gone.
    await svc()
      .database.db.update(users)
      .set({ name: `Chiamaka ${tag}` })
      .where(eq(users.id, id));
    expect(await found(`chiamaka ${tag}`)).toEqual([id]);
    expect(await found(`zoe ${tag}`)).toEqual([]);
    await svc().technicians.setServices(id, {
      services: [{ serviceId: await serviceId(svc(), 'leak-repair') }],
    });
    expect(await found('shoe')).toEqual([]);
    expect(await found('leak')).toEqual([id]);
    await svc().technicians.updateProfile(id, { bio: 'Plombière' });
    expect(await found('plombiere')).toEqual([id]);
    expect(await found('electricienne')).toEqual([]);
    // The catalogue's own names: renaming the service or its category refreshes the text (a service and
    // category of this test's own, so that other tests sharing the database see no rename).
    const db = svc().database.db;
    const [base] = await db
      .select()
      .from(services)
      .where(eq(services.id, await serviceId(svc(), 'leak-repair')));
    const [cat] = await db
      .insert(serviceCategories)
      .values({ slug: `cat-${tag}`, nameEn: `Kettle ${tag}`, nameAr: 'غلايات' })
      .returning();
    const [own] = await db
      .insert(services)
      .values({
        categoryId: cat!.id,
        market: base!.market,
        slug: `svc-${tag}`,
        nameEn: `Descaling ${tag}`,
        nameAr: 'إزالة الترسبات',
        basePrice: base!.basePrice,
        currency: base!.currency,
        durationMinutes: 30,
      })
      .returning();
    await svc().technicians.setServices(id, { services: [{ serviceId: own!.id }] });
    expect(await found(`descaling ${tag}`)).toEqual([id]);
    expect(await found(`kettle ${tag}`)).toEqual([id]);
    await db
      .update(services)
      .set({ nameEn: `Limescale ${tag}` })
      .where(eq(services.id, own!.id));
    expect(await found(`limescale ${tag}`)).toEqual([id]);
    expect(await found(`descaling ${tag}`)).toEqual([]);
    await db
      .update(serviceCategories)
      .set({ nameEn: `Boiler ${tag}` })
      .where(eq(serviceCategories.id, cat!.id));
    expect(await found(`boiler ${tag}`)).toEqual([id]);
    expect(await found(`kettle ${tag}`)).toEqual([]);

    // The words are answered from the trigram index (the search's own predicate, EXPLAINed).
    expect(await createSearchRepo(svc().database.db).explainText('plombiere')).toContain(
      'technician_search_trgm',
    );
  });

  it('validates: coordinates, sort, cursors from another sort', async () => {
    const spot = uniqueSpot();
    for (let i = 0; i < 3; i++) await techAt(spot, 1_000 * (i + 1));
    const page = await search({ ...spot, sort: 'distance', limit: 1, radiusKm: 5 });
    expect(page.nextCursor).toBeTruthy();
    expect(await codeOf(search({ ...spot, sort: 'rating', cursor: page.nextCursor! }))).toBe('BAD_REQUEST');
    expect(await codeOf(search({ ...spot, cursor: 'garbage' }))).toBe('BAD_REQUEST');
    expect(await codeOf(search({ lat: 91, lng: 0 }))).toBe('BAD_REQUEST');
    expect(await codeOf(search({ ...spot, sort: 'cheapest' as 'price' }))).toBe('BAD_REQUEST');
  });
});

describe('technician.profile', () => {
  it('is public for verified technicians: their prices, languages, jobs, rating, and only an approximate area', async () => {
    const spot = uniqueSpot();
    const id = await techAt(spot, 0, {
      name: 'Kemi Adeyemi',
      bio: 'Shoes like new',
      slugs: ['shoe-shine', 'leak-repair'],
      prices: { 'shoe-shine': await bounded('shoe-shine', 0.25) },
      rating: { sum: 14, count: 3 },
    });
    const profile = await api().technician.profile.query({ technicianId: id });
    const catalog = await svc().catalog.services();
    const leakCatalog = catalog.find((s) => s.slug === 'leak-repair')!;
    expect(profile).toMatchObject({
      id,
      name: 'Kemi Adeyemi',
      bio: 'Shoes like new',
      verified: true,
      jobsCompleted: 0,
      languages: ['en'],
      rating: { average: 4.7, count: 3 },
      availableNow: true,
    });
    const bySlug = Object.fromEntries(profile.services.map((s) => [s.slug, s]));
    expect(bySlug['shoe-shine']?.price.amount).toBe(await bounded('shoe-shine', 0.25));
    expect(bySlug['leak-repair']?.price).toEqual(leakCatalog.basePrice);
    // Never the live position: a point on the ~1 km grid.
    const onGrid = (v: number) => Math.abs(v / GRID_DEGREES - Math.round(v / GRID_DEGREES)) < 1e-6;
    expect(onGrid(profile.area!.lat) && onGrid(profile.area!.lng)).toBe(true);
    expect(JSON.stringify(profile)).not.toContain(String(spot.lat).slice(0, 9));

    const t = await svc().auth.signIn(
      { email: (await userEmail(id))!, password: 'technician password' },
      '127.0.0.1',
    );
    await httpClient(server, t.token).technician.setLanguages.mutate({ languages: ['yo', 'EN', 'en'] });
    expect((await api().technician.profile.query({ technicianId: id })).languages).toEqual(['en', 'yo']);
  });

  it('is NOT_FOUND for technicians who are not verified (except to themselves) and for unknown ids', async () => {
    const spot = uniqueSpot();
    const t = await technician(svc(), spot, { verified: false, online: false, listening: false });
    expect(await codeOf(api().technician.profile.query({ technicianId: t.user.id }))).toBe('NOT_FOUND');
    expect(await codeOf(api().technician.profile.query({ technicianId: randomUUID() }))).toBe('NOT_FOUND');
    const own = await httpClient(server, t.token).technician.profile.query({ technicianId: t.user.id });
    expect(own.verified).toBe(false);
  });
});

describe('favourites', () => {
  it('add (idempotent), list, remove; only visible technicians; signed in only', async () => {
    const spot = uniqueSpot();
    const a = await techAt(spot, 100, { name: 'Saved One' });
    const b = await techAt(spot, 200, { name: 'Saved Two' });
    const hiddenTech = await techAt(spot, 300, { verified: false });
    const user = await svc().auth.signUp(
      {
        email: `fav.${randomUUID()}@test.fundi.app`,
        password: 'customer password',
        name: 'Fav',
        role: 'customer',
      },
      '127.0.0.1',
    );
    const me = httpClient(server, user.token);
    await me.favorite.add.mutate({ technicianId: a });
    await me.favorite.add.mutate({ technicianId: b });
    await me.favorite.add.mutate({ technicianId: a });
    expect(await codeOf(me.favorite.add.mutate({ technicianId: hiddenTech }))).toBe('NOT_FOUND');
    expect(await codeOf(api().favorite.add.mutate({ technicianId: a }))).toBe('UNAUTHORIZED');
    const list = await me.favorite.list.query();
    expect(list.items.map((i) => i.name)).toEqual(['Saved Two', 'Saved One']);
    expect(list.items[0]!.price).toMatchObject({ from: true });
    expect(await me.favorite.has.query({ technicianId: a })).toBe(true);
    await me.favorite.remove.mutate({ technicianId: a });
    expect((await me.favorite.list.query()).items.map((i) => i.id)).toEqual([b]);
    expect(await me.favorite.has.query({ technicianId: a })).toBe(false);
  });
});

async function userEmail(id: string) {
  const { users } = await import('../../../db/schema');
  const [row] = await svc().database.db.select({ email: users.email }).from(users).where(eq(users.id, id));
  return row?.email;
}

import type { z } from 'zod';
import type { Db } from '../../../db/client';
import type { UserRow } from '../../../db/schema';
import type {
  FavoritePage,
  PublicTechnicianProfile,
  SearchSort,
  searchTechniciansInput,
  TechnicianCard,
  TechnicianSearchPage,
} from '../../contracts/discovery';
import { searchSorts } from '../../contracts/discovery';
import type { ReviewTag } from '../../contracts/review';
import { isCursorId } from '../../lib/cursor';
import { DomainError, pgErrorCode } from '../../lib/errors';
import { money } from '../../lib/money';
import { decodeKeyset, encodeKeyset } from '../review/keyset';
import { ratingSummary } from '../review/rating';
import type { ScheduleService } from '../schedule/schedule.service';
import { AREA_APPROXIMATE_METERS, createSearchRepo, type SearchFilter, type SearchRow } from './search.repo';

type Caller = Pick<UserRow, 'id' | 'role'> | null;

const PAGE = 20;
const DEFAULT_RADIUS_KM = 30;
const MAX_WORDS = 6;
/** `nextAvailableAt` looks this far ahead. */
const AVAILABILITY_HORIZON_MS = 7 * 24 * 3600_000;
/** With `availableAt`, rows are read in batches of this and checked against calendars, at most this often per page. */
const AVAILABLE_BATCH = 50;
const AVAILABLE_ROUNDS = 6;

/** Search cursors: the sort they belong to, the last row's sort keys and id. */
type SearchCursor = { s: SearchSort; a: string; b: string; i: string };
const NUMERIC = /^-?\d+(\.\d+)?$/;

function encodeSearchCursor(c: SearchCursor): string {
  return Buffer.from(JSON.stringify(c)).toString('base64url');
}

function decodeSearchCursor(cursor: string | undefined, sort: SearchSort) {
  if (!cursor) return undefined;
  let c: Partial<SearchCursor> | null = null;
  try {
    c = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as Partial<SearchCursor>;
  } catch {
    c = null;
  }
  if (
    !c ||
    c.s !== sort ||
    !searchSorts.includes(c.s) ||
    typeof c.a !== 'string' ||
    typeof c.b !== 'string' ||
    !NUMERIC.test(c.a) ||
    !NUMERIC.test(c.b) ||
    !isCursorId(c.i)
  ) {
    throw new DomainError('VALIDATION', 'Invalid cursor (or one from a search with another sort).');
  }
  return { k1: c.a, k2: c.b, id: c.i };
}

/** Words of a query, LIKE wildcards escaped (each must appear in the technician's text). */
export function queryWords(q: string | undefined): string[] {
  return (q ?? '')
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, MAX_WORDS)
    .map((w) => w.replace(/[\\%_]/g, '\\$&'));
}

const jsonOf = (v: unknown): unknown => (typeof v === 'string' ? JSON.parse(v) : v);

function toCard(
  r: Omit<SearchRow, 'distance' | 'k1' | 'k2' | 'duration_minutes'> & { distance?: number | string },
  from: boolean,
): TechnicianCard {
  const list = (jsonOf(r.service_list) ?? []) as Array<{ id: string; en: string; ar: string }>;
  return {
    id: r.id,
    name: r.name,
    photoUrl: r.photo_url,
    rating: ratingSummary(Number(r.rating_sum), Number(r.rating_count)),
    distanceMeters: r.distance === undefined ? null : Number(r.distance),
    availableNow: Boolean(r.available),
    price:
      r.amount === null || r.amount === undefined
        ? null
        : { ...money(Number(r.amount), r.currency), unit: r.unit, from },
    services: list.map((s) => ({ id: s.id, name: { en: s.en, ar: s.ar } })),
    area:
      r.area_lat === null || r.area_lng === null
        ? null
        : { lat: Number(r.area_lat), lng: Number(r.area_lng) },
  };
}

export function createSearchService(deps: {
  db: Db;
  /** Online technicians not heard from within this are not "available now". */
  presenceTimeoutMs: number;
  topTags: (technicianId: string) => Promise<Array<{ tag: string; count: number }>>;
  /** Working hours, time off and reservations (server/modules/schedule): `availableAt`, `nextAvailableAt`. */
  schedule?: Pick<ScheduleService, 'freeTimes'> | undefined;
  now?: () => number;
}) {
  const repo = createSearchRepo(deps.db);
  const now = deps.now ?? Date.now;
  const presentAfter = () => new Date(now() - deps.presenceTimeoutMs);

  /** Verified technicians are public; others only to themselves and admins (NOT_FOUND to anyone else). */
  async function assertVisible(technicianId: string, caller: Caller) {
    const t = await repo.technician(technicianId);
    const ok =
      t && (t.verification === 'verified' || caller?.role === 'admin' || caller?.id === technicianId);
    if (!ok) throw new DomainError('NOT_FOUND', 'Technician not found.');
  }

  return {
    assertVisible,

    async profile(technicianId: string, caller: Caller): Promise<PublicTechnicianProfile> {
      await assertVisible(technicianId, caller);
      const [p, svc, languages, tags] = await Promise.all([
        repo.profile(technicianId, presentAfter()),
        repo.servicesOf(technicianId),
        repo.languagesOf(technicianId),
        deps.topTags(technicianId),
      ]);
      if (!p) throw new DomainError('NOT_FOUND', 'Technician not found.');
      return {
        id: p.id,
        name: p.name,
        photoUrl: p.photo_url,
        bio: p.bio,
        // Until they say which languages they speak, the one their app is in.
        languages: languages.length ? languages : [p.locale],
        verified: p.verification === 'verified',
        memberSince: new Date(p.created_at).toISOString(),
        jobsCompleted: Number(p.jobs),
        rating: ratingSummary(Number(p.rating_sum), Number(p.rating_count)),
        topTags: tags.map((t) => ({ tag: t.tag as ReviewTag, count: t.count })),
        availableNow: Boolean(p.available),
        services: svc.map((s) => ({
          id: s.id,
          slug: s.slug,
          categoryId: s.categoryId,
          name: { en: s.nameEn, ar: s.nameAr },
          priceUnit: s.priceUnit,
          durationMinutes: s.durationMinutes,
          price: money(s.ownPrice ?? s.basePrice, s.currency),
          catalogPrice: money(s.basePrice, s.currency),
        })),
        area:
          p.area_lat === null || p.area_lng === null
            ? null
            : {
                lat: Number(p.area_lat),
                lng: Number(p.area_lng),
                approximateMeters: AREA_APPROXIMATE_METERS,
              },
      };
    },

    async search(input: z.output<typeof searchTechniciansInput>): Promise<TechnicianSearchPage> {
      const sort = input.sort ?? 'best';
      const limit = input.limit ?? PAGE;
      const at = { lat: input.lat, lng: input.lng };
      const filter: SearchFilter = {
        at,
        radiusMeters: (input.radiusKm ?? DEFAULT_RADIUS_KM) * 1000,
        serviceId: input.serviceId,
        categoryId: input.categoryId,
        words: queryWords(input.q),
        minRating: input.minRating,
        maxPrice: input.maxPrice,
        sort,
        after: decodeSearchCursor(input.cursor, sort),
        presentAfter: presentAfter(),
      };
      const cursorOf = (r: SearchRow) =>
        encodeSearchCursor({ s: sort, a: String(r.k1), b: String(r.k2), i: r.id });
      const jobsOf = (rows: SearchRow[]) =>
        rows.map((r) => ({ id: r.id, durationMs: Number(r.duration_minutes) * 60_000 }));
      let page: SearchRow[];
      let nextCursor: string | null;
      if (input.availableAt && deps.schedule) {
        // Calendars are checked in code (the schedule module's rules), so rows are read in batches; the
        // cursor is the last row looked at, so the next page neither repeats nor skips anyone.
        const start = Date.parse(input.availableAt);
        page = [];
        nextCursor = null;
        let after = filter.after;
        let last: SearchRow | undefined;
        let more = false;
        for (let round = 0; round < AVAILABLE_ROUNDS && !more; round++) {
          const rows = await repo.search({ ...filter, after }, AVAILABLE_BATCH);
          const free = await deps.schedule.freeTimes(jobsOf(rows), at, {
            start,
            horizonMs: AVAILABILITY_HORIZON_MS,
          });
          for (const r of rows) {
            if (page.length === limit) {
              more = true;
              break;
            }
            last = r;
            if (free.get(r.id)?.freeAtStart) page.push(r);
          }
          if (rows.length < AVAILABLE_BATCH && !more) {
            last = undefined; // everything was looked at
            break;
          }
          if (last) after = { k1: String(last.k1), k2: String(last.k2), id: last.id };
        }
        nextCursor = last ? cursorOf(last) : null;
      } else {
        const rows = await repo.search(filter, limit + 1);
        page = rows.slice(0, limit);
        const last = page.at(-1);
        nextCursor = rows.length > limit && last ? cursorOf(last) : null;
      }
      const next = deps.schedule
        ? await deps.schedule.freeTimes(jobsOf(page), at, { horizonMs: AVAILABILITY_HORIZON_MS })
        : undefined;
      return {
        items: page.map((r) => ({
          ...toCard(r, !input.serviceId),
          nextAvailableAt: next?.get(r.id)?.next ?? null,
        })),
        nextCursor,
      };
    },

    async setLanguages(technicianId: string, languages: string[]) {
      await repo.setLanguages(technicianId, languages);
      return { languages };
    },

    async addFavorite(user: NonNullable<Caller>, technicianId: string) {
      await assertVisible(technicianId, user);
      try {
        await repo.addFavorite(user.id, technicianId);
      } catch (e) {
        // The technician's profile went away between the check and the insert.
        if (pgErrorCode(e).code === '23503') throw new DomainError('NOT_FOUND', 'Technician not found.');
        throw e;
      }
      return { technicianId, favorite: true };
    },

    async removeFavorite(user: NonNullable<Caller>, technicianId: string) {
      await repo.removeFavorite(user.id, technicianId);
      return { technicianId, favorite: false };
    },

    isFavorite: (user: NonNullable<Caller>, technicianId: string) => repo.isFavorite(user.id, technicianId),

    async favorites(user: NonNullable<Caller>, cursor: string | undefined): Promise<FavoritePage> {
      const after = decodeKeyset(cursor);
      const limit = 50;
      const rows = await repo.favorites(user.id, after, limit + 1);
      const page = rows.slice(0, limit);
      const cards = new Map(
        (
          await repo.cards(
            page.map((r) => r.id),
            presentAfter(),
          )
        ).map((c) => [c.id, c]),
      );
      const last = page.at(-1);
      return {
        items: page.flatMap((r) => {
          const c = cards.get(r.id);
          return c ? [{ ...toCard(c, true), savedAt: r.savedAt.toISOString() }] : [];
        }),
        nextCursor: rows.length > limit && last ? encodeKeyset({ at: last.key, id: last.id }) : null,
      };
    },
  };
}

export type SearchService = ReturnType<typeof createSearchService>;

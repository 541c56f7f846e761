import { z } from 'zod';
import type { Money, PriceUnit } from './catalog';
import { latSchema, lngSchema } from './geo';
import type { ReviewTag } from './review';
import { CONTROL_CHARACTERS_MESSAGE, SINGLE_LINE_TEXT } from './text';

export const searchSorts = ['best', 'distance', 'rating', 'price'] as const;
export type SearchSort = (typeof searchSorts)[number];

export const searchTechniciansInput = z.object({
  lat: latSchema,
  lng: lngSchema,
  serviceId: z.uuid().optional(),
  categoryId: z.uuid().optional(),
  /** Words matched in names, bios and service names, English and Arabic (Arabic spelling normalised). */
  q: z.string().trim().max(100).regex(SINGLE_LINE_TEXT, CONTROL_CHARACTERS_MESSAGE).optional(),
  /** Average stars at least this (technicians without reviews are left out when set). */
  minRating: z.number().min(1).max(5).optional(),
  /** In minor units of the service's currency: the price for `serviceId`, else their cheapest service. */
  maxPrice: z.number().int().positive().max(100_000_000).optional(),
  /** Only technicians at work then: working hours, no time off, no reserved job (with its drive) in the way. */
  availableAt: z.iso.datetime({ offset: true }).optional(),
  sort: z.enum(searchSorts).optional(),
  /** How far to look (default 30 km). */
  radiusKm: z.number().min(1).max(100).optional(),
  cursor: z.string().max(300).optional(),
  limit: z.number().int().min(1).max(50).optional(),
});
export type SearchTechniciansInput = z.input<typeof searchTechniciansInput>;

/**
 * Stars as shown (`average`, one decimal, null before the first published review) and the score used for
 * ranking (`score`: a Bayesian average, see server/modules/review/rating.ts).
 */
export type RatingSummary = { average: number | null; count: number; score: number };

/** A technician in search results and favourites. */
export type TechnicianCard = {
  id: string;
  name: string;
  photoUrl: string | null;
  rating: RatingSummary;
  /** From the point searched to the technician's approximate area (~1 km grid), rounded to 100 m. */
  distanceMeters: number | null;
  /** Online and heard from recently. */
  availableNow: boolean;
  /** Their price for the service searched; otherwise the cheapest of what they offer (`from`). */
  price: (Money & { unit: PriceUnit; from: boolean }) | null;
  services: Array<{ id: string; name: { en: string; ar: string } }>;
  /** Their approximate area (the ~1.1 km grid point; the profile's `area`), for a map of results. */
  area: { lat: number; lng: number } | null;
  /**
   * Search only: the start of their next free slot for the priced service at the point searched, within
   * 7 days (working hours, time off, reserved jobs and the drives between); null when none.
   */
  nextAvailableAt?: string | null;
};

export type TechnicianSearchPage = { items: TechnicianCard[]; nextCursor: string | null };

export const technicianProfileInput = z.object({ technicianId: z.uuid() });

export type PublicTechnicianProfile = {
  id: string;
  name: string;
  photoUrl: string | null;
  bio: string;
  /** ISO 639 codes of the languages they speak. */
  languages: string[];
  verified: boolean;
  memberSince: string;
  jobsCompleted: number;
  rating: RatingSummary;
  /** The praise customers tick most often. */
  topTags: Array<{ tag: ReviewTag; count: number }>;
  availableNow: boolean;
  /** Each service with THEIR price (their own, or the catalogue's when they set none). */
  services: Array<{
    id: string;
    slug: string;
    categoryId: string;
    name: { en: string; ar: string };
    priceUnit: PriceUnit;
    durationMinutes: number;
    price: Money;
    catalogPrice: Money;
  }>;
  /** Roughly where they work: their last known position snapped to a ~1.1 km grid, never the live one. */
  area: { lat: number; lng: number; approximateMeters: number } | null;
};

export const setLanguagesInput = z.object({
  languages: z
    .array(
      z
        .string()
        .trim()
        .toLowerCase()
        .regex(/^[a-z]{2,3}$/, 'An ISO 639 language code'),
    )
    .max(10)
    .transform((l) => [...new Set(l)]),
});

export const favoriteInput = z.object({ technicianId: z.uuid() });
export const listFavoritesInput = z.object({ cursor: z.string().max(200).optional() }).optional();
export type FavoritePage = { items: Array<TechnicianCard & { savedAt: string }>; nextCursor: string | null };

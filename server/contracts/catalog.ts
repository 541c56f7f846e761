import { z } from 'zod';

export const priceUnits = ['fixed', 'hourly'] as const;
export type PriceUnit = (typeof priceUnits)[number];

/** Money is integer minor units (kobo, piastres) plus an ISO 4217 currency code; never floats. */
export type Money = { amount: number; currency: string };

export type Category = {
  id: string;
  slug: string;
  name: { en: string; ar: string };
  description: { en: string; ar: string };
  icon: string;
};

export type Service = {
  id: string;
  categoryId: string;
  slug: string;
  name: { en: string; ar: string };
  description: { en: string; ar: string };
  basePrice: Money;
  /** What a technician's own price may be (the catalogue's bounds; null: no bound that side). */
  minPrice: Money | null;
  maxPrice: Money | null;
  priceUnit: PriceUnit;
  durationMinutes: number;
  emergencySurchargePct: number;
  market: string;
};

/** `market`: only the categories with an active service in that market (a market's slug). */
export const categoriesInput = z
  .object({
    market: z
      .string()
      .regex(/^[a-z0-9-]{1,40}$/)
      .optional(),
  })
  .optional();

export const servicesInput = z
  .object({
    categoryId: z.uuid().optional(),
    /** A market's slug (`market.list`); the deployment's default market when absent. */
    market: z
      .string()
      .regex(/^[a-z0-9-]{1,40}$/)
      .optional(),
  })
  .optional();

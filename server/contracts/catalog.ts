import { z } from 'zod';

/** A market's slug (`market.list`), wherever an input names a market. */
export const marketSlugSchema = z.string().regex(/^[a-z0-9-]{1,40}$/);

export const priceUnits = ['fixed', 'hourly'] as const;
export type PriceUnit = (typeof priceUnits)[number];

// Output schemas (issue 17 §3): what the procedures answer, checked by `.output()` and published at /docs.

/** An ISO 8601 instant as the server writes it (`Date.toISOString()`). */
export const instantSchema = z.string().meta({ format: 'date-time' });
/** Text in both of the app's languages. */
export const localizedSchema = z.object({ en: z.string(), ar: z.string() });

/** Money is integer minor units (kobo, piastres) plus an ISO 4217 currency code; never floats. */
export const moneySchema = z
  .object({ amount: z.number().int(), currency: z.string() })
  .meta({ description: 'Integer minor units (kobo, piastres) and an ISO 4217 currency code.' });
export type Money = z.infer<typeof moneySchema>;

export const categorySchema = z.object({
  id: z.string(),
  slug: z.string(),
  name: localizedSchema,
  description: localizedSchema,
  icon: z.string(),
});
export type Category = z.infer<typeof categorySchema>;

export const serviceSchema = z.object({
  id: z.string(),
  categoryId: z.string(),
  slug: z.string(),
  name: localizedSchema,
  description: localizedSchema,
  basePrice: moneySchema,
  /** What a technician's own price may be (the catalogue's bounds; null: no bound that side). */
  minPrice: moneySchema.nullable(),
  maxPrice: moneySchema.nullable(),
  priceUnit: z.enum(priceUnits),
  durationMinutes: z.number(),
  emergencySurchargePct: z.number(),
  market: z.string(),
});
export type Service = z.infer<typeof serviceSchema>;

/** `market`: only the categories with an active service in that market (a market's slug). */
export const categoriesInput = z
  .object({
    market: marketSlugSchema.optional(),
  })
  .optional();

export const servicesInput = z
  .object({
    categoryId: z.uuid().optional(),
    /** A market's slug (`market.list`); the deployment's default market when absent. */
    market: marketSlugSchema.optional(),
  })
  .optional();

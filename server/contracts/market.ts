import { z } from 'zod';
import { localizedSchema } from './catalog';
import { latSchema, lngSchema } from './geo';

/** Where Fundi works: each market's outline is GeoJSON MultiPolygon coordinates ([lng, lat]). */
export const marketSchema = z.object({
  slug: z.string(),
  name: localizedSchema,
  currency: z.string(),
  timeZone: z.string(),
  defaultLocale: z.enum(['en', 'ar']),
  boundary: z
    .array(z.array(z.array(z.array(z.number()))))
    .meta({ description: 'GeoJSON MultiPolygon coordinates ([lng, lat]).' }),
  /** [lat, lng] of the outline's centre (for the map's first view). */
  center: z.tuple([z.number(), z.number()]).meta({ description: "[lat, lng] of the outline's centre." }),
});
export type Market = z.infer<typeof marketSchema>;

export const locateInput = z.object({ lat: latSchema, lng: lngSchema });

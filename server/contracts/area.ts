import { z } from 'zod';
import { marketSlugSchema } from './catalog';
import { latSchema, lngSchema } from './geo';

/** A polygon's outer ring as [lng, lat] pairs (GeoJSON order); closed by the server if it is not. */
const ring = z
  .array(z.tuple([lngSchema, latSchema]))
  .min(3, 'An area needs at least 3 corners')
  .max(200, 'An area has at most 200 corners');

export const areaInput = z.union([
  z.object({ market: marketSlugSchema, zone: z.string().regex(/^[a-z0-9-]{1,40}$/) }),
  z.object({ name: z.string().trim().min(1).max(80), polygon: ring }),
]);
export const setAreasInput = z.object({ areas: z.array(areaInput).max(10) });
export const zonesInput = z.object({ market: marketSlugSchema });

/** Why `technician.setAreas` refused an area (VALIDATION, `details: { index, reason }`): the UI words each. */
export const areaRejectionReasons = ['invalid', 'outside', 'zone', 'too_large'] as const;
export type AreaRejectionReason = (typeof areaRejectionReasons)[number];

export type ServiceArea = {
  id: string;
  /** As typed for a drawn area; a picked zone's English name. */
  name: string;
  /** What to show: a picked zone's name in both languages; a drawn area's name as typed (both alike). */
  localName: { en: string; ar: string };
  zone: string | null;
  /** GeoJSON Polygon coordinates ([lng, lat]). */
  polygon: number[][][];
};

export const zoneSchema = z.object({
  slug: z.string(),
  name: z.object({ en: z.string(), ar: z.string() }),
  surchargePct: z.number(),
  /** GeoJSON Polygon coordinates ([lng, lat]). */
  polygon: z.array(z.array(z.array(z.number()))),
});
export type Zone = z.infer<typeof zoneSchema>;

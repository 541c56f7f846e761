import { z } from 'zod';
import { latSchema, lngSchema } from './geo';

/** Where Fundi works: each market's outline is GeoJSON MultiPolygon coordinates ([lng, lat]). */
export type Market = {
  slug: string;
  name: { en: string; ar: string };
  currency: string;
  timeZone: string;
  defaultLocale: 'en' | 'ar';
  boundary: number[][][][];
  /** [lat, lng] of the outline's centre (for the map's first view). */
  center: [number, number];
};

export const locateInput = z.object({ lat: latSchema, lng: lngSchema });

import { z } from 'zod';

export const latSchema = z.number().finite().min(-90).max(90);
export const lngSchema = z.number().finite().min(-180).max(180);
/** A WGS84 position from a client. (0,0) is a GPS failure, not a place our users are. */
export const positionSchema = z
  .object({ lat: latSchema, lng: lngSchema })
  .refine((p) => !(p.lat === 0 && p.lng === 0), {
    message: 'Position (0,0) is not a real location',
    path: ['lat'],
  });
export type Position = z.infer<typeof positionSchema>;

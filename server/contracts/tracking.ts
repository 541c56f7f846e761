import { z } from 'zod';
import { instantSchema } from './catalog';
import { latSchema, lngSchema } from './geo';

export const watchInput = z.object({ bookingId: z.uuid(), lastEventId: z.string().max(50).nullish() });
export const nearbyInput = z.object({ lat: latSchema, lng: lngSchema, serviceId: z.uuid().optional() });

/** Why the server refused a location fix (`tracking.update` answers with the last one, or null). */
export const fixRejectionReasons = [
  'range',
  'null_island',
  'inaccurate',
  'future',
  'stale',
  'duplicate',
  'implausible_speed',
] as const;
export type FixRejectionReason = (typeof fixRejectionReasons)[number];

/** What a customer's map receives about their technician. */
export const livePositionSchema = z.object({
  lat: z.number(),
  lng: z.number(),
  accuracy: z.number().nullable(),
  heading: z.number().nullable(),
  speed: z.number().nullable(),
  recordedAt: instantSchema,
  /** No fix for a while: show "last seen …" instead of pretending. */
  stale: z.boolean(),
  etaSeconds: z.number(),
  distanceMeters: z.number(),
});
export type LivePosition = z.infer<typeof livePositionSchema>;

/** `tracking.trail`: the route so far, oldest first (at most 2,000 points). */
export const trailSchema = z.array(z.object({ lng: z.number(), lat: z.number(), at: instantSchema }));
export type TrailPoint = z.infer<typeof trailSchema>[number];

/** Available technicians around a point, coarsened: counts and ~300 m cells, no identities. */
export type Nearby = { count: number; cells: Array<{ lat: number; lng: number; count: number }> };

/** One online technician on the admin's live map. `recordedAt` is null before their first fix since start. */
export type OnlineTechnician = {
  id: string;
  name: string;
  lat: number;
  lng: number;
  available: boolean;
  /** Online, but no server has heard from them lately (no open connection, no recent fix): no offers. */
  away: boolean;
  recordedAt: string | null;
  stale: boolean;
};
/**
 * `tracking.online`: every online technician (up to `technicians.length`); `total` counts those present
 * (heard from), `away` those online but silent.
 */
export type OnlineSnapshot = { total: number; away: number; technicians: OnlineTechnician[] };

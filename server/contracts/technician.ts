import { z } from 'zod';
import type { Money } from './catalog';
import { latSchema, lngSchema } from './geo';
import { CONTROL_CHARACTERS_MESSAGE, MULTI_LINE_TEXT } from './text';

export const verificationStatuses = ['pending', 'verified', 'rejected', 'suspended'] as const;
export type VerificationStatus = (typeof verificationStatuses)[number];

export type TechnicianProfile = {
  userId: string;
  name: string;
  bio: string;
  photoUrl: string | null;
  verification: VerificationStatus;
  verificationNote: string | null;
  rating: { average: number | null; count: number };
  online: boolean;
  /**
   * `available`: online and heard from (open connection or a recent fix): offered jobs. `away`: online,
   * but no server has heard from them for PRESENCE_TIMEOUT_SECONDS. `offline`: not online.
   */
  presence: 'available' | 'away' | 'offline';
  location: { lat: number; lng: number; accuracy: number | null; at: string } | null;
  services: Array<{ serviceId: string; price: Money | null }>;
};

/**
 * The bio only. The photo comes through an upload (`technician.setPhoto`): strict, so an old client that
 * still sends a `photoUrl` link is told (BAD_REQUEST) rather than silently ignored.
 */
export const updateProfileInput = z
  .object({
    bio: z.string().trim().max(1000).regex(MULTI_LINE_TEXT, CONTROL_CHARACTERS_MESSAGE).optional(),
  })
  .strict();

export const setServicesInput = z.object({
  services: z
    .array(z.object({ serviceId: z.uuid(), price: z.number().int().positive().max(100_000_000).optional() }))
    .max(50),
});

export const setOnlineInput = z
  .object({ online: z.boolean(), lat: latSchema.optional(), lng: lngSchema.optional() })
  .refine((v) => !v.online || (v.lat !== undefined && v.lng !== undefined), {
    message: 'Going online needs your position',
    path: ['lat'],
  });

export const trackingPointSchema = z.object({
  lat: latSchema,
  lng: lngSchema,
  accuracy: z.number().nonnegative().max(100_000).optional(),
  heading: z.number().min(0).max(360).optional(),
  speed: z.number().nonnegative().max(1000).optional(),
  recordedAt: z.iso.datetime({ offset: true }),
});
export const trackingUpdateInput = z.object({
  points: z.array(trackingPointSchema).min(1).max(100),
  /** The device's clock when it sent this call: lets the server correct a wrong phone clock exactly. */
  sentAt: z.iso.datetime({ offset: true }).optional(),
});

export type TrackingUpdateInput = z.output<typeof trackingUpdateInput>;

/** zod's own pattern for `z.iso.datetime({ offset: true })`, so the quick check accepts exactly what it does. */
const ISO_DATETIME: RegExp = (z.iso.datetime({ offset: true }) as unknown as { _zod: { pattern: RegExp } })
  ._zod.pattern;
const POINT_KEYS = new Set(['lat', 'lng', 'accuracy', 'heading', 'speed', 'recordedAt']);
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const optNum = (v: unknown, min: number, max: number) =>
  v === undefined || (isNum(v) && v >= min && v <= max);

/**
 * Hot path (issue 15 §7): tracking.update's input checked by hand, for the one shape phones send: plain
 * objects with only the schema's keys, every value valid. Returns the same value `trackingUpdateInput.parse`
 * would (no unknown keys to strip, no defaults or transforms), or undefined for anything else, which then
 * goes through zod for its exact error (or its stripping of unknown keys). The only strings are ISO
 * datetimes matched by zod's own pattern, so no control character can pass either. No allocation: the
 * input object itself is returned (zod would return an equal copy). contracts/technician.unit.test.ts
 * holds it to zod's verdict.
 */
export function quickTrackingUpdate(input: unknown): TrackingUpdateInput | undefined {
  if (typeof input !== 'object' || input === null || Object.getPrototypeOf(input) !== Object.prototype)
    return;
  const o = input as Record<string, unknown>;
  let keys = 0;
  for (const k in o) {
    if (k !== 'points' && k !== 'sentAt') return;
    keys++;
  }
  const { points, sentAt } = o;
  if (keys === 2 && sentAt === undefined) return; // an explicit undefined key: let zod decide
  if (sentAt !== undefined && (typeof sentAt !== 'string' || !ISO_DATETIME.test(sentAt))) return;
  if (!Array.isArray(points) || points.length < 1 || points.length > 100) return;
  for (let i = 0; i < points.length; i++) {
    const p: unknown = points[i];
    if (typeof p !== 'object' || p === null || Object.getPrototypeOf(p) !== Object.prototype) return;
    const q = p as Record<string, unknown>;
    for (const k in q) if (!POINT_KEYS.has(k) || q[k] === undefined) return;
    const { lat, lng, recordedAt } = q;
    if (!isNum(lat) || lat < -90 || lat > 90 || !isNum(lng) || lng < -180 || lng > 180) return;
    if (!optNum(q.accuracy, 0, 100_000) || !optNum(q.heading, 0, 360) || !optNum(q.speed, 0, 1000)) return;
    if (typeof recordedAt !== 'string' || !ISO_DATETIME.test(recordedAt)) return;
  }
  return input as TrackingUpdateInput;
}

/** What a technician sees in an offer: no exact address until they accept. */
export type Offer = {
  offerId: string;
  bookingId: string;
  service: { id: string; name: { en: string; ar: string } };
  price: Money;
  earnings: Money;
  distanceMeters: number;
  /** Roughly where (a point snapped to ~1 km), for a map or "3.2 km away". */
  area: { lat: number; lng: number };
  scheduledFor: string | null;
  expiresAt: string;
};

/** `technician.offers` yields these: a new offer, or one that closed (expired, taken, withdrawn). */
export type OfferEvent =
  | { type: 'offer'; offer: Offer }
  | { type: 'closed'; offerId: string; bookingId: string };

export const setVerificationInput = z.object({
  technicianId: z.uuid(),
  status: z.enum(verificationStatuses),
  note: z.string().trim().max(500).regex(MULTI_LINE_TEXT, CONTROL_CHARACTERS_MESSAGE).optional(),
});

export const listTechniciansInput = z
  .object({ verification: z.enum(verificationStatuses).optional(), cursor: z.string().max(200).optional() })
  .optional();

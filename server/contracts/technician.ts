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

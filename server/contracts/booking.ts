import { z } from 'zod';
import { type BookingStatus, bookingStatuses } from '#shared/booking';
import { phoneSchema } from './auth';
import type { Money } from './catalog';
import { latSchema, lngSchema } from './geo';
import { type PaymentMethod, paymentMethods } from './payment';
import { CONTROL_CHARACTERS_MESSAGE, MULTI_LINE_TEXT, SINGLE_LINE_TEXT } from './text';

export { type BookingStatus, bookingStatuses };

/** One surcharge in a price: the emergency rate of the service, or the zone the job is in (issue 13 §2). */
export type PriceLine = {
  kind: 'emergency' | 'zone';
  /** Percent of the base (null when not known, e.g. an emergency rate changed since booking). */
  pct: number | null;
  zone: { slug: string; name: { en: string; ar: string } } | null;
  amount: Money;
};

export type PriceBreakdown = {
  base: Money;
  surcharge: Money;
  total: Money;
  commission: Money;
  technicianEarnings: Money;
  /** What `surcharge` is made of, one line each (absent or empty: none). */
  lines?: PriceLine[];
};

const scheduledFor = z.iso
  .datetime({ offset: true })
  .refine((s) => Date.parse(s) > Date.now() - 60_000, 'Scheduled time is in the past')
  .refine(
    (s) => Date.parse(s) < Date.now() + 90 * 24 * 3600_000,
    'Scheduled time is more than 90 days ahead',
  );

export const quoteInput = z.object({
  serviceId: z.uuid(),
  lat: latSchema,
  lng: lngSchema,
  scheduledFor: scheduledFor.optional(),
  emergency: z.boolean().optional(),
  /** A chosen technician (`booking.create({ technicianId })`): the quote is at THEIR price. */
  technicianId: z.uuid().optional(),
});

export type Quote = {
  /**
   * With `technicianId`: at that technician's own price (or the list price if they set none). Without:
   * at the lowest of what the technicians who could serve would charge (`priceRange.from`; the list
   * price when nobody is around); the one who accepts charges their own.
   */
  price: PriceBreakdown;
  /** Totals across the technicians available now (their own prices and the list price); null when none. */
  priceRange: { from: Money; to: Money } | null;
  availableTechnicians: number;
  nearest: { distanceMeters: number; etaSeconds: number } | null;
};

/**
 * Who meets the technician on site when the customer is not there (issue 17 §1): an organisation's
 * bookings must say (the front desk, a tenant); anyone may give one when booking for someone else.
 */
export const siteContactSchema = z.object({
  name: z
    .string()
    .trim()
    .min(1, 'Enter the contact’s name')
    .max(100)
    .regex(SINGLE_LINE_TEXT, CONTROL_CHARACTERS_MESSAGE),
  phone: phoneSchema,
});

export const createBookingInput = z.object({
  serviceId: z.uuid(),
  lat: latSchema,
  lng: lngSchema,
  address: z
    .string()
    .trim()
    .min(3, 'Enter the address')
    .max(300)
    .regex(SINGLE_LINE_TEXT, CONTROL_CHARACTERS_MESSAGE),
  addressDetails: z.string().trim().max(300).regex(SINGLE_LINE_TEXT, CONTROL_CHARACTERS_MESSAGE).optional(),
  notes: z.string().trim().max(1000).regex(MULTI_LINE_TEXT, CONTROL_CHARACTERS_MESSAGE).optional(),
  scheduledFor: scheduledFor.optional(),
  emergency: z.boolean().optional(),
  /** A technician the customer chose (search, profile, "book again"): offered the job first. */
  technicianId: z.uuid().optional(),
  /** With a chosen technician: if they decline or let it lapse, offer the nearest (default) or stop. */
  fallbackToNearest: z.boolean().optional(),
  /** How the customer means to pay (default cash); they may change it at checkout. */
  paymentMethod: z.enum(paymentMethods).optional(),
  /** The person on site; required when an organisation books (through its API key). */
  siteContact: siteContactSchema.optional(),
  /** A client-generated key (e.g. a UUID): retries with the same key return the same booking. */
  idempotencyKey: z.string().min(8).max(100).regex(SINGLE_LINE_TEXT, CONTROL_CHARACTERS_MESSAGE),
});

export const bookingIdInput = z.object({ id: z.uuid() });
export const listBookingsInput = z
  .object({
    status: z.enum(bookingStatuses).optional(),
    cursor: z.string().max(200).optional(),
    limit: z.number().int().min(1).max(50).optional(),
  })
  .optional();
export const cancelBookingInput = z.object({
  id: z.uuid(),
  reason: z.string().trim().min(1).max(500).regex(MULTI_LINE_TEXT, CONTROL_CHARACTERS_MESSAGE),
});
export const advanceBookingInput = z.object({
  id: z.uuid(),
  to: z.enum(['en_route', 'arrived', 'in_progress', 'completed']),
  /**
   * "Arrived" although the newest location fix is far from the job (the technician knows better: bad GPS,
   * a gate far from the pin). Without it such an arrival is refused with ARRIVAL_FAR.
   */
  confirmFar: z.boolean().optional(),
  /** Hourly services, with `to: 'completed'`: bill fewer minutes than worked (never more). */
  billedMinutes: z.number().int().min(1).max(1440).optional(),
});
export const disputeBookingInput = z.object({
  id: z.uuid(),
  reason: z.string().trim().min(1).max(1000).regex(MULTI_LINE_TEXT, CONTROL_CHARACTERS_MESSAGE),
});
export const declineInput = z.object({
  id: z.uuid(),
  reason: z.string().trim().max(500).regex(MULTI_LINE_TEXT, CONTROL_CHARACTERS_MESSAGE).optional(),
});
export const bookingEventsInput = z.object({ id: z.uuid(), lastEventId: z.string().max(50).nullish() });

export type Party = {
  id: string;
  name: string;
  phone: string | null;
  photoUrl: string | null;
  rating: number | null;
};

export type Booking = {
  id: string;
  status: BookingStatus;
  service: { id: string; name: { en: string; ar: string }; durationMinutes: number };
  /** The market (city) whose catalogue priced the job: `lagos`, `cairo`, … */
  market: string;
  customer: Party;
  technician: Party | null;
  /** The exact place: only for the customer, the assigned technician and admins. */
  location: { lat: number; lng: number; address: string; details: string | null };
  /**
   * The person the technician meets on site (organisations' bookings; null when not given). Like the
   * parties' phones, `phone` is there only while the job is on (assigned … in progress).
   */
  siteContact: { name: string; phone: string | null } | null;
  notes: string | null;
  scheduledFor: string | null;
  emergency: boolean;
  price: PriceBreakdown;
  /** The technician the customer chose (offered first), and whether the nearest may take over. */
  chosenTechnicianId: string | null;
  fallbackToNearest: boolean;
  /** The customer's chosen way to pay (payment_method enum; see server/contracts/payment.ts). */
  paymentMethod: PaymentMethod;
  cancelReason: string | null;
  disputeReason: string | null;
  createdAt: string;
  assignedAt: string | null;
  enRouteAt: string | null;
  arrivedAt: string | null;
  startedAt: string | null;
  completedAt: string | null;
  cancelledAt: string | null;
  updatedAt: string;
};

export type BookingHistoryEntry = {
  id: string;
  from: BookingStatus | null;
  to: BookingStatus;
  by: { id: string | null; role: 'customer' | 'technician' | 'admin' | 'system' };
  reason: string | null;
  at: string;
};

/** `booking.events` yields the booking as it is now, tracked by the id of its latest history row. */
export type BookingEvent = { booking: Booking; change: BookingHistoryEntry | null };

export type BookingPage = { items: Booking[]; nextCursor: string | null };

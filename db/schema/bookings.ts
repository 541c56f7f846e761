import { sql } from 'drizzle-orm';
import {
  bigserial,
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { bookingStatuses } from '#shared/booking';
import { services } from './catalog';
import { createdAt, geographyPoint, updatedAt } from './columns';
import { users } from './users';

export const bookingStatus = pgEnum('booking_status', bookingStatuses);
export const paymentMethod = pgEnum('payment_method', ['cash', 'paystack', 'stripe', 'paymob']);
export const actorRole = pgEnum('actor_role', ['customer', 'technician', 'admin', 'system']);
export const offerStatus = pgEnum('offer_status', [
  'offered',
  'accepted',
  'declined',
  'expired',
  'withdrawn',
]);

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export const bookings = pgTable(
  'bookings',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    customerId: uuid('customer_id')
      .notNull()
      .references(() => users.id),
    serviceId: uuid('service_id')
      .notNull()
      .references(() => services.id),
    technicianId: uuid('technician_id').references(() => users.id),
    status: bookingStatus('status').notNull().default('searching'),
    location: geographyPoint('location').notNull(),
    address: text('address').notNull(),
    addressDetails: text('address_details'),
    notes: text('notes'),
    /** The on-site contact (issue 17 §1: organisations' bookings); both or neither. */
    siteContactName: text('site_contact_name'),
    siteContactPhone: text('site_contact_phone'),
    scheduledFor: ts('scheduled_for'),
    /** scheduled_for + the service's duration: stored because index expressions must be immutable. */
    scheduledEnd: ts('scheduled_end'),
    /**
     * The technician whose calendar this booking blocks, and for how long (issue 12 §5): the job plus the
     * travel to it from their previous job and a buffer. Set when a chosen technician's slot is booked and
     * when a scheduled job is accepted; an exclusion constraint keeps one technician's reservations apart.
     */
    reservedFor: uuid('reserved_for').references(() => users.id),
    reservedFrom: ts('reserved_from'),
    reservedTo: ts('reserved_to'),
    emergency: boolean('emergency').notNull().default(false),
    currency: text('currency').notNull(),
    priceBase: integer('price_base').notNull(),
    priceSurcharge: integer('price_surcharge').notNull(),
    priceTotal: integer('price_total').notNull(),
    commission: integer('commission').notNull(),
    technicianEarnings: integer('technician_earnings').notNull(),
    /** The market zone whose surcharge is in `price_surcharge` (issue 13 §2), with its rate when booked. */
    zoneSurcharge: jsonb('zone_surcharge').$type<{
      slug: string;
      nameEn: string;
      nameAr: string;
      pct: number;
    }>(),
    /** The market's commission rate when booked: the price is re-cut with it if the technician's own price applies. */
    commissionBps: integer('commission_bps').notNull().default(1500),
    /** The technician the customer chose (issue 12 §4): offered first. */
    preferredTechnicianId: uuid('preferred_technician_id').references(() => users.id),
    /** If the chosen technician declines or lets the offer lapse: offer the nearest instead (else unfulfilled). */
    fallbackToNearest: boolean('fallback_to_nearest').notNull().default(true),
    paymentMethod: paymentMethod('payment_method').notNull().default('cash'),
    /**
     * Made with a test-mode API key (`fk_test_`, issue 17 §3): never offered to real technicians, served
     * by a simulated one inside the server, and left out of analytics.
     */
    sandbox: boolean('sandbox').notNull().default(false),
    idempotencyKey: text('idempotency_key').notNull(),
    requestHash: text('request_hash').notNull(),
    cancelReason: text('cancel_reason'),
    disputeReason: text('dispute_reason'),
    createdAt: createdAt(),
    /**
     * When the analytics day of `created_at` (in its market's time zone) counts as closed: an hour before
     * the next local midnight (migration 0043). Until then a change of the booking has no closed day to
     * mark, and its analytics trigger is not called. Null: not known (always called, as before).
     */
    analyticsDayClosesAt: ts('analytics_day_closes_at'),
    assignedAt: ts('assigned_at'),
    enRouteAt: ts('en_route_at'),
    arrivedAt: ts('arrived_at'),
    startedAt: ts('started_at'),
    completedAt: ts('completed_at'),
    cancelledAt: ts('cancelled_at'),
    updatedAt: updatedAt(),
  },
  (t) => [
    // One booking per idempotency key per customer, whatever the race.
    uniqueIndex('bookings_customer_idempotency_key').on(t.customerId, t.idempotencyKey),
    // At most one active on-demand job per technician.
    uniqueIndex('bookings_one_active_job_per_technician')
      .on(t.technicianId)
      .where(
        sql`${t.technicianId} IS NOT NULL AND ${t.scheduledFor} IS NULL AND ${t.status} IN ('assigned','en_route','arrived','in_progress')`,
      ),
    index('bookings_customer_created_idx').on(t.customerId, t.createdAt),
    index('bookings_technician_created_idx').on(t.technicianId, t.createdAt),
    index('bookings_status_idx').on(t.status),
    check(
      'bookings_assigned_has_technician',
      sql`${t.status} IN ('searching','unfulfilled','cancelled') OR ${t.technicianId} IS NOT NULL`,
    ),
    check(
      'bookings_site_contact_whole',
      sql`(${t.siteContactName} IS NULL) = (${t.siteContactPhone} IS NULL)`,
    ),
    check(
      'bookings_money_adds_up',
      sql`${t.priceTotal} = ${t.priceBase} + ${t.priceSurcharge} AND ${t.commission} + ${t.technicianEarnings} = ${t.priceTotal}`,
    ),
    check(
      'bookings_reservation_range',
      sql`(${t.reservedFor} IS NULL) = (${t.reservedFrom} IS NULL) AND (${t.reservedFrom} IS NULL) = (${t.reservedTo} IS NULL) AND (${t.reservedTo} IS NULL OR ${t.reservedTo} > ${t.reservedFrom})`,
    ),
    check(
      'bookings_schedule_range',
      sql`(${t.scheduledFor} IS NULL) = (${t.scheduledEnd} IS NULL) AND (${t.scheduledEnd} IS NULL OR ${t.scheduledEnd} > ${t.scheduledFor})`,
    ),
  ],
);

export const bookingStatusHistory = pgTable(
  'booking_status_history',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    bookingId: uuid('booking_id')
      .notNull()
      .references(() => bookings.id, { onDelete: 'cascade' }),
    fromStatus: bookingStatus('from_status'),
    toStatus: bookingStatus('to_status').notNull(),
    actorId: uuid('actor_id').references(() => users.id),
    actorRole: actorRole('actor_role').notNull(),
    reason: text('reason'),
    createdAt: createdAt(),
  },
  (t) => [index('booking_status_history_booking_idx').on(t.bookingId, t.id)],
);

export const dispatchOffers = pgTable(
  'dispatch_offers',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    bookingId: uuid('booking_id')
      .notNull()
      .references(() => bookings.id, { onDelete: 'cascade' }),
    technicianId: uuid('technician_id')
      .notNull()
      .references(() => users.id),
    status: offerStatus('status').notNull().default('offered'),
    distanceMeters: integer('distance_meters').notNull(),
    /** The base price for this technician (their own price for the service, else the booking's). */
    priceBase: integer('price_base'),
    offeredAt: createdAt(),
    expiresAt: ts('expires_at').notNull(),
    respondedAt: ts('responded_at'),
    reason: text('reason'),
  },
  (t) => [
    // A technician is asked at most once per booking …
    uniqueIndex('dispatch_offers_booking_technician_key').on(t.bookingId, t.technicianId),
    // … and a booking is offered to one technician at a time.
    uniqueIndex('dispatch_offers_one_open_per_booking').on(t.bookingId).where(sql`${t.status} = 'offered'`),
    // … and a technician holds at most one open offer (a rush must not park several bookings on one person).
    uniqueIndex('dispatch_offers_one_open_per_technician')
      .on(t.technicianId)
      .where(sql`${t.status} = 'offered'`),
    index('dispatch_offers_open_expiry_idx').on(t.expiresAt).where(sql`${t.status} = 'offered'`),
    index('dispatch_offers_technician_idx').on(t.technicianId, t.status),
  ],
);

export type BookingRow = typeof bookings.$inferSelect;
export type BookingHistoryRow = typeof bookingStatusHistory.$inferSelect;
export type OfferRow = typeof dispatchOffers.$inferSelect;

import { sql } from 'drizzle-orm';
import {
  boolean,
  check,
  index,
  integer,
  pgEnum,
  pgTable,
  primaryKey,
  real,
  text,
  timestamp,
  uuid,
} from 'drizzle-orm/pg-core';
import { services } from './catalog';
import { geographyPoint, updatedAt } from './columns';
import { users } from './users';

export const verificationStatus = pgEnum('verification_status', [
  'pending',
  'verified',
  'rejected',
  'suspended',
]);

export const technicianProfiles = pgTable(
  'technician_profiles',
  {
    userId: uuid('user_id')
      .primaryKey()
      .references(() => users.id, { onDelete: 'cascade' }),
    bio: text('bio').notNull().default(''),
    photoUrl: text('photo_url'),
    verification: verificationStatus('verification').notNull().default('pending'),
    verificationNote: text('verification_note'),
    ratingSum: integer('rating_sum').notNull().default(0),
    ratingCount: integer('rating_count').notNull().default(0),
    online: boolean('online').notNull().default(false),
    location: geographyPoint('location'),
    locationAccuracy: real('location_accuracy'),
    locationAt: timestamp('location_at', { withTimezone: true, mode: 'date' }),
    /**
     * Presence: when a server node last heard from them (an open WebSocket, refreshed every few seconds,
     * or a fix arriving). Online but not heard from for PRESENCE_TIMEOUT_SECONDS = away: no offers.
     */
    seenAt: timestamp('seen_at', { withTimezone: true, mode: 'date' }),
    /** When a node last confirmed their `technician.offers` subscription is live (null: nobody listens). */
    listeningAt: timestamp('listening_at', { withTimezone: true, mode: 'date' }),
    /**
     * When a node last heard from them in any way (an open WebSocket, its closing, a fix, going online).
     * Unlike `seen_at` it is not reset when their socket closes: a technician with a push subscription
     * heard from within PUSH_REACHABLE_MS is still offered jobs by push (a locked phone).
     */
    heardAt: timestamp('heard_at', { withTimezone: true, mode: 'date' }),
    updatedAt: updatedAt(),
  },
  (t) => [
    // Dispatch searches here: KNN (<->) over the GiST index, limited to available technicians.
    index('technician_profiles_location_gist')
      .using('gist', t.location)
      .where(sql`${t.online} AND ${t.verification} = 'verified'`),
    // Search looks for verified technicians, online or not (for later bookings): ST_DWithin over this one.
    index('technician_profiles_verified_location_gist')
      .using('gist', t.location)
      .where(sql`${t.verification} = 'verified'`),
    check('technician_online_needs_location', sql`NOT ${t.online} OR ${t.location} IS NOT NULL`),
  ],
);

/**
 * What text search matches (issue 12 §3): name, bio and the English and Arabic names of their services and
 * categories, normalised by fundi_search_norm. Kept by triggers (migrations 0032, 0038), trigram-indexed.
 * A table of its own, not a column of technician_profiles (issue 15 §7): every position the tracking flush
 * writes is a non-HOT update of the profile row, and with the trigram index on that row each one re-indexed
 * the ~100 trigrams of this text. pgbench, 500 positions per statement over 2,000 technicians: 40–46 ms with
 * the text on the row, 18–20 ms without (2026-11-30).
 */
export const technicianSearch = pgTable(
  'technician_search',
  {
    technicianId: uuid('technician_id')
      .primaryKey()
      .references(() => technicianProfiles.userId, { onDelete: 'cascade' }),
    searchText: text('search_text').notNull().default(''),
  },
  (t) => [
    // pg_trgm: `search_text LIKE '%word%'` is answered from this index.
    index('technician_search_trgm').using('gin', t.searchText.op('gin_trgm_ops')),
  ],
);

export const technicianServices = pgTable(
  'technician_services',
  {
    technicianId: uuid('technician_id')
      .notNull()
      .references(() => technicianProfiles.userId, { onDelete: 'cascade' }),
    serviceId: uuid('service_id')
      .notNull()
      .references(() => services.id, { onDelete: 'cascade' }),
    /** Optional custom price in the service's currency (minor units). */
    price: integer('price'),
  },
  (t) => [
    primaryKey({ columns: [t.technicianId, t.serviceId] }),
    index('technician_services_service_idx').on(t.serviceId),
    check('technician_services_price_positive', sql`${t.price} IS NULL OR ${t.price} > 0`),
  ],
);

export type TechnicianProfileRow = typeof technicianProfiles.$inferSelect;

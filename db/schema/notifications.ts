import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgEnum,
  pgSequence,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { createdAt } from './columns';
import { sessions } from './sessions';
import { users } from './users';

export const notificationChannel = pgEnum('notification_channel', ['push', 'sms', 'email']);
export const deliveryStatus = pgEnum('notification_delivery_status', ['pending', 'sent', 'failed']);

/** Order of the in-app feed: taken when a notification is dispatched (its id is taken at the change). */
export const notificationFeedSeq = pgSequence('notification_feed_seq');

/**
 * The outbox and the in-app feed in one table (issue 11 §2). A row is written in the transaction of the
 * change that caused it (a booking's status change, an offer, a chat message), so it commits or rolls back
 * with it. The worker then dispatches it (`dispatched_at`, `feed_seq`): the in-app feed shows it from then
 * on, and a delivery row per external channel the recipient wants is created in that same transaction.
 * `available_at` delays a notification (the review request after completion).
 */
export const notifications = pgTable(
  'notifications',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** The event (`offer`, `assigned`, … see server/contracts/notification.ts). */
    kind: text('kind').notNull(),
    /** Template parameters and where a tap leads (booking id, offer id, amounts). */
    data: jsonb('data').$type<Record<string, string | number | null>>().notNull(),
    /** Set: the same key never makes a second notification (a retried change). */
    dedupeKey: text('dedupe_key'),
    availableAt: timestamp('available_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    dispatchedAt: timestamp('dispatched_at', { withTimezone: true, mode: 'date' }),
    feedSeq: bigint('feed_seq', { mode: 'number' }),
    readAt: timestamp('read_at', { withTimezone: true, mode: 'date' }),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('notifications_dedupe_key').on(t.dedupeKey),
    uniqueIndex('notifications_feed_seq_key').on(t.feedSeq),
    index('notifications_user_feed_idx').on(t.userId, t.feedSeq),
    index('notifications_undispatched_idx').on(t.availableAt).where(sql`${t.dispatchedAt} IS NULL`),
    check('notifications_kind_length', sql`char_length(${t.kind}) BETWEEN 1 AND 40`),
  ],
);

/**
 * One row per notification × external channel: the idempotency key of a delivery. Claimed by a worker
 * (`FOR UPDATE SKIP LOCKED`, then leased by moving `next_attempt_at` forward), sent, then marked.
 */
export const notificationDeliveries = pgTable(
  'notification_deliveries',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    notificationId: bigint('notification_id', { mode: 'number' })
      .notNull()
      .references(() => notifications.id, { onDelete: 'cascade' }),
    channel: notificationChannel('channel').notNull(),
    status: deliveryStatus('status').notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    lastError: text('last_error'),
    sentAt: timestamp('sent_at', { withTimezone: true, mode: 'date' }),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('notification_deliveries_key').on(t.notificationId, t.channel),
    index('notification_deliveries_due_idx').on(t.nextAttemptAt).where(sql`${t.status} = 'pending'`),
  ],
);

/** A browser's Web Push subscription (untrusted endpoint: its origin is checked before it is stored). */
export const pushSubscriptions = pgTable(
  'push_subscriptions',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    endpoint: text('endpoint').notNull(),
    p256dh: text('p256dh').notNull(),
    auth: text('auth').notNull(),
    /**
     * The sign-in session that registered this device (null: an API key's, or from before the link): when
     * that session ends (sign-out, expiry, "sign out everywhere"), the device's pushes end with it.
     */
    sessionId: text('session_id').references(() => sessions.id, { onDelete: 'cascade' }),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('push_subscriptions_endpoint_key').on(t.endpoint),
    index('push_subscriptions_user_idx').on(t.userId),
    index('push_subscriptions_session_idx').on(t.sessionId),
    check('push_subscriptions_endpoint_length', sql`char_length(${t.endpoint}) <= 2048`),
  ],
);

/** A user's choices that differ from the defaults (server/modules/notification/notification.events.ts). */
export const notificationPreferences = pgTable(
  'notification_preferences',
  {
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    kind: text('kind').notNull(),
    channel: text('channel').notNull(),
    enabled: boolean('enabled').notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.kind, t.channel] })],
);

/** Codes sent by SMS (issue 11 §3): only a hash is kept; 10 minutes, 5 tries. */
export const phoneCodes = pgTable(
  'phone_codes',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    phone: text('phone').notNull(),
    codeHash: text('code_hash').notNull(),
    attempts: integer('attempts').notNull().default(0),
    expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }).notNull(),
    usedAt: timestamp('used_at', { withTimezone: true, mode: 'date' }),
    createdAt: createdAt(),
  },
  (t) => [
    index('phone_codes_user_idx').on(t.userId, t.createdAt),
    index('phone_codes_phone_idx').on(t.phone, t.createdAt),
  ],
);

/** A user's verified phone number (the number is also the account's `users.phone`). */
export const phoneVerifications = pgTable(
  'phone_verifications',
  {
    userId: uuid('user_id')
      .primaryKey()
      .references(() => users.id, { onDelete: 'cascade' }),
    phone: text('phone').notNull(),
    verifiedAt: timestamp('verified_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [check('phone_verifications_e164', sql`${t.phone} ~ '^\\+[1-9][0-9]{6,14}$'`)],
);

export type NotificationRow = typeof notifications.$inferSelect;
export type NotificationDeliveryRow = typeof notificationDeliveries.$inferSelect;
export type PushSubscriptionRow = typeof pushSubscriptions.$inferSelect;

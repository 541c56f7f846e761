import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { createdAt } from './columns';
import { users } from './users';

// Issue 17: organisations (business customers), their API keys and their outgoing webhooks.

export const orgRole = pgEnum('org_role', ['owner', 'developer', 'member']);

/**
 * An organisation acts through its principal: a `users` row (role customer, no usable password) that owns
 * the bookings its API keys make. Every existing rule ("a customer sees only their own bookings") then
 * holds for organisations too, with no second access path to keep in step.
 */
export const organizations = pgTable('organizations', {
  id: uuid('id').primaryKey().defaultRandom(),
  name: text('name').notNull(),
  principalUserId: uuid('principal_user_id')
    .notNull()
    .unique()
    .references(() => users.id, { onDelete: 'restrict' }),
  createdAt: createdAt(),
});

export const orgMembers = pgTable(
  'org_members',
  {
    orgId: uuid('org_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    role: orgRole('role').notNull().default('member'),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.userId] }), index('org_members_user_idx').on(t.userId)],
);

export const apiKeyMode = pgEnum('api_key_mode', ['live', 'test']);

/** Only the SHA-256 of the secret is kept (the secret has ≥ 160 random bits: no slow hash needed). */
export const apiKeys = pgTable(
  'api_keys',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: uuid('org_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    mode: apiKeyMode('mode').notNull(),
    /** The first characters of the secret, shown in lists so a person can tell keys apart. */
    prefix: text('prefix').notNull(),
    hash: text('hash').notNull(),
    scopes: text('scopes').array().notNull(),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
    expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }),
    revokedAt: timestamp('revoked_at', { withTimezone: true, mode: 'date' }),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true, mode: 'date' }),
    usageCount: bigint('usage_count', { mode: 'number' }).notNull().default(0),
  },
  (t) => [uniqueIndex('api_keys_hash_key').on(t.hash), index('api_keys_org_idx').on(t.orgId)],
);

/** Why an endpoint was switched off (server/contracts/developer.ts `webhookDisabledReasons`). */
export const webhookDisabledReason = pgEnum('webhook_disabled_reason', [
  'http_error',
  'redirect',
  'unreachable',
  'unsafe_target',
]);

export const webhookEndpoints = pgTable(
  'webhook_endpoints',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: uuid('org_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    url: text('url').notNull(),
    events: text('events').array().notNull(),
    /** Kept as is: signing needs the secret itself (it never leaves the server after creation). */
    secret: text('secret').notNull(),
    enabled: boolean('enabled').notNull().default(true),
    /** The first failed attempt since the last success (null: healthy). */
    failingSince: timestamp('failing_since', { withTimezone: true, mode: 'date' }),
    disabledAt: timestamp('disabled_at', { withTimezone: true, mode: 'date' }),
    /** A code, not words: the PWA shows it in the reader's language. */
    disabledReason: webhookDisabledReason('disabled_reason'),
    /** The HTTP status of the last failed attempt before it was disabled (null: no answer). */
    disabledStatus: integer('disabled_status'),
    createdAt: createdAt(),
  },
  (t) => [index('webhook_endpoints_org_idx').on(t.orgId)],
);

/** The outbox: one row per event, written in the transaction of the change that caused it. */
export const webhookEvents = pgTable(
  'webhook_events',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: uuid('org_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    type: text('type').notNull(),
    payload: jsonb('payload').notNull(),
    /** False for events of sandbox bookings (test-mode keys): the payload's `livemode`. */
    livemode: boolean('livemode').notNull().default(true),
    createdAt: createdAt(),
  },
  (t) => [index('webhook_events_org_idx').on(t.orgId, t.createdAt)],
);

export const webhookDeliveryStatus = pgEnum('webhook_delivery_status', ['pending', 'succeeded', 'failed']);

/** One event to one endpoint: the worker's queue and the endpoint's delivery log. */
export const webhookDeliveries = pgTable(
  'webhook_deliveries',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    endpointId: uuid('endpoint_id')
      .notNull()
      .references(() => webhookEndpoints.id, { onDelete: 'cascade' }),
    eventId: uuid('event_id')
      .notNull()
      .references(() => webhookEvents.id, { onDelete: 'cascade' }),
    status: webhookDeliveryStatus('status').notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    /** A worker's claim: until then no other worker takes it (a crashed worker's claim runs out). */
    lockedUntil: timestamp('locked_until', { withTimezone: true, mode: 'date' }),
    lastStatusCode: integer('last_status_code'),
    lastError: text('last_error'),
    /** At most a small prefix of the receiver's answer. */
    responsePrefix: text('response_prefix'),
    lastAttemptAt: timestamp('last_attempt_at', { withTimezone: true, mode: 'date' }),
    deliveredAt: timestamp('delivered_at', { withTimezone: true, mode: 'date' }),
    createdAt: createdAt(),
  },
  (t) => [
    index('webhook_deliveries_due_idx').on(t.nextAttemptAt).where(sql`${t.status} = 'pending'`),
    index('webhook_deliveries_endpoint_idx').on(t.endpointId, t.createdAt),
    check('webhook_deliveries_attempts_nonneg', sql`${t.attempts} >= 0`),
  ],
);

export type OrganizationRow = typeof organizations.$inferSelect;
export type ApiKeyRow = typeof apiKeys.$inferSelect;
export type WebhookEndpointRow = typeof webhookEndpoints.$inferSelect;
export type WebhookDeliveryRow = typeof webhookDeliveries.$inferSelect;

import { sql } from 'drizzle-orm';
import {
  bigserial,
  boolean,
  index,
  pgEnum,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { users } from './users';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export const restrictionKind = pgEnum('user_restriction_kind', ['suspend', 'ban']);

/**
 * Suspensions and bans (issue 14 §3). One open row per user (`lifted_at` null); it is in force while
 * `until` is null or in the future. While one is in force the database refuses new sessions for the user
 * (trigger `sessions_refuse_restricted`, migration 0016), so a sign-in racing a ban cannot slip through.
 */
export const userRestrictions = pgTable(
  'user_restrictions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    kind: restrictionKind('kind').notNull(),
    reason: text('reason').notNull(),
    until: ts('until'),
    createdBy: uuid('created_by').references(() => users.id),
    createdAt: ts('created_at').notNull().defaultNow(),
    liftedAt: ts('lifted_at'),
    liftedBy: uuid('lifted_by').references(() => users.id),
  },
  (t) => [
    uniqueIndex('user_restrictions_one_open').on(t.userId).where(sql`${t.liftedAt} IS NULL`),
    index('user_restrictions_user_idx').on(t.userId, t.createdAt),
  ],
);

/** Sign-in attempts (for risk signals: failures, new addresses). Personal data: purged on erasure. */
export const signInEvents = pgTable(
  'sign_in_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    userId: uuid('user_id').references(() => users.id),
    email: text('email').notNull(),
    ok: boolean('ok').notNull(),
    ip: text('ip').notNull(),
    at: ts('at').notNull().defaultNow(),
  },
  (t) => [
    index('sign_in_events_user_idx').on(t.userId, t.at),
    index('sign_in_events_email_idx').on(t.email, t.at),
  ],
);

/** Accounts whose personal data was erased (data rights): the users row stays, anonymised. */
export const userErasures = pgTable('user_erasures', {
  userId: uuid('user_id')
    .primaryKey()
    .references(() => users.id),
  reason: text('reason').notNull(),
  erasedBy: uuid('erased_by').references(() => users.id),
  erasedAt: ts('erased_at').notNull().defaultNow(),
});

export type UserRestrictionRow = typeof userRestrictions.$inferSelect;

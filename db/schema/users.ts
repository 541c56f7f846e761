import { sql } from 'drizzle-orm';
import { check, pgEnum, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { createdAt, updatedAt } from './columns';

export const userRole = pgEnum('user_role', ['customer', 'technician', 'admin']);
export const userLocale = pgEnum('user_locale', ['en', 'ar']);

export const users = pgTable(
  'users',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    email: text('email').notNull(),
    passwordHash: text('password_hash').notNull(),
    name: text('name').notNull(),
    phone: text('phone'),
    role: userRole('role').notNull().default('customer'),
    locale: userLocale('locale').notNull().default('en'),
    timeZone: text('time_zone').notNull().default('Africa/Lagos'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    // Case-insensitive uniqueness: the database is the judge, not an `if` before the insert.
    uniqueIndex('users_email_lower_key').on(sql`lower(${t.email})`),
    check('users_phone_e164', sql`${t.phone} IS NULL OR ${t.phone} ~ '^\\+[1-9][0-9]{6,14}$'`),
  ],
);

export type UserRow = typeof users.$inferSelect;

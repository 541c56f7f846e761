import { sql } from 'drizzle-orm';
import { check, index, pgTable, primaryKey, text, uuid } from 'drizzle-orm/pg-core';
import { createdAt } from './columns';
import { technicianProfiles } from './technicians';
import { users } from './users';

/** A user's saved technicians. */
export const favorites = pgTable(
  'favorites',
  {
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    technicianId: uuid('technician_id')
      .notNull()
      .references(() => technicianProfiles.userId, { onDelete: 'cascade' }),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.userId, t.technicianId] }),
    index('favorites_user_created_idx').on(t.userId, t.createdAt),
  ],
);

/** Languages a technician speaks (ISO 639 codes), shown on their profile. */
export const technicianLanguages = pgTable(
  'technician_languages',
  {
    technicianId: uuid('technician_id')
      .notNull()
      .references(() => technicianProfiles.userId, { onDelete: 'cascade' }),
    language: text('language').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.technicianId, t.language] }),
    check('technician_languages_code', sql`${t.language} ~ '^[a-z]{2,3}$'`),
  ],
);

export type FavoriteRow = typeof favorites.$inferSelect;

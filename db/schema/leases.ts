import { pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * Row leases: background work that must run once across all nodes (dispatch sweeps, presence expiry,
 * trail retention) runs only on the node holding its lease; a dead holder's lease lapses by itself.
 */
export const leases = pgTable('leases', {
  name: text('name').primaryKey(),
  holder: text('holder').notNull(),
  expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }).notNull(),
});

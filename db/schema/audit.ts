import { bigserial, index, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { users } from './users';

/**
 * Who did what to which thing, and when: sensitive reads and admin actions (an admin reading a disputed
 * booking's chat, …). Generic on purpose: `action` is a dotted verb (`chat.read`), `subject` a typed
 * reference (`booking:<uuid>`), `detail` whatever else the action wants kept. Rows are only ever inserted.
 */
export const auditLog = pgTable(
  'audit_log',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    /** Null for the system itself. */
    actorId: uuid('actor_id').references(() => users.id),
    action: text('action').notNull(),
    subject: text('subject').notNull(),
    detail: jsonb('detail').$type<Record<string, unknown>>(),
    at: timestamp('at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [
    index('audit_log_subject_idx').on(t.subject, t.at),
    index('audit_log_actor_idx').on(t.actorId, t.at),
  ],
);

export type AuditRow = typeof auditLog.$inferSelect;

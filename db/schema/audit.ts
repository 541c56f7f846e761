import { bigserial, index, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { users } from './users';

/**
 * Who did what to which thing, and when: sensitive reads and admin actions (an admin reading a disputed
 * booking's chat, a ban, a catalogue change …). Generic on purpose: `action` is a dotted verb
 * (`chat.read`), `subject` a typed reference (`booking:<uuid>`), `before`/`after` the changed fields,
 * `detail` whatever else the action wants kept. Append-only, enforced by the database: a trigger
 * (migration 0016_audit_append_only) refuses UPDATE, DELETE and TRUNCATE for every role.
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
    before: jsonb('before').$type<Record<string, unknown>>(),
    after: jsonb('after').$type<Record<string, unknown>>(),
    reason: text('reason'),
    /** The client address of the request that caused it (null for jobs and in-process calls). */
    ip: text('ip'),
    at: timestamp('at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [
    index('audit_log_subject_idx').on(t.subject, t.at),
    index('audit_log_actor_idx').on(t.actorId, t.at),
    index('audit_log_action_idx').on(t.action, t.at),
    index('audit_log_at_idx').on(t.at, t.id),
  ],
);

export type AuditRow = typeof auditLog.$inferSelect;

import { sql } from 'drizzle-orm';
import { bigserial, check, index, pgTable, smallint, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { createdAt, updatedAt } from './columns';
import { users } from './users';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/**
 * A technician's weekly working hours exist (issue 12 §5): a row here means "they set hours", and then
 * only the ranges in `technician_hours` count (none: never at work). No row: always available (the
 * behaviour before hours existed), so technicians who never opened the editor keep getting jobs.
 */
export const technicianSchedules = pgTable('technician_schedules', {
  technicianId: uuid('technician_id')
    .primaryKey()
    .references(() => users.id, { onDelete: 'cascade' }),
  /** IANA zone the hours are wall-clock times in (their market's: Africa/Lagos, Africa/Cairo). */
  timeZone: text('time_zone').notNull(),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

/**
 * One working range on one weekday, in the schedule's time zone: `[start_minute, end_minute)` minutes
 * after local midnight. Several per day; overlapping or touching ranges are merged before they are
 * stored, and an exclusion constraint (custom migration) keeps them from overlapping anyway.
 */
export const technicianHours = pgTable(
  'technician_hours',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    technicianId: uuid('technician_id')
      .notNull()
      .references(() => technicianSchedules.technicianId, { onDelete: 'cascade' }),
    /** ISO weekday: 1 = Monday … 7 = Sunday (PostgreSQL's `isodow`). */
    weekday: smallint('weekday').notNull(),
    startMinute: smallint('start_minute').notNull(),
    endMinute: smallint('end_minute').notNull(),
  },
  (t) => [
    index('technician_hours_technician_idx').on(t.technicianId, t.weekday),
    check('technician_hours_weekday', sql`${t.weekday} BETWEEN 1 AND 7`),
    check(
      'technician_hours_range',
      sql`${t.startMinute} >= 0 AND ${t.endMinute} <= 1440 AND ${t.startMinute} < ${t.endMinute}`,
    ),
  ],
);

/** Time off: an absolute interval `[starts_at, ends_at)` in which the technician takes no job. */
export const technicianTimeOff = pgTable(
  'technician_time_off',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    technicianId: uuid('technician_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    startsAt: ts('starts_at').notNull(),
    endsAt: ts('ends_at').notNull(),
    reason: text('reason'),
    createdAt: createdAt(),
  },
  (t) => [
    index('technician_time_off_technician_idx').on(t.technicianId, t.endsAt),
    check('technician_time_off_range', sql`${t.endsAt} > ${t.startsAt}`),
  ],
);

export type TechnicianScheduleRow = typeof technicianSchedules.$inferSelect;
export type TechnicianHoursRow = typeof technicianHours.$inferSelect;
export type TechnicianTimeOffRow = typeof technicianTimeOff.$inferSelect;

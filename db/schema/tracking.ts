import { bigserial, index, pgTable, real, timestamp, uuid } from 'drizzle-orm/pg-core';
import { bookings } from './bookings';
import { geographyPoint } from './columns';
import { users } from './users';

/** The route a technician took during an active job; deleted after the retention period. */
export const trackingBreadcrumbs = pgTable(
  'tracking_breadcrumbs',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    bookingId: uuid('booking_id')
      .notNull()
      .references(() => bookings.id, { onDelete: 'cascade' }),
    technicianId: uuid('technician_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    location: geographyPoint('location').notNull(),
    accuracy: real('accuracy'),
    recordedAt: timestamp('recorded_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (t) => [
    index('tracking_breadcrumbs_booking_idx').on(t.bookingId, t.recordedAt),
    index('tracking_breadcrumbs_recorded_idx').on(t.recordedAt),
  ],
);

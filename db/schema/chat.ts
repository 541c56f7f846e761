import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  check,
  index,
  integer,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { bookings } from './bookings';
import { createdAt } from './columns';
import { users } from './users';

/**
 * One booking's conversation. `seq` numbers a booking's messages 1, 2, 3 … without holes (allocated under
 * a per-booking lock, so id order and commit order agree within a booking): a live subscriber that sees
 * a jump knows it missed something and reads the hole from here. `technician_id` is the technician of the
 * conversation when the message was written: after a hand-back the next technician does not read it.
 */
export const chatMessages = pgTable(
  'chat_messages',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    bookingId: uuid('booking_id')
      .notNull()
      .references(() => bookings.id, { onDelete: 'cascade' }),
    seq: integer('seq').notNull(),
    senderId: uuid('sender_id')
      .notNull()
      .references(() => users.id),
    technicianId: uuid('technician_id')
      .notNull()
      .references(() => users.id),
    /** The sender's key for this message: a retried send returns the stored one. */
    clientId: text('client_id').notNull(),
    body: text('body').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('chat_messages_booking_sender_client_key').on(t.bookingId, t.senderId, t.clientId),
    uniqueIndex('chat_messages_booking_seq_key').on(t.bookingId, t.seq),
    index('chat_messages_booking_id_idx').on(t.bookingId, t.id),
    check('chat_messages_body_length', sql`char_length(${t.body}) BETWEEN 1 AND 1000`),
    check('chat_messages_client_id_length', sql`char_length(${t.clientId}) BETWEEN 1 AND 100`),
    check('chat_messages_seq_positive', sql`${t.seq} > 0`),
  ],
);

/** How far each participant has received (delivered) and read a booking's conversation, by message id. */
export const chatReadMarkers = pgTable(
  'chat_read_markers',
  {
    bookingId: uuid('booking_id')
      .notNull()
      .references(() => bookings.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    deliveredUpTo: bigint('delivered_up_to', { mode: 'number' }).notNull().default(0),
    readUpTo: bigint('read_up_to', { mode: 'number' }).notNull().default(0),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.bookingId, t.userId] }),
    check('chat_read_markers_read_delivered', sql`${t.readUpTo} <= ${t.deliveredUpTo}`),
  ],
);

export type ChatMessageRow = typeof chatMessages.$inferSelect;
export type ChatReadMarkerRow = typeof chatReadMarkers.$inferSelect;

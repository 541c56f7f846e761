import { sql } from 'drizzle-orm';
import { check, index, integer, pgEnum, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { jobPhotoPhases, uploadKinds } from '#shared/upload';
import { bookings } from './bookings';
import { createdAt } from './columns';
import { users } from './users';

export const uploadKind = pgEnum('upload_kind', uploadKinds);
export const uploadStatus = pgEnum('upload_status', ['pending', 'stored']);
export const jobPhotoPhase = pgEnum('job_photo_phase', jobPhotoPhases);

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/**
 * One file a user sent. `upload.create` makes a `pending` row (the slot: what was declared, until when it
 * may be used); the bytes arriving make it `stored`, with what was actually kept (re-encoded, so the
 * content type and size are ours, not the sender's). Job photos are attached to a booking afterwards.
 */
export const uploads = pgTable(
  'uploads',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    ownerId: uuid('owner_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    kind: uploadKind('kind').notNull(),
    status: uploadStatus('status').notNull().default('pending'),
    /** What the client said it would send (the size is a hard limit while the bytes stream in). */
    declaredType: text('declared_type').notNull(),
    declaredSize: integer('declared_size').notNull(),
    /** The slot's end: bytes arriving later are refused. */
    expiresAt: ts('expires_at').notNull(),
    /** What was stored (after re-encoding): set together with status = 'stored'. */
    contentType: text('content_type'),
    size: integer('size'),
    width: integer('width'),
    height: integer('height'),
    storageKey: text('storage_key'),
    sha256: text('sha256'),
    storedAt: ts('stored_at'),
    /** Job photos: the booking they show and when in the job they were taken. */
    bookingId: uuid('booking_id').references(() => bookings.id, { onDelete: 'cascade' }),
    phase: jobPhotoPhase('phase'),
    attachedAt: ts('attached_at'),
    createdAt: createdAt(),
  },
  (t) => [
    index('uploads_owner_created_idx').on(t.ownerId, t.createdAt),
    index('uploads_booking_idx').on(t.bookingId, t.attachedAt).where(sql`${t.bookingId} IS NOT NULL`),
    index('uploads_pending_expiry_idx').on(t.expiresAt).where(sql`${t.status} = 'pending'`),
    check('uploads_declared_size_positive', sql`${t.declaredSize} > 0`),
    check(
      'uploads_stored_complete',
      sql`(${t.status} = 'stored') = (${t.storageKey} IS NOT NULL AND ${t.sha256} IS NOT NULL AND ${t.contentType} IS NOT NULL AND ${t.size} IS NOT NULL AND ${t.storedAt} IS NOT NULL)`,
    ),
    check(
      'uploads_job_photo_attachment',
      sql`(${t.bookingId} IS NULL) = (${t.phase} IS NULL) AND (${t.bookingId} IS NULL) = (${t.attachedAt} IS NULL) AND (${t.bookingId} IS NULL OR (${t.kind} = 'job_photo' AND ${t.status} = 'stored'))`,
    ),
  ],
);

/** The photo a user (customer or technician) shows: one of their stored `profile_photo` uploads. */
export const profilePhotos = pgTable('profile_photos', {
  userId: uuid('user_id')
    .primaryKey()
    .references(() => users.id, { onDelete: 'cascade' }),
  uploadId: uuid('upload_id')
    .notNull()
    .references(() => uploads.id, { onDelete: 'cascade' }),
  updatedAt: ts('updated_at').notNull().defaultNow(),
});

export type UploadRow = typeof uploads.$inferSelect;
export type ProfilePhotoRow = typeof profilePhotos.$inferSelect;

import { and, asc, count, eq, gt, isNull, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../../db/client';
import { bookings, profilePhotos, technicianProfiles, type UploadRow, uploads } from '../../../db/schema';
import type { JobPhotoPhase, UploadKind } from '../../contracts/upload';

export function createUploadRepo(db: DbOrTx) {
  return {
    async createSlot(v: {
      ownerId: string;
      kind: UploadKind;
      declaredType: string;
      declaredSize: number;
      expiresAt: Date;
    }): Promise<UploadRow> {
      const [row] = await db.insert(uploads).values(v).returning();
      return row!;
    },

    /** Slots a user asked for since `since` (stored or not): a cap on how fast one account can fill the disk. */
    async slotsSince(ownerId: string, since: Date): Promise<number> {
      const [row] = await db
        .select({ n: count() })
        .from(uploads)
        .where(and(eq(uploads.ownerId, ownerId), gt(uploads.createdAt, since)));
      return row?.n ?? 0;
    },

    async get(id: string): Promise<UploadRow | undefined> {
      const [row] = await db.select().from(uploads).where(eq(uploads.id, id)).limit(1);
      return row;
    },

    /** Marks a pending, unexpired slot stored; undefined when it was used (or expired) meanwhile. */
    async markStored(
      id: string,
      v: {
        contentType: string;
        size: number;
        width: number | null;
        height: number | null;
        storageKey: string;
        sha256: string;
      },
      now: Date,
    ): Promise<UploadRow | undefined> {
      const [row] = await db
        .update(uploads)
        .set({ ...v, status: 'stored', storedAt: now })
        .where(and(eq(uploads.id, id), eq(uploads.status, 'pending'), gt(uploads.expiresAt, now)))
        .returning();
      return row;
    },

    /** Slots never used, well past their end. */
    async deleteExpiredSlots(before: Date, limit = 500): Promise<number> {
      const rows = await db
        .delete(uploads)
        .where(
          sql`${uploads.id} IN (SELECT id FROM ${uploads} WHERE ${uploads.status} = 'pending' AND ${uploads.expiresAt} < ${before.toISOString()}::timestamptz LIMIT ${limit})`,
        )
        .returning({ id: uploads.id });
      return rows.length;
    },

    // Profile photos

    async setProfilePhoto(userId: string, uploadId: string) {
      await db
        .insert(profilePhotos)
        .values({ userId, uploadId })
        .onConflictDoUpdate({ target: profilePhotos.userId, set: { uploadId, updatedAt: new Date() } });
    },

    async profilePhoto(userId: string): Promise<UploadRow | undefined> {
      const [row] = await db
        .select({ upload: uploads })
        .from(profilePhotos)
        .innerJoin(uploads, eq(uploads.id, profilePhotos.uploadId))
        .where(eq(profilePhotos.userId, userId))
        .limit(1);
      return row?.upload;
    },

    /** A technician's public photo link (what booking views and technician.me show). */
    async setTechnicianPhotoUrl(userId: string, url: string): Promise<boolean> {
      const rows = await db
        .update(technicianProfiles)
        .set({ photoUrl: url })
        .where(eq(technicianProfiles.userId, userId))
        .returning({ id: technicianProfiles.userId });
      return rows.length > 0;
    },

    // Job photos

    /** The booking's parties and status, share-locked inside a transaction so a status change waits for us. */
    async bookingParties(id: string, opts: { lock?: boolean } = {}) {
      const q = db
        .select({
          id: bookings.id,
          customerId: bookings.customerId,
          technicianId: bookings.technicianId,
          status: bookings.status,
        })
        .from(bookings)
        .where(eq(bookings.id, id))
        .limit(1);
      const [row] = await (opts.lock ? q.for('share') : q);
      return row;
    },

    async photoCount(bookingId: string, phase: JobPhotoPhase): Promise<number> {
      const [row] = await db
        .select({ n: count() })
        .from(uploads)
        .where(and(eq(uploads.bookingId, bookingId), eq(uploads.phase, phase)));
      return row?.n ?? 0;
    },

    /** Attaches a stored, unattached job photo of `ownerId` to a booking; undefined if it is not one. */
    async attachJobPhoto(
      uploadId: string,
      ownerId: string,
      bookingId: string,
      phase: JobPhotoPhase,
      now: Date,
    ): Promise<UploadRow | undefined> {
      const [row] = await db
        .update(uploads)
        .set({ bookingId, phase, attachedAt: now })
        .where(
          and(
            eq(uploads.id, uploadId),
            eq(uploads.ownerId, ownerId),
            eq(uploads.kind, 'job_photo'),
            eq(uploads.status, 'stored'),
            isNull(uploads.bookingId),
          ),
        )
        .returning();
      return row;
    },

    jobPhotos: (bookingId: string) =>
      db
        .select()
        .from(uploads)
        .where(eq(uploads.bookingId, bookingId))
        .orderBy(asc(uploads.attachedAt), asc(uploads.id)),

    /** Whether this upload is someone's current profile photo (then anyone may see it). */
    async isProfilePhoto(uploadId: string): Promise<boolean> {
      const [row] = await db
        .select({ userId: profilePhotos.userId })
        .from(profilePhotos)
        .where(eq(profilePhotos.uploadId, uploadId))
        .limit(1);
      return row !== undefined;
    },
  };
}

export type UploadRepo = ReturnType<typeof createUploadRepo>;

// Pure zod schemas + types for uploads, shared by the server and the client (no Node imports here).
import { z } from 'zod';
import type { JobPhotoPhase, UploadKind } from '#shared/upload';
import { jobPhotoPhases, uploadKinds } from '#shared/upload';

export type { JobPhotoPhase, UploadKind } from '#shared/upload';
export { jobPhotoPhases, uploadKinds } from '#shared/upload';

export const imageTypes = ['image/jpeg', 'image/png', 'image/webp'] as const;
export const documentTypes = [...imageTypes, 'application/pdf'] as const;

/** What each kind accepts (checked again on the bytes themselves: the declared type is only a hint). */
export const uploadRules: Record<UploadKind, { types: readonly string[]; maxBytes: number }> = {
  profile_photo: { types: imageTypes, maxBytes: 10 * 1024 * 1024 },
  job_photo: { types: imageTypes, maxBytes: 15 * 1024 * 1024 },
  id_document: { types: documentTypes, maxBytes: 10 * 1024 * 1024 },
  certificate: { types: documentTypes, maxBytes: 10 * 1024 * 1024 },
};

export const createUploadInput = z
  .object({
    kind: z.enum(uploadKinds),
    contentType: z
      .string()
      .trim()
      .toLowerCase()
      .transform((v) => v.split(';')[0]!.trim()),
    /** The exact number of bytes that will be sent (more is refused while it streams in). */
    size: z.number().int().positive(),
  })
  .superRefine((v, ctx) => {
    const rule = uploadRules[v.kind];
    if (!rule.types.includes(v.contentType)) {
      ctx.addIssue({
        code: 'custom',
        path: ['contentType'],
        message: `A ${v.kind} must be one of ${rule.types.join(', ')}`,
      });
    }
    if (v.size > rule.maxBytes) {
      ctx.addIssue({
        code: 'custom',
        path: ['size'],
        message: `A ${v.kind} may be at most ${rule.maxBytes} bytes`,
      });
    }
  });

/** An upload slot: send the bytes with PUT (or POST) to `url` before `expiresAt`. */
export type UploadSlot = {
  uploadId: string;
  /** Relative to the API's origin, e.g. `/uploads/<id>?…` (signed: use it as it is). */
  url: string;
  method: 'PUT';
  maxBytes: number;
  expiresAt: string;
};

/** What the upload URL answers (JSON) once the bytes are stored. */
export type StoredUpload = {
  uploadId: string;
  kind: UploadKind;
  contentType: string;
  size: number;
  width: number | null;
  height: number | null;
};

export const uploadIdInput = z.object({ uploadId: z.uuid() });

/** Where a stored file can be loaded: public files for good, private ones until `expiresAt`. */
export type UploadUrl = { uploadId: string; url: string; contentType: string; expiresAt: string | null };

export const addJobPhotoInput = z.object({
  id: z.uuid(),
  uploadId: z.uuid(),
  phase: z.enum(jobPhotoPhases),
});

export const jobPhotoSchema = z.object({
  uploadId: z.string(),
  bookingId: z.string(),
  phase: z.enum(jobPhotoPhases),
  /** A short-lived signed URL (ask `booking.photos` again for a fresh one). */
  url: z.string(),
  urlExpiresAt: z.string(),
  width: z.number().nullable(),
  height: z.number().nullable(),
  addedBy: z.string(),
  addedAt: z.string(),
});
export type JobPhoto = z.infer<typeof jobPhotoSchema>;

/** How many photos of each phase a job may carry. */
export const MAX_JOB_PHOTOS_PER_PHASE = 10;

export type ProfilePhoto = { uploadId: string; url: string };

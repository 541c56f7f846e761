import type { z } from 'zod';
import type { Db } from '../../../db/client';
import type { UploadRow, UserRow } from '../../../db/schema';
import type { UploadsConfig } from '../../config';
import {
  type addJobPhotoInput,
  type createUploadInput,
  type JobPhoto,
  MAX_JOB_PHOTOS_PER_PHASE,
  type ProfilePhoto,
  type StoredUpload,
  type UploadSlot,
  type UploadUrl,
  uploadRules,
} from '../../contracts/upload';
import { DomainError } from '../../lib/errors';
import { log } from '../../lib/log';
import { processUpload, UploadRefused } from './process';
import type { Signer } from './signing';
import type { FileStore } from './storage';
import { createUploadRepo } from './upload.repo';

type Caller = Pick<UserRow, 'id' | 'role'>;

/** Statuses in which the assigned technician may add before/after photos. */
const PHOTO_STATUSES = new Set(['arrived', 'in_progress']);
/** Upload slots one account may ask for per hour. */
const SLOTS_PER_HOUR = 60;

const isPublic = (u: Pick<UploadRow, 'kind'>) => u.kind === 'profile_photo';
const publicPath = (sha256: string) => `/files/public/${sha256}.jpg`;
/** The public URL path of a stored public file (profile photos are content-addressed, cached forever). */
export const publicUrlOf = (u: UploadRow) => (u.sha256 ? publicPath(u.sha256) : null);

/**
 * Uploads: slots (`create`), the bytes arriving at the slot's URL (`receive`, called by the transport),
 * signed URLs to read private files (`url`, `read`), profile photos and before/after photos of jobs.
 */
export function createUploadService(deps: {
  db: Db;
  store: FileStore;
  signer: Signer;
  config: Pick<UploadsConfig, 'slotMs' | 'urlMs'>;
  now?: () => number;
}) {
  const { db, store, signer } = deps;
  const now = deps.now ?? Date.now;
  const repo = createUploadRepo(db);
  let lastSweep = 0;

  /**
   * A signed URL to read a private file. Its end is rounded up to a window of UPLOAD_URL_SECONDS, so the
   * URL stays the same for that long (asking again gives the same URL, which the browser has cached) and
   * works for between one and two windows.
   */
  function privateUrl(u: UploadRow): { url: string; expiresAt: string } {
    const span = Math.max(1, Math.round(deps.config.urlMs / 1000));
    const expires = (Math.floor(now() / 1000 / span) + 2) * span;
    return {
      url: `/files/private/${u.id}?${signer.getQuery({ id: u.id, expires })}`,
      expiresAt: new Date(expires * 1000).toISOString(),
    };
  }

  function urlOf(u: UploadRow): UploadUrl {
    if (isPublic(u))
      return { uploadId: u.id, url: publicUrlOf(u)!, contentType: u.contentType!, expiresAt: null };
    const p = privateUrl(u);
    return { uploadId: u.id, url: p.url, contentType: u.contentType!, expiresAt: p.expiresAt };
  }

  /** Whether `user` may see this upload (owner, admins, the booking's parties for a job photo …). */
  async function maySee(user: Caller, u: UploadRow): Promise<boolean> {
    if (user.role === 'admin' || u.ownerId === user.id) return true;
    if (u.kind === 'profile_photo') return repo.isProfilePhoto(u.id);
    if (u.kind === 'job_photo' && u.bookingId) {
      const b = await repo.bookingParties(u.bookingId);
      return !!b && (b.customerId === user.id || b.technicianId === user.id);
    }
    return false;
  }

  /** An upload of the caller's, stored, of this kind; NOT_FOUND (or CONFLICT while it is still pending). */
  async function ownStored(user: Caller, uploadId: string, kind: UploadRow['kind']): Promise<UploadRow> {
    const u = await repo.get(uploadId);
    if (!u || u.ownerId !== user.id) throw new DomainError('NOT_FOUND', 'Upload not found.');
    if (u.kind !== kind) throw new DomainError('VALIDATION', `This upload is not a ${kind}.`);
    if (u.status !== 'stored') throw new DomainError('CONFLICT', 'The file has not been uploaded yet.');
    return u;
  }

  function toJobPhoto(u: UploadRow): JobPhoto {
    const p = privateUrl(u);
    return {
      uploadId: u.id,
      bookingId: u.bookingId!,
      phase: u.phase!,
      url: p.url,
      urlExpiresAt: p.expiresAt,
      width: u.width,
      height: u.height,
      addedBy: u.ownerId,
      addedAt: u.attachedAt!.toISOString(),
    };
  }

  return {
    signer,
    store,
    /**
     * For other modules (onboarding, verification): the caller's stored upload of this kind, or NOT_FOUND
     * (VALIDATION for another kind, CONFLICT while its bytes have not arrived).
     */
    ownStored,

    async create(user: Caller, input: z.output<typeof createUploadInput>): Promise<UploadSlot> {
      if (input.kind !== 'profile_photo' && user.role !== 'technician' && user.role !== 'admin') {
        throw new DomainError('FORBIDDEN_ROLE', `Only technicians upload a ${input.kind}.`);
      }
      if (input.kind === 'job_photo' && user.role !== 'technician') {
        throw new DomainError('FORBIDDEN_ROLE', 'Only technicians upload job photos.');
      }
      const t = now();
      // Unused slots are forgotten now and then (at most hourly per process), off the request's path.
      if (t - lastSweep > 3600_000) {
        lastSweep = t;
        repo
          .deleteExpiredSlots(new Date(t - 86_400_000))
          .catch((e: unknown) => log.warn('upload slot sweep failed', { error: String(e) }));
      }
      if ((await repo.slotsSince(user.id, new Date(t - 3600_000))) >= SLOTS_PER_HOUR) {
        throw new DomainError('RATE_LIMITED', 'Too many uploads: try again later.', {
          retryAfterSeconds: 600,
        });
      }
      // Whole seconds in the URL; the row's end is the same instant.
      const expires = Math.ceil((t + deps.config.slotMs) / 1000);
      const row = await repo.createSlot({
        ownerId: user.id,
        kind: input.kind,
        declaredType: input.contentType,
        declaredSize: input.size,
        expiresAt: new Date(expires * 1000),
      });
      const query = signer.putQuery({
        id: row.id,
        kind: row.kind,
        owner: user.id,
        size: input.size,
        expires,
      });
      return {
        uploadId: row.id,
        url: `/uploads/${row.id}?${query}`,
        method: 'PUT',
        maxBytes: input.size,
        expiresAt: row.expiresAt.toISOString(),
      };
    },

    /**
     * The bytes of a slot, once all have arrived (the transport has already checked the URL's signature
     * and refused anything longer than the signed size). Throws UploadRefused with the HTTP status.
     */
    async receive(
      grant: { id: string; kind: UploadRow['kind']; owner: string },
      bytes: Buffer,
    ): Promise<StoredUpload> {
      const slot = await repo.get(grant.id);
      if (!slot || slot.ownerId !== grant.owner || slot.kind !== grant.kind) {
        throw new UploadRefused(404, 'NOT_FOUND', 'No such upload slot.');
      }
      if (slot.status !== 'pending')
        throw new UploadRefused(409, 'ALREADY_UPLOADED', 'This slot was already used.');
      if (bytes.length === 0) throw new UploadRefused(415, 'UNSUPPORTED_TYPE', 'The file is empty.');
      const out = await processUpload(slot.kind, bytes);
      const storageKey = isPublic(slot)
        ? `public/${out.sha256}.${out.ext}`
        : `private/${slot.ownerId}/${slot.id}.${out.ext}`;
      await store.put(storageKey, out.body, out.contentType);
      const stored = await repo.markStored(
        slot.id,
        {
          contentType: out.contentType,
          size: out.body.length,
          width: out.width,
          height: out.height,
          storageKey,
          sha256: out.sha256,
        },
        new Date(now()),
      );
      // Used by a parallel request, or the slot ended while we worked: a private file of ours is left
      // without a row (its key is the slot's, so nothing else points at it).
      if (!stored) throw new UploadRefused(409, 'ALREADY_UPLOADED', 'This slot was used or has expired.');
      log.debug('upload stored', { id: slot.id, kind: slot.kind, bytes: out.body.length, store: store.name });
      return {
        uploadId: stored.id,
        kind: stored.kind,
        contentType: stored.contentType!,
        size: stored.size!,
        width: stored.width,
        height: stored.height,
      };
    },

    /** The bytes behind a valid private URL (the transport checked the signature); null when gone. */
    async readPrivate(id: string): Promise<{ body: Buffer; contentType: string; sha256: string } | null> {
      const u = await repo.get(id);
      if (u?.status !== 'stored' || isPublic(u) || !u.storageKey) return null;
      const body = await store.get(u.storageKey);
      return body && { body, contentType: u.contentType!, sha256: u.sha256! };
    },

    /** A public file by its content-addressed name. */
    readPublic: (sha256: string) => store.get(`public/${sha256}.jpg`),

    /** Where to load an upload from: the public link, or a short-lived signed one; NOT_FOUND for strangers. */
    async url(user: Caller, uploadId: string): Promise<UploadUrl> {
      const u = await repo.get(uploadId);
      if (!u || !(await maySee(user, u))) throw new DomainError('NOT_FOUND', 'Upload not found.');
      if (u.status !== 'stored') throw new DomainError('CONFLICT', 'The file has not been uploaded yet.');
      return urlOf(u);
    },

    /** The caller's (customer's or technician's) photo is this stored profile_photo upload. */
    async setProfilePhoto(user: Caller, uploadId: string): Promise<ProfilePhoto> {
      const u = await ownStored(user, uploadId, 'profile_photo');
      const url = publicUrlOf(u)!;
      await db.transaction(async (tx) => {
        const r = createUploadRepo(tx);
        await r.setProfilePhoto(user.id, u.id);
        // Technicians' photo link is what bookings and technician.me show customers.
        if (user.role === 'technician') await r.setTechnicianPhotoUrl(user.id, url);
      });
      return { uploadId: u.id, url };
    },

    async profilePhoto(userId: string): Promise<ProfilePhoto | null> {
      const u = await repo.profilePhoto(userId);
      return u ? { uploadId: u.id, url: publicUrlOf(u)! } : null;
    },

    /** A before/after photo of a job: the assigned technician, while arrived or in progress. */
    async addJobPhoto(user: Caller, input: z.output<typeof addJobPhotoInput>): Promise<JobPhoto> {
      return db.transaction(async (tx) => {
        const r = createUploadRepo(tx);
        // Share lock: a status change (which locks the row for update) waits until this photo is in.
        const b = await r.bookingParties(input.id, { lock: true });
        if (!b || (user.role !== 'admin' && b.customerId !== user.id && b.technicianId !== user.id))
          throw new DomainError('NOT_FOUND', 'Booking not found.');
        if (b.technicianId !== user.id)
          throw new DomainError('FORBIDDEN_ROLE', 'Only the assigned technician can add job photos.');
        if (!PHOTO_STATUSES.has(b.status))
          throw new DomainError(
            'CONFLICT',
            'Photos can be added once you have arrived, until the job is done.',
          );
        const u = await r.get(input.uploadId);
        if (!u || u.ownerId !== user.id) throw new DomainError('NOT_FOUND', 'Upload not found.');
        if (u.kind !== 'job_photo') throw new DomainError('VALIDATION', 'This upload is not a job photo.');
        if (u.status !== 'stored') throw new DomainError('CONFLICT', 'The photo has not been uploaded yet.');
        if (u.bookingId) {
          // The same call again (a retry) returns the photo; another booking or phase is a conflict.
          if (u.bookingId === b.id && u.phase === input.phase) return toJobPhoto(u);
          throw new DomainError('CONFLICT', 'This photo is already attached.');
        }
        if ((await r.photoCount(b.id, input.phase)) >= MAX_JOB_PHOTOS_PER_PHASE)
          throw new DomainError('CONFLICT', `At most ${MAX_JOB_PHOTOS_PER_PHASE} ${input.phase} photos.`, {
            max: MAX_JOB_PHOTOS_PER_PHASE,
          });
        const attached = await r.attachJobPhoto(u.id, user.id, b.id, input.phase, new Date(now()));
        if (!attached) throw new DomainError('CONFLICT', 'This photo is already attached.');
        return toJobPhoto(attached);
      });
    },

    /** A booking's before/after photos for its customer, its technician and admins (NOT_FOUND for others). */
    async jobPhotos(user: Caller, bookingId: string): Promise<JobPhoto[]> {
      const b = await repo.bookingParties(bookingId);
      if (!b || (user.role !== 'admin' && b.customerId !== user.id && b.technicianId !== user.id))
        throw new DomainError('NOT_FOUND', 'Booking not found.');
      return (await repo.jobPhotos(b.id)).map(toJobPhoto);
    },

    /** For other modules that authorized the caller already (the receipt): a booking's photos. */
    async bookingPhotos(bookingId: string): Promise<JobPhoto[]> {
      return (await repo.jobPhotos(bookingId)).map(toJobPhoto);
    },

    limits: uploadRules,
  };
}

export type UploadService = ReturnType<typeof createUploadService>;

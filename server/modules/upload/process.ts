import { createHash } from 'node:crypto';
import sharp from 'sharp';
import type { UploadKind } from '../../contracts/upload';
import { uploadRules } from '../../contracts/upload';

/** Why bytes were refused, with the HTTP status the upload URL answers. */
export class UploadRefused extends Error {
  constructor(
    public readonly status: 403 | 404 | 409 | 413 | 415 | 422,
    public readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'UploadRefused';
  }
}

export type Sniffed = 'image/jpeg' | 'image/png' | 'image/webp' | 'application/pdf' | null;

/** The type the bytes are, from their first bytes (magic numbers); names and headers are not believed. */
export function sniff(b: Buffer): Sniffed {
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'image/jpeg';
  if (b.length >= 8 && b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])))
    return 'image/png';
  if (b.length >= 12 && b.toString('latin1', 0, 4) === 'RIFF' && b.toString('latin1', 8, 12) === 'WEBP')
    return 'image/webp';
  if (b.length >= 5 && b.toString('latin1', 0, 5) === '%PDF-') return 'application/pdf';
  return null;
}

/** The longest side kept per kind (profile photos are cropped square). */
const BOUND: Record<UploadKind, number> = {
  profile_photo: 512,
  job_photo: 1600,
  id_document: 2400,
  certificate: 2400,
};

export type Processed = {
  body: Buffer;
  contentType: 'image/jpeg' | 'application/pdf';
  ext: 'jpg' | 'pdf';
  width: number | null;
  height: number | null;
  sha256: string;
};

// libvips uses every core for one image by default; two at a time on a small server is plenty.
sharp.concurrency(1);
let running = 0;
const waiting: Array<() => void> = [];
async function limited<T>(fn: () => Promise<T>): Promise<T> {
  if (running >= 2) await new Promise<void>((r) => waiting.push(r));
  running++;
  try {
    return await fn();
  } finally {
    running--;
    waiting.shift()?.();
  }
}

/**
 * Checks the bytes are a type this kind accepts and makes what we keep: images are decoded, turned
 * upright, bounded, flattened and written again as JPEG with no metadata at all (phone photos carry the
 * GPS position where they were taken); PDFs (documents only) are kept as they are.
 */
export async function processUpload(kind: UploadKind, bytes: Buffer): Promise<Processed> {
  const type = sniff(bytes);
  if (!type || !uploadRules[kind].types.includes(type)) {
    throw new UploadRefused(
      415,
      'UNSUPPORTED_TYPE',
      `This is not a file a ${kind} may be (${uploadRules[kind].types.join(', ')}).`,
    );
  }
  if (type === 'application/pdf') {
    return {
      body: bytes,
      contentType: 'application/pdf',
      ext: 'pdf',
      width: null,
      height: null,
      sha256: createHash('sha256').update(bytes).digest('hex'),
    };
  }
  return limited(async () => {
    try {
      const bound = BOUND[kind];
      let img = sharp(bytes, { failOn: 'error', limitInputPixels: 60_000_000 }).rotate();
      img =
        kind === 'profile_photo'
          ? img.resize(bound, bound, { fit: 'cover', position: 'centre' })
          : img.resize(bound, bound, { fit: 'inside', withoutEnlargement: true });
      // No keepMetadata/withMetadata: sharp writes no EXIF, XMP, IPTC or ICC (colours converted to sRGB).
      const { data, info } = await img
        .flatten({ background: '#ffffff' })
        .jpeg({ quality: 82, mozjpeg: true })
        .toBuffer({ resolveWithObject: true });
      return {
        body: data,
        contentType: 'image/jpeg' as const,
        ext: 'jpg' as const,
        width: info.width,
        height: info.height,
        sha256: createHash('sha256').update(data).digest('hex'),
      };
    } catch (e) {
      throw new UploadRefused(
        422,
        'UNREADABLE_IMAGE',
        `The image could not be read: ${(e as Error).message}`,
      );
    }
  });
}

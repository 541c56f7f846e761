import type { StoredUpload, UploadKind, UploadSlot } from '../../../../server/contracts/upload';

/** Why an upload failed, as a key of the `upload.error.*` messages. */
export type UploadErrorKind = 'type' | 'size' | 'unreadable' | 'expired' | 'network' | 'generic';

export class UploadError extends Error {
  constructor(public readonly kind: UploadErrorKind) {
    super(`upload failed: ${kind}`);
    this.name = 'UploadError';
  }
}

/** Longest side sent from the phone: the server bounds what it keeps anyway; this spares mobile data. */
const MAX_SIDE = 2048;
const SENDABLE = new Set(['image/jpeg', 'image/png', 'image/webp']);

/**
 * A phone photo is often 3–8 MB: drawn onto a canvas at most MAX_SIDE wide and sent as JPEG it is a
 * few hundred kB. `createImageBitmap` applies the EXIF orientation. Whatever this browser cannot do, the
 * original file goes as it is (the server checks, re-encodes and strips it either way).
 */
export async function prepareImage(file: File): Promise<Blob> {
  if (!file.type.startsWith('image/') || typeof createImageBitmap !== 'function') return file;
  try {
    const bitmap = await createImageBitmap(file, { imageOrientation: 'from-image' });
    const scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
    if (scale === 1 && file.size < 1.5 * 1024 * 1024 && SENDABLE.has(file.type)) {
      bitmap.close();
      return file;
    }
    const canvas = document.createElement('canvas');
    canvas.width = Math.round(bitmap.width * scale);
    canvas.height = Math.round(bitmap.height * scale);
    const ctx = canvas.getContext('2d');
    if (!ctx) return file;
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    bitmap.close();
    const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/jpeg', 0.85));
    return blob && blob.size < file.size ? blob : SENDABLE.has(file.type) ? file : (blob ?? file);
  } catch {
    // e.g. HEIC on a browser that cannot decode it: let the server say what it thinks.
    return file;
  }
}

/** The type to declare for a blob (what the server will check on the bytes anyway). */
export function declaredType(blob: Blob, kind: UploadKind): string {
  if (blob.type) return blob.type;
  return kind === 'id_document' || kind === 'certificate' ? 'application/pdf' : 'image/jpeg';
}

/**
 * PUTs the bytes to a slot's URL with XMLHttpRequest (fetch reports no upload progress), reporting
 * 0..1 as they go. Rejects with an UploadError saying why.
 */
export function sendToSlot(
  slot: UploadSlot,
  blob: Blob,
  onProgress: (fraction: number) => void,
  signal?: AbortSignal,
): Promise<StoredUpload> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(slot.method, slot.url);
    xhr.responseType = 'json';
    if (blob.type) xhr.setRequestHeader('content-type', blob.type);
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable && event.total > 0) onProgress(event.loaded / event.total);
    };
    xhr.onload = () => {
      if (xhr.status === 201) return resolve(xhr.response as StoredUpload);
      const code = (xhr.response as { error?: { code?: string } } | null)?.error?.code;
      const kind: UploadErrorKind =
        xhr.status === 413
          ? 'size'
          : xhr.status === 415
            ? 'type'
            : xhr.status === 422
              ? 'unreadable'
              : code === 'EXPIRED'
                ? 'expired'
                : 'generic';
      reject(new UploadError(kind));
    };
    xhr.onerror = () => reject(new UploadError('network'));
    xhr.ontimeout = () => reject(new UploadError('network'));
    signal?.addEventListener('abort', () => xhr.abort(), { once: true });
    xhr.onabort = () => reject(new DOMException('aborted', 'AbortError'));
    xhr.send(blob);
  });
}

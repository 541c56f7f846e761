import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import type { UploadsConfig } from '../../config';

/** Where stored files live. Keys are ours (`public/<sha256>.jpg`, `private/<owner>/<id>.<ext>`), never a client's. */
export interface FileStore {
  readonly name: 'local' | 's3';
  put(key: string, body: Buffer, contentType: string): Promise<void>;
  /** The bytes, or null when there is no such file. */
  get(key: string): Promise<Buffer | null>;
  /** Deletes the file (no error when it is already gone): an erased account's files (data rights). */
  remove(key: string): Promise<void>;
}

const KEY = /^(public|private)\/[0-9a-z/-]+\.(jpg|pdf)$/;
function checkKey(key: string) {
  if (!KEY.test(key) || key.includes('..')) throw new Error(`bad storage key ${key}`);
}

/** Files under a folder (DATA_DIR/uploads): written to a temp name, then renamed, so a reader never sees half. */
export function localStore(dir: string): FileStore {
  const root = path.resolve(dir);
  return {
    name: 'local',
    async put(key, body) {
      checkKey(key);
      const file = path.join(root, key);
      await mkdir(path.dirname(file), { recursive: true });
      const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
      try {
        await writeFile(tmp, body, { mode: 0o600 });
        await rename(tmp, file);
      } catch (e) {
        await rm(tmp, { force: true });
        throw e;
      }
    },
    async get(key) {
      checkKey(key);
      try {
        return await readFile(path.join(root, key));
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw e;
      }
    },
    async remove(key) {
      checkKey(key);
      await rm(path.join(root, key), { force: true });
    },
  };
}

/** Any S3-compatible store (AWS, MinIO, R2, Spaces …) through the AWS SDK; the bucket stays private. */
export function s3Store(cfg: NonNullable<UploadsConfig['s3']>): FileStore {
  const client = new S3Client({
    region: cfg.region,
    endpoint: cfg.endpoint,
    forcePathStyle: cfg.forcePathStyle,
    credentials: cfg.credentials,
    // Checksums only when the operation requires them: several S3-compatible stores reject the newer
    // default CRC32 trailers on PutObject.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: 3,
  });
  return {
    name: 's3',
    async put(key, body, contentType) {
      checkKey(key);
      await client.send(
        new PutObjectCommand({
          Bucket: cfg.bucket,
          Key: key,
          Body: body,
          ContentType: contentType,
          ContentLength: body.length,
        }),
      );
    },
    async get(key) {
      checkKey(key);
      try {
        const out = await client.send(new GetObjectCommand({ Bucket: cfg.bucket, Key: key }));
        if (!out.Body) return null;
        return Buffer.from(await out.Body.transformToByteArray());
      } catch (e) {
        if (e instanceof NoSuchKey || (e as { name?: string }).name === 'NoSuchKey') return null;
        if ((e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) return null;
        throw e;
      }
    },
    async remove(key) {
      checkKey(key);
      // S3 answers 204 whether or not the key existed.
      await client.send(new DeleteObjectCommand({ Bucket: cfg.bucket, Key: key }));
    },
  };
}

export function createFileStore(cfg: UploadsConfig): FileStore {
  return cfg.s3 ? s3Store(cfg.s3) : localStore(cfg.dir);
}

import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { customer, technician, uniqueSpot } from '../../test/fixtures';
import { httpClient, startTestServer, type TestServer } from '../../test/harness';
import { startS3StandIn } from './s3-standin';
import { s3Store } from './storage';
import { exifGpsOf, jpegWithGps, pdfBytes, upload } from './upload.fixtures';

const S3 = { accessKeyId: 'AKIAFUNDITEST', region: 'eu-west-1', bucket: 'fundi-uploads' };

let standIn: Awaited<ReturnType<typeof startS3StandIn>>;
let server: TestServer;
let dataDir: string;
beforeAll(async () => {
  standIn = await startS3StandIn(S3);
  dataDir = mkdtempSync(path.join(tmpdir(), 'fundi-uploads-s3-'));
  server = await startTestServer(
    {
      DATA_DIR: dataDir,
      UPLOAD_SIGNING_KEY: 'test-upload-signing-key-for-the-s3-store-0001',
      S3_ENDPOINT: standIn.url,
      S3_BUCKET: S3.bucket,
      S3_REGION: S3.region,
      S3_ACCESS_KEY_ID: S3.accessKeyId,
      S3_SECRET_ACCESS_KEY: 'fundi-test-secret-key',
      S3_FORCE_PATH_STYLE: 'true',
    },
    { dispatch: false },
  );
});
afterAll(async () => {
  await server?.close();
  await standIn?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('S3-compatible storage (against a local stand-in speaking the S3 object API)', () => {
  it('stores re-encoded files in the bucket with SigV4-signed requests and serves them back', async () => {
    const t = await technician(server.services, uniqueSpot(), { online: false, listening: false });
    const client = httpClient(server, t.token);

    const doc = await upload(server, client, 'id_document', 'application/pdf', pdfBytes());
    expect(doc.res.status).toBe(201);
    const key = `private/${t.user.id}/${doc.slot.uploadId}.pdf`;
    expect(standIn.objects.get(key)?.contentType).toBe('application/pdf');
    const put = standIn.requests.find((r) => r.method === 'PUT' && r.path === `/${S3.bucket}/${key}`)!;
    expect(put.status).toBe(200);
    expect(put.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIAFUNDITEST\/\d{8}\/eu-west-1\/s3\/aws4_request, ?SignedHeaders=[a-z0-9;-]*host[a-z0-9;-]*, ?Signature=[0-9a-f]{64}$/,
    );

    // Read back through a signed URL of ours: the bucket itself stays private.
    const { url } = await client.upload.url.query({ uploadId: doc.slot.uploadId });
    const res = await fetch(new URL(url, server.url));
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer()).equals(pdfBytes())).toBe(true);
    expect(standIn.requests.some((r) => r.method === 'GET' && r.path === `/${S3.bucket}/${key}`)).toBe(true);

    // A photo: re-encoded before it reaches the bucket, no GPS in what is stored.
    const c = await customer(server.services);
    const cust = httpClient(server, c.token);
    const photo = await upload(server, cust, 'profile_photo', 'image/jpeg', await jpegWithGps(900, 700));
    expect(photo.res.status).toBe(201);
    const { url: publicUrl } = await cust.upload.setProfilePhoto.mutate({ uploadId: photo.slot.uploadId });
    const name = publicUrl.split('/').pop()!;
    const object = standIn.objects.get(`public/${name}`)!;
    expect(object.contentType).toBe('image/jpeg');
    expect(exifGpsOf(object.body)).toEqual({ exif: false, gps: false });
    const img = await fetch(new URL(publicUrl, server.url));
    expect(img.status).toBe(200);
    expect(img.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(Buffer.from(await img.arrayBuffer()).equals(object.body)).toBe(true);

    // Nothing went to the local disk.
    expect(readdirSync(dataDir).includes('uploads')).toBe(false);
  });

  it('a missing object reads as none; wrong credentials are refused by the store', async () => {
    const good = s3Store({
      endpoint: standIn.url,
      bucket: S3.bucket,
      region: S3.region,
      credentials: { accessKeyId: S3.accessKeyId, secretAccessKey: 'x' },
      forcePathStyle: true,
    });
    expect(await good.get('private/nobody/none.pdf')).toBeNull();
    await good.put('private/someone/a.pdf', pdfBytes(), 'application/pdf');
    expect((await good.get('private/someone/a.pdf'))?.equals(pdfBytes())).toBe(true);
    // Removed (an erased account's files): gone from the bucket; removing again is no error.
    await good.remove('private/someone/a.pdf');
    expect(standIn.objects.has('private/someone/a.pdf')).toBe(false);
    expect(await good.get('private/someone/a.pdf')).toBeNull();
    await good.remove('private/someone/a.pdf');

    const wrong = s3Store({
      endpoint: standIn.url,
      bucket: S3.bucket,
      region: S3.region,
      credentials: { accessKeyId: 'AKIAWRONG', secretAccessKey: 'x' },
      forcePathStyle: true,
    });
    await expect(wrong.put('private/someone/b.pdf', pdfBytes(), 'application/pdf')).rejects.toThrow();
    expect(standIn.objects.has('private/someone/b.pdf')).toBe(false);
  });
});

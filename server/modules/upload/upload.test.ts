import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uploads } from '../../../db/schema';
import { assignedBooking, codeOf, customer, technician, uniqueSpot } from '../../test/fixtures';
import { httpClient, startTestServer, type TestServer, uniqueEmail } from '../../test/harness';
import { sniff } from './process';
import {
  elfBytes,
  exeBytes,
  exifGpsOf,
  jpegWithGps,
  pdfBytes,
  pngBytes,
  rawPut,
  upload,
} from './upload.fixtures';
import { createUploadRepo } from './upload.repo';

const KEY = 'test-upload-signing-key-0123456789abcdef';
let server: TestServer;
let dataDir: string;
beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'fundi-uploads-'));
  server = await startTestServer({ DATA_DIR: dataDir, UPLOAD_SIGNING_KEY: KEY });
});
afterAll(async () => {
  await server.close();
  rmSync(dataDir, { recursive: true, force: true });
});
const svc = () => server.services;
const get = (url: string, init?: RequestInit) => fetch(new URL(url, server.url), init);
const row = async (id: string) =>
  (await svc().database.db.select().from(uploads).where(eq(uploads.id, id)))[0]!;

async function adminToken() {
  const email = uniqueEmail('admin');
  await svc().auth.ensureAdmin(email, 'admin password 1');
  return (await httpClient(server).auth.signIn.mutate({ email, password: 'admin password 1' })).token;
}

describe('what the bytes are, not what they are called', () => {
  it('sniffs JPEG, PNG, WebP and PDF by their first bytes, and nothing else', async () => {
    expect(sniff(await jpegWithGps(40, 40))).toBe('image/jpeg');
    expect(sniff(await pngBytes())).toBe('image/png');
    expect(
      sniff(
        await sharp({ create: { width: 4, height: 4, channels: 3, background: '#000' } })
          .webp()
          .toBuffer(),
      ),
    ).toBe('image/webp');
    expect(sniff(pdfBytes())).toBe('application/pdf');
    expect(sniff(elfBytes())).toBeNull();
    expect(sniff(exeBytes())).toBeNull();
    expect(sniff(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'))).toBeNull();
  });

  it('refuses a renamed executable with 415 and stores nothing', async () => {
    const c = await customer(svc());
    const client = httpClient(server, c.token);
    // "photo.jpg", declared image/jpeg: an ELF program.
    const elf = await upload(server, client, 'profile_photo', 'image/jpeg', elfBytes());
    expect(elf.res.status).toBe(415);
    expect(elf.res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(elf.body.error?.code).toBe('UNSUPPORTED_TYPE');
    expect((await row(elf.slot.uploadId)).status).toBe('pending');
    // "id.pdf", declared application/pdf: a Windows executable.
    const t = await technician(svc(), uniqueSpot(), { online: false, listening: false });
    const exe = await upload(
      server,
      httpClient(server, t.token),
      'id_document',
      'application/pdf',
      exeBytes(),
    );
    expect(exe.res.status).toBe(415);
    expect((await row(exe.slot.uploadId)).storageKey).toBeNull();
    // A PDF is a document, not a photo.
    const pdfAsPhoto = await upload(server, client, 'profile_photo', 'image/jpeg', pdfBytes());
    expect(pdfAsPhoto.res.status).toBe(415);
    // Types a kind never takes are refused when the slot is asked for.
    expect(
      await codeOf(
        client.upload.create.mutate({
          kind: 'profile_photo',
          contentType: 'application/x-msdownload',
          size: 10,
        }),
      ),
    ).toBe('BAD_REQUEST');
  });

  it('answers an empty body (no hang) with 415', async () => {
    const c = await customer(svc());
    const slot = await httpClient(server, c.token).upload.create.mutate({
      kind: 'profile_photo',
      contentType: 'image/jpeg',
      size: 100,
    });
    const res = await get(slot.url, { method: 'PUT', body: '', signal: AbortSignal.timeout(10_000) });
    expect(res.status).toBe(415);
  });

  it('refuses bytes that claim to be an image but are not one (422)', async () => {
    const c = await customer(svc());
    const broken = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(2000, 0x41)]);
    const r = await upload(server, httpClient(server, c.token), 'profile_photo', 'image/jpeg', broken);
    expect(r.res.status).toBe(422);
    expect(r.body.error?.code).toBe('UNREADABLE_IMAGE');
  });
});

describe('sizes', () => {
  it('refuses an oversized body with 413 as soon as it passes the declared size, without reading the rest', async () => {
    const c = await customer(svc());
    const client = httpClient(server, c.token);
    const slot = await client.upload.create.mutate({
      kind: 'profile_photo',
      contentType: 'image/jpeg',
      size: 10_000,
    });
    // Streamed (chunked, no length announced): 40 chunks of 4 KB = 160 KB would follow.
    const chunks = Array.from({ length: 40 }, () => Buffer.alloc(4096, 0xab));
    const r = await rawPut(server, slot.url, chunks, { pauseMs: 30 });
    expect(r.status).toBe(413);
    expect(r.response.toLowerCase()).toContain('connection: close');
    expect(r.closed).toBe(true);
    // Answered after the third chunk (12 KB > 10 KB), long before the 160 KB were sent.
    expect(r.sentBytes).toBeLessThanOrEqual(4 * 4096);
    expect((await row(slot.uploadId)).status).toBe('pending');
  });

  it('refuses at once a body announced longer than declared', async () => {
    const c = await customer(svc());
    const slot = await httpClient(server, c.token).upload.create.mutate({
      kind: 'profile_photo',
      contentType: 'image/jpeg',
      size: 1000,
    });
    const r = await rawPut(server, slot.url, [Buffer.alloc(1000), Buffer.alloc(1000)], {
      contentLength: 50_000_000,
      pauseMs: 200,
    });
    expect(r.status).toBe(413);
    expect(r.sentBytes).toBeLessThanOrEqual(1000);
  });

  it('refuses a declared size over the kind’s limit, and a URL whose signed size was changed', async () => {
    const c = await customer(svc());
    const client = httpClient(server, c.token);
    expect(
      await codeOf(
        client.upload.create.mutate({
          kind: 'profile_photo',
          contentType: 'image/jpeg',
          size: 50 * 1024 * 1024,
        }),
      ),
    ).toBe('BAD_REQUEST');
    const slot = await client.upload.create.mutate({
      kind: 'profile_photo',
      contentType: 'image/jpeg',
      size: 100,
    });
    const bigger = slot.url.replace('size=100', 'size=100000');
    const res = await get(bigger, { method: 'PUT', body: new Uint8Array(await jpegWithGps(100, 100)) });
    expect(res.status).toBe(403);
  });
});

describe('images are re-encoded without their metadata', () => {
  it('drops the EXIF GPS position (and all other metadata) and bounds the size', async () => {
    const t = await technician(svc(), uniqueSpot(), { online: false, listening: false });
    const photo = await jpegWithGps(3000, 2000);
    expect(exifGpsOf(photo)).toEqual({ exif: true, gps: true });
    const r = await upload(server, httpClient(server, t.token), 'id_document', 'image/jpeg', photo);
    expect(r.res.status).toBe(201);
    const stored = await row(r.slot.uploadId);
    expect(stored).toMatchObject({ status: 'stored', contentType: 'image/jpeg', width: 2400, height: 1600 });
    const file = path.join(dataDir, 'uploads', stored.storageKey!);
    const bytes = readFileSync(file);
    expect(exifGpsOf(bytes)).toEqual({ exif: false, gps: false });
    const meta = await sharp(bytes).metadata();
    expect(meta.exif).toBeUndefined();
    expect(meta.xmp).toBeUndefined();
    expect(meta.iptc).toBeUndefined();
    expect(bytes.includes(Buffer.from('PhoneCo'))).toBe(false);
    expect(stored.size).toBe(bytes.length);
  });

  it('turns a PNG with transparency into an opaque JPEG', async () => {
    const c = await customer(svc());
    const r = await upload(
      server,
      httpClient(server, c.token),
      'profile_photo',
      'image/png',
      await pngBytes(),
    );
    expect(r.res.status).toBe(201);
    expect(r.body).toMatchObject({ contentType: 'image/jpeg', width: 512, height: 512 });
  });

  it('uses a slot once', async () => {
    const c = await customer(svc());
    const bytes = await jpegWithGps(200, 200);
    const r = await upload(server, httpClient(server, c.token), 'profile_photo', 'image/jpeg', bytes);
    expect(r.res.status).toBe(201);
    const again = await get(r.slot.url, { method: 'PUT', body: new Uint8Array(bytes) });
    expect(again.status).toBe(409);
  });
});

describe('private files', () => {
  it('serves an ID document to its owner and admins only, through signed URLs', async () => {
    const t = await technician(svc(), uniqueSpot(), { online: false, listening: false });
    const owner = httpClient(server, t.token);
    const r = await upload(server, owner, 'id_document', 'application/pdf', pdfBytes());
    expect(r.res.status).toBe(201);
    const id = r.slot.uploadId;
    const stored = await row(id);
    expect(stored.storageKey).toBe(`private/${t.user.id}/${id}.pdf`);
    expect(existsSync(path.join(dataDir, 'uploads', 'public', `${stored.sha256}.jpg`))).toBe(false);

    // The owner gets a signed URL that works …
    const mine = await owner.upload.url.query({ uploadId: id });
    expect(mine.expiresAt).not.toBeNull();
    // Asked again within the window: the same URL (so the browser's cached copy is used).
    expect((await owner.upload.url.query({ uploadId: id })).url).toBe(mine.url);
    expect(Date.parse(mine.expiresAt!) - Date.now()).toBeGreaterThan(299_000);
    expect(Date.parse(mine.expiresAt!) - Date.now()).toBeLessThanOrEqual(600_000);
    const res = await get(mine.url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('cache-control')).toMatch(/^private, max-age=\d+$/);
    expect(Buffer.from(await res.arrayBuffer()).equals(pdfBytes())).toBe(true);
    // … and so does an admin.
    const admin = httpClient(server, await adminToken());
    expect((await get((await admin.upload.url.query({ uploadId: id })).url)).status).toBe(200);

    // A stranger (customer or another technician) is told it does not exist.
    const stranger = await customer(svc());
    expect(await codeOf(httpClient(server, stranger.token).upload.url.query({ uploadId: id }))).toBe(
      'NOT_FOUND',
    );
    const other = await technician(svc(), uniqueSpot(), { online: false, listening: false });
    expect(await codeOf(httpClient(server, other.token).upload.url.query({ uploadId: id }))).toBe(
      'NOT_FOUND',
    );
    expect(await codeOf(httpClient(server).upload.url.query({ uploadId: id }))).toBe('UNAUTHORIZED');

    // Without the signature, with another file's signature, or tampered: 403.
    expect((await get(`/files/private/${id}`)).status).toBe(403);
    const tampered = mine.url.replace(/sig=([^&]+)/, (_m, s: string) => `sig=${s.slice(0, -2)}AA`);
    expect((await get(tampered)).status).toBe(403);
    const someoneElse = await upload(
      server,
      httpClient(server, other.token),
      'certificate',
      'application/pdf',
      pdfBytes(),
    );
    const theirs = await httpClient(server, other.token).upload.url.query({
      uploadId: someoneElse.slot.uploadId,
    });
    expect((await get(`/files/private/${id}?${new URL(theirs.url, server.url).searchParams}`)).status).toBe(
      403,
    );
    const later = mine.url.replace(/expires=(\d+)/, (_m, e: string) => `expires=${Number(e) + 3600}`);
    expect((await get(later)).status).toBe(403);
  });

  it('customers cannot upload documents or job photos', async () => {
    const c = await customer(svc());
    const client = httpClient(server, c.token);
    for (const kind of ['id_document', 'certificate', 'job_photo'] as const)
      expect(await codeOf(client.upload.create.mutate({ kind, contentType: 'image/jpeg', size: 100 }))).toBe(
        'FORBIDDEN',
      );
  });
});

describe('signed URLs expire', () => {
  let short: TestServer;
  beforeAll(async () => {
    short = await startTestServer(
      { DATA_DIR: dataDir, UPLOAD_SIGNING_KEY: KEY, UPLOAD_URL_SECONDS: '1', UPLOAD_SLOT_SECONDS: '1' },
      { dispatch: false },
    );
  });
  afterAll(() => short.close());

  it('a private file URL works until it ends, then answers 403; so does an upload slot', async () => {
    const t = await technician(svc(), uniqueSpot(), { online: false, listening: false });
    // Stored through the main server (same database, files and key); the URL asked of the short one.
    const r = await upload(
      server,
      httpClient(server, t.token),
      'certificate',
      'image/jpeg',
      await jpegWithGps(300, 300),
    );
    expect(r.res.status).toBe(201);
    const client = httpClient(short, t.token);
    const { url, expiresAt } = await client.upload.url.query({ uploadId: r.slot.uploadId });
    expect(Date.parse(expiresAt!) - Date.now()).toBeLessThanOrEqual(2000);
    const late = await client.upload.create.mutate({
      kind: 'certificate',
      contentType: 'image/jpeg',
      size: 5000,
    });
    expect((await fetch(new URL(url, short.url))).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, Date.parse(expiresAt!) - Date.now() + 1200));
    const expired = await fetch(new URL(url, short.url));
    expect(expired.status).toBe(403);
    expect(await expired.text()).toMatch(/expired/);
    // The slot asked for before the wait has ended too.
    const put = await fetch(new URL(late.url, short.url), {
      method: 'PUT',
      body: new Uint8Array(await jpegWithGps(50, 50)),
    });
    expect(put.status).toBe(403);
    expect(((await put.json()) as { error: { code: string } }).error.code).toBe('EXPIRED');
  });
});

describe('profile photos', () => {
  it('a customer sets a photo by upload: public, cacheable, content-addressed', async () => {
    const c = await customer(svc());
    const client = httpClient(server, c.token);
    expect(await client.upload.profilePhoto.query()).toBeNull();
    const r = await upload(server, client, 'profile_photo', 'image/jpeg', await jpegWithGps(1200, 900));
    const set = await client.upload.setProfilePhoto.mutate({ uploadId: r.slot.uploadId });
    expect(set.url).toMatch(/^\/files\/public\/[0-9a-f]{64}\.jpg$/);
    expect(await client.upload.profilePhoto.query()).toEqual(set);
    const res = await get(set.url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/jpeg');
    expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    const etag = res.headers.get('etag')!;
    expect((await get(set.url, { headers: { 'if-none-match': etag } })).status).toBe(304);
    expect(exifGpsOf(Buffer.from(await res.arrayBuffer())).gps).toBe(false);
    // Anyone signed in may ask where someone's current photo is.
    const other = await customer(svc());
    expect((await httpClient(server, other.token).upload.url.query({ uploadId: r.slot.uploadId })).url).toBe(
      set.url,
    );
    // Nobody sets someone else's upload as their photo.
    expect(
      await codeOf(
        httpClient(server, other.token).upload.setProfilePhoto.mutate({ uploadId: r.slot.uploadId }),
      ),
    ).toBe('NOT_FOUND');
    expect(
      (await get('/files/public/0000000000000000000000000000000000000000000000000000000000000000.jpg'))
        .status,
    ).toBe(404);
  });

  it('a technician sets a photo by upload (technician.setPhoto) only: the old URL field is refused', async () => {
    const t = await technician(svc(), uniqueSpot(), { online: false, listening: false });
    const client = httpClient(server, t.token);
    const r = await upload(server, client, 'profile_photo', 'image/jpeg', await jpegWithGps(600, 800));
    const profile = await client.technician.setPhoto.mutate({ uploadId: r.slot.uploadId });
    expect(profile.photoUrl).toMatch(/^\/files\/public\/[0-9a-f]{64}\.jpg$/);
    expect((await client.technician.me.query()).photoUrl).toBe(profile.photoUrl);
    // Not a profile photo: refused.
    const doc = await upload(server, client, 'certificate', 'application/pdf', pdfBytes());
    expect(await codeOf(client.technician.setPhoto.mutate({ uploadId: doc.slot.uploadId }))).toBe(
      'BAD_REQUEST',
    );
    // A link is no photo: the old field is refused, and the uploaded photo stays.
    expect(
      await codeOf(
        // @ts-expect-error photoUrl is no longer part of the input
        client.technician.updateProfile.mutate({ photoUrl: 'https://example.com/me.jpg' }),
      ),
    ).toBe('BAD_REQUEST');
    expect((await client.technician.me.query()).photoUrl).toBe(profile.photoUrl);
  });
});

describe('before and after photos of a job', () => {
  it('only the assigned technician adds them, only while arrived or in progress; parties and admins see them', async () => {
    const { booking, customer: c, technician: t } = await assignedBooking(svc());
    const tech = httpClient(server, t.token);
    const cust = httpClient(server, c.token);
    const photo = async () =>
      (await upload(server, tech, 'job_photo', 'image/jpeg', await jpegWithGps(2000, 1500))).slot.uploadId;
    const first = await photo();

    // Assigned, not there yet.
    expect(
      await codeOf(tech.booking.addPhoto.mutate({ id: booking.id, uploadId: first, phase: 'before' })),
    ).toBe('CONFLICT');
    await tech.booking.advance.mutate({ id: booking.id, to: 'en_route' });
    expect(
      await codeOf(tech.booking.addPhoto.mutate({ id: booking.id, uploadId: first, phase: 'before' })),
    ).toBe('CONFLICT');
    await tech.booking.advance.mutate({ id: booking.id, to: 'arrived', confirmFar: true });

    // Arrived: before photo.
    const before = await tech.booking.addPhoto.mutate({ id: booking.id, uploadId: first, phase: 'before' });
    expect(before).toMatchObject({
      bookingId: booking.id,
      phase: 'before',
      addedBy: t.user.id,
      width: 1600,
      height: 1200,
    });
    // A retry answers the same; the same photo as "after" is a conflict.
    expect(
      (await tech.booking.addPhoto.mutate({ id: booking.id, uploadId: first, phase: 'before' })).uploadId,
    ).toBe(first);
    expect(
      await codeOf(tech.booking.addPhoto.mutate({ id: booking.id, uploadId: first, phase: 'after' })),
    ).toBe('CONFLICT');

    // Others cannot add: the customer (wrong role), another technician (not theirs), anyone's upload but one's own.
    const other = await technician(svc(), uniqueSpot(), { online: false, listening: false });
    const otherClient = httpClient(server, other.token);
    const otherPhoto = (
      await upload(server, otherClient, 'job_photo', 'image/jpeg', await jpegWithGps(100, 100))
    ).slot.uploadId;
    expect(
      await codeOf(
        otherClient.booking.addPhoto.mutate({ id: booking.id, uploadId: otherPhoto, phase: 'before' }),
      ),
    ).toBe('NOT_FOUND');
    expect(
      await codeOf(tech.booking.addPhoto.mutate({ id: booking.id, uploadId: otherPhoto, phase: 'before' })),
    ).toBe('NOT_FOUND');
    expect(
      await codeOf(cust.booking.addPhoto.mutate({ id: booking.id, uploadId: first, phase: 'before' })),
    ).toBe('FORBIDDEN');
    // A profile photo is not a job photo.
    const avatar = (await upload(server, tech, 'profile_photo', 'image/jpeg', await jpegWithGps(100, 100)))
      .slot.uploadId;
    expect(
      await codeOf(tech.booking.addPhoto.mutate({ id: booking.id, uploadId: avatar, phase: 'before' })),
    ).toBe('BAD_REQUEST');

    // In progress: after photo.
    await tech.booking.advance.mutate({ id: booking.id, to: 'in_progress' });
    const after = await tech.booking.addPhoto.mutate({
      id: booking.id,
      uploadId: await photo(),
      phase: 'after',
    });
    await tech.booking.advance.mutate({ id: booking.id, to: 'completed' });
    // Done: no more.
    expect(
      await codeOf(tech.booking.addPhoto.mutate({ id: booking.id, uploadId: await photo(), phase: 'after' })),
    ).toBe('CONFLICT');

    // The customer sees both, in order, and can load them; so do the technician and admins.
    const seen = await cust.booking.photos.query({ id: booking.id });
    expect(seen.map((p) => [p.uploadId, p.phase])).toEqual([
      [first, 'before'],
      [after.uploadId, 'after'],
    ]);
    const img = await get(seen[0]!.url);
    expect(img.status).toBe(200);
    expect(img.headers.get('content-type')).toBe('image/jpeg');
    expect(exifGpsOf(Buffer.from(await img.arrayBuffer()))).toEqual({ exif: false, gps: false });
    expect(await cust.upload.url.query({ uploadId: first })).toMatchObject({ uploadId: first });
    expect(await tech.booking.photos.query({ id: booking.id })).toHaveLength(2);
    expect(
      await httpClient(server, await adminToken()).booking.photos.query({ id: booking.id }),
    ).toHaveLength(2);

    // Anyone else: the booking does not exist, nor do its photos.
    const stranger = await customer(svc());
    expect(await codeOf(httpClient(server, stranger.token).booking.photos.query({ id: booking.id }))).toBe(
      'NOT_FOUND',
    );
    expect(await codeOf(otherClient.booking.photos.query({ id: booking.id }))).toBe('NOT_FOUND');

    // Once paid, the receipt carries the same photos (signed for its reader), before then after.
    await tech.payment.confirmCash.mutate({ bookingId: booking.id, amount: booking.price.total.amount });
    const receipt = await cust.payment.receipt.query({ bookingId: booking.id });
    expect(receipt.photos.map((p) => [p.uploadId, p.phase])).toEqual([
      [first, 'before'],
      [after.uploadId, 'after'],
    ]);
    expect((await get(receipt.photos[1]!.url)).status).toBe(200);
    expect(await codeOf(httpClient(server, stranger.token).upload.url.query({ uploadId: first }))).toBe(
      'NOT_FOUND',
    );
  });
});

describe('the signing key', () => {
  it('is generated once under DATA_DIR when UPLOAD_SIGNING_KEY is unset, and reused', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'fundi-uploads-key-'));
    const one = await startTestServer({ DATA_DIR: dir }, { dispatch: false });
    try {
      const c = await customer(one.services);
      const r = await upload(
        one,
        httpClient(one, c.token),
        'profile_photo',
        'image/jpeg',
        await jpegWithGps(64, 64),
      );
      expect(r.res.status).toBe(201);
      expect(readdirSync(dir)).toContain('upload-signing.key');
      const key = readFileSync(path.join(dir, 'upload-signing.key'), 'utf8').trim();
      expect(key).toMatch(/^[0-9a-f]{64}$/);
      const { createSigner } = await import('./signing');
      const again = createSigner({ key: undefined, dataDir: dir });
      const q = again.getQuery({ id: r.slot.uploadId, expires: 4_000_000_000 });
      expect(one.services.uploads.signer.verifyGet(r.slot.uploadId, q, Date.now())).not.toBe('invalid');
    } finally {
      await one.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('unused upload slots', () => {
  it('are deleted once well past their end, and only those', async () => {
    const c = await customer(svc());
    const api = httpClient(server, c.token);
    const slot = () =>
      api.upload.create.mutate({ kind: 'profile_photo', contentType: 'image/jpeg', size: 100 });
    const [old, fresh] = [await slot(), await slot()];
    await svc()
      .database.db.update(uploads)
      .set({ expiresAt: new Date(Date.now() - 2 * 86_400_000) })
      .where(eq(uploads.id, old.uploadId));
    const deleted = await createUploadRepo(svc().database.db).deleteExpiredSlots(
      new Date(Date.now() - 86_400_000),
    );
    expect(deleted).toBeGreaterThanOrEqual(1);
    expect(await row(old.uploadId)).toBeUndefined();
    expect(await row(fresh.uploadId)).toBeDefined();
  });
});

import net from 'node:net';
import sharp from 'sharp';
import type { UploadKind } from '../../contracts/upload';
import type { httpClient, TestServer } from '../../test/harness';

type Client = ReturnType<typeof httpClient>;

/** A phone-like photo: JPEG with camera EXIF and the GPS position of where it was taken. */
export function jpegWithGps(width = 2400, height = 1600) {
  return sharp({ create: { width, height, channels: 3, background: '#2a7f62' } })
    .jpeg({ quality: 90 })
    .withExif({
      IFD0: { Make: 'PhoneCo', Model: 'Fundi X1', Software: 'camera 1.0' },
      IFD3: {
        GPSLatitudeRef: 'N',
        GPSLatitude: '6/1 27/1 1234/100',
        GPSLongitudeRef: 'E',
        GPSLongitude: '3/1 23/1 4321/100',
      },
    })
    .toBuffer();
}

export const pngBytes = (width = 300, height = 200) =>
  sharp({ create: { width, height, channels: 4, background: { r: 200, g: 40, b: 40, alpha: 0.5 } } })
    .png()
    .toBuffer();

export const pdfBytes = () =>
  Buffer.from(
    '%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n',
  );

/** The first bytes of a Linux executable (ELF), padded: what a renamed "photo.jpg" program looks like. */
export const elfBytes = () =>
  Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]), Buffer.alloc(4000, 7)]);
/** A Windows executable's start ("MZ"). */
export const exeBytes = () => Buffer.concat([Buffer.from('MZ\x90\x00', 'latin1'), Buffer.alloc(4000, 1)]);

/**
 * Whether JPEG bytes carry an EXIF block with a GPS IFD (tag 0x8825 in IFD0): read from the bytes
 * themselves, not from a library that might hide what it did not parse.
 */
export function exifGpsOf(jpeg: Buffer): { exif: boolean; gps: boolean } {
  let i = 2;
  while (i + 4 < jpeg.length && jpeg[i] === 0xff) {
    const marker = jpeg[i + 1]!;
    if (marker === 0xda) break; // image data: no more metadata segments
    const len = jpeg.readUInt16BE(i + 2);
    if (marker === 0xe1 && jpeg.toString('latin1', i + 4, i + 10) === 'Exif\0\0') {
      const tiff = i + 10;
      const le = jpeg.toString('latin1', tiff, tiff + 2) === 'II';
      const u16 = (o: number) => (le ? jpeg.readUInt16LE(o) : jpeg.readUInt16BE(o));
      const u32 = (o: number) => (le ? jpeg.readUInt32LE(o) : jpeg.readUInt32BE(o));
      const ifd0 = tiff + u32(tiff + 4);
      const n = u16(ifd0);
      let gps = false;
      for (let e = 0; e < n; e++) if (u16(ifd0 + 2 + e * 12) === 0x8825) gps = true;
      return { exif: true, gps };
    }
    i += 2 + len;
  }
  return { exif: false, gps: false };
}

/** Asks for a slot and PUTs the bytes as a browser would (fetch); returns the slot and the response. */
export async function upload(
  server: TestServer,
  client: Client,
  kind: UploadKind,
  contentType: string,
  bytes: Buffer,
  declaredSize = bytes.length,
) {
  const slot = await client.upload.create.mutate({ kind, contentType, size: declaredSize });
  const res = await fetch(new URL(slot.url, server.url), {
    method: 'PUT',
    body: new Uint8Array(bytes),
    headers: { 'content-type': contentType },
  });
  const body = (await res.json()) as { uploadId?: string; error?: { code: string } };
  return { slot, res, body };
}

/**
 * Sends a request by hand on a socket: the head, then `chunks` one by one (chunked encoding unless the
 * head says otherwise), each after the previous was written, stopping as soon as an answer arrives.
 * Returns the answer and how many body bytes had been sent by then.
 */
export async function rawPut(
  server: TestServer,
  path: string,
  chunks: Buffer[],
  opts: { contentLength?: number; pauseMs?: number } = {},
): Promise<{ status: number; response: string; sentBytes: number; closed: boolean }> {
  const port = Number(new URL(server.url).port);
  const socket = net.connect(port, '127.0.0.1');
  await new Promise<void>((r) => socket.once('connect', () => r()));
  let response = '';
  let closed = false;
  const answered = new Promise<void>((resolve) => {
    socket.on('data', (d) => {
      response += d.toString('latin1');
      if (response.includes('\r\n\r\n')) resolve();
    });
    socket.on('close', () => {
      closed = true;
      resolve();
    });
    socket.on('error', () => resolve());
  });
  const chunked = opts.contentLength === undefined;
  socket.write(
    `PUT ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: image/jpeg\r\n${
      chunked ? 'Transfer-Encoding: chunked' : `Content-Length: ${opts.contentLength}`
    }\r\n\r\n`,
  );
  let sentBytes = 0;
  let done = false;
  void answered.then(() => {
    done = true;
  });
  for (const c of chunks) {
    if (done || socket.destroyed) break;
    const frame = chunked
      ? Buffer.concat([Buffer.from(`${c.length.toString(16)}\r\n`), c, Buffer.from('\r\n')])
      : c;
    await new Promise<void>((r) => socket.write(frame, () => r()));
    sentBytes += c.length;
    await new Promise((r) => setTimeout(r, opts.pauseMs ?? 20));
  }
  await Promise.race([answered, new Promise((r) => setTimeout(r, 5_000))]);
  // Give the server a moment to hang up after answering.
  if (!closed)
    await Promise.race([new Promise((r) => socket.once('close', r)), new Promise((r) => setTimeout(r, 500))]);
  socket.destroy();
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(response)?.[1] ?? 0);
  return { status, response, sentBytes, closed };
}

// The load side of the live-tracking benchmark: raw `ws` sockets speaking tRPC's WebSocket protocol or
// Socket.IO's (engine.io v4) protocol, with pre-built JSON strings, so one core can generate far more
// messages than @trpc/client or socket.io-client would. Both protocols carry the same fix payload.
//
//   tRPC      → {"method":"connectionParams","data":{"token":"…"}}            (URL has ?connectionParams=1)
//             → {"id":N,"method":"mutation","params":{"path":"tracking.update","input":{"points":[…]}}}
//             ← {"id":N,"result":{"type":"data","data":{"accepted":1,"rejected":0}}}
//   Socket.IO ← 0{"sid":…}   → 40{"token":"…"}   ← 40{"sid":…}
//             → 42N["fix",{"points":[…]}]                                        ← 43N[{"accepted":1,…}]
//             ← 2 (ping) → 3 (pong)
import WebSocket from 'ws';

export type Protocol = 'trpc' | 'socketio';

/** Fixed-bucket latency histogram: recording is an array increment. */
export class Histogram {
  private readonly buckets: Uint32Array;
  private readonly perMs: number;
  count = 0;
  max = 0;

  /** `resolutionMs` per bucket, up to `rangeMs` (slower goes in the last bucket). */
  constructor(resolutionMs = 0.01, rangeMs = 5_000) {
    this.perMs = 1 / resolutionMs;
    this.buckets = new Uint32Array(Math.ceil(rangeMs * this.perMs));
  }

  record(ms: number) {
    const i = Math.min(Math.max(0, Math.floor(ms * this.perMs)), this.buckets.length - 1);
    this.buckets[i]! += 1;
    this.count++;
    if (ms > this.max) this.max = ms;
  }

  /** Upper edge of the bucket holding the p-th percentile, in ms. */
  percentile(p: number): number {
    if (!this.count) return Number.NaN;
    const rank = Math.ceil((p / 100) * this.count);
    let seen = 0;
    for (let i = 0; i < this.buckets.length; i++) {
      seen += this.buckets[i]!;
      if (seen >= rank) return (i + 1) / this.perMs;
    }
    return this.max;
  }
}

/** The median: the mean of the middle two when the count is even. */
export function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Runs `fn` over `items`, at most `limit` at a time. */
export async function eachLimited<T>(items: T[], limit: number, fn: (item: T, i: number) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        await fn(items[i]!, i);
      }
    }),
  );
}

/**
 * Opens an authenticated socket. `onText` gets every application message after the handshake
 * (Socket.IO pings are answered here).
 */
export function openSocket(
  proto: Protocol,
  port: number,
  token: string,
  onText: (text: string) => void,
): Promise<WebSocket> {
  const url =
    proto === 'trpc'
      ? `ws://127.0.0.1:${port}/trpc?connectionParams=1`
      : `ws://127.0.0.1:${port}/socket.io/?EIO=4&transport=websocket`;
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error(`${proto}: no handshake within 20 s`));
    }, 20_000);
    let ready = false;
    const done = (e?: Error) => {
      clearTimeout(timer);
      if (e) reject(e);
      else {
        ready = true;
        resolve(ws);
      }
    };
    ws.on('error', (e) => {
      if (!ready) done(e);
    });
    ws.on('close', (code) => {
      if (!ready) done(new Error(`${proto}: closed during handshake (${code})`));
    });
    if (proto === 'trpc') {
      ws.on('open', () => {
        ws.send(JSON.stringify({ method: 'connectionParams', data: { token } }));
        done();
      });
      ws.on('message', (data: Buffer) => onText(data.toString('latin1')));
      return;
    }
    ws.on('message', (data: Buffer) => {
      const text = data.toString('latin1');
      if (ready) {
        if (text === '2') ws.send('3');
        else onText(text);
        return;
      }
      if (text.startsWith('0{')) ws.send(`40${JSON.stringify({ token })}`);
      else if (text.startsWith('40')) done();
      else if (text.startsWith('44')) {
        ws.terminate();
        done(new Error(`socket.io connect refused: ${text.slice(2, 200)}`));
      }
    });
  });
}

/** A fix as both protocols carry it: one point, like a phone's 3-second report. */
export function fixInput(lat: number, lng: number, recordedAtIso: string) {
  return `{"points":[{"lat":${lat.toFixed(6)},"lng":${lng.toFixed(6)},"accuracy":8,"heading":90,"speed":7.5,"recordedAt":"${recordedAtIso}"}]}`;
}

export function fixMessage(proto: Protocol, id: number, input: string) {
  return proto === 'trpc'
    ? `{"id":${id},"method":"mutation","params":{"path":"tracking.update","input":${input}}}`
    : `42${id}["fix",${input}]`;
}

export function watchMessage(proto: Protocol, id: number, bookingId: string) {
  return proto === 'trpc'
    ? `{"id":${id},"method":"subscription","params":{"path":"tracking.watch","input":{"bookingId":"${bookingId}"}}}`
    : `42${id}["watch",{"bookingId":"${bookingId}"}]`;
}

export type Reply = { id: number; ok: boolean; accepted: boolean; error: boolean };

/** The id and outcome of a call's reply, or null for anything else (subscription data, notices). */
export function parseReply(proto: Protocol, text: string): Reply | null {
  let id: number;
  if (proto === 'trpc') {
    if (!text.startsWith('{"id":')) return null;
    id = Number.parseInt(text.slice(6, 24), 10);
  } else {
    if (!text.startsWith('43')) return null;
    id = Number.parseInt(text.slice(2, 22), 10);
  }
  if (!Number.isFinite(id)) return null;
  const error = text.includes('"error"');
  return { id, ok: !error, accepted: !error && text.includes('"accepted":1'), error };
}

/**
 * Metres per fix (`BENCH_STEP_METERS`, default 2: a walk). The server stores a position only once it is
 * 25 m from the stored one, so the step sets how often the flush writes a technician: every 13th fix at
 * 2 m, every other one at 20 m (at 2.5 fixes/s, 50 m/s: near the fix filter's 55 m/s limit).
 */
const STEP_METERS = Number(process.env.BENCH_STEP_METERS) || 2;

/**
 * A technician's position: a straight walk of STEP_METERS per fix so every fix passes the server's filter
 * (plausible speed), and strictly increasing `recordedAt` (a duplicate timestamp is rejected).
 */
export class Mover {
  lat: number;
  lng: number;
  private lastAt = 0;
  private dLat: number;
  private dLng: number;

  constructor(at: { lat: number; lng: number }, rand: () => number) {
    this.lat = at.lat;
    this.lng = at.lng;
    const a = rand() * 2 * Math.PI;
    this.dLat = (STEP_METERS * Math.sin(a)) / 111_320;
    this.dLng = (STEP_METERS * Math.cos(a)) / 111_320;
  }

  next(): { lat: number; lng: number; at: number; iso: string } {
    this.lat += this.dLat;
    this.lng += this.dLng;
    const at = Math.max(Date.now(), this.lastAt + 1);
    this.lastAt = at;
    return { lat: this.lat, lng: this.lng, at, iso: new Date(at).toISOString() };
  }
}

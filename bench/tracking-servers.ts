// One live-tracking server under test per process (started by bench/tracking.ts, pinned to CPU 0):
//   node --expose-gc --import tsx bench/tracking-servers.ts <fundi|trpcws|socketio>
//
//   fundi     Fundi's own server (server/app.ts: tRPC on uWebSockets.js, our WebSocket adapter)
//   trpcws    the same appRouter and createContext on tRPC's own `ws` adapter (applyWSSHandler)
//   socketio  Socket.IO 4 doing the same work by hand: zod-validated fixes into services.tracking.ingest
//             with an ack; viewers join one room per technician and each fix is emitted to the room
//   uwsfloor  not a contender: the minimal validate-and-publish server written directly on uWebSockets.js
//             pub/sub (issue 15 §7's floor): a fix is parsed (JSON.parse), checked (lat/lng in range, a
//             readable recordedAt), acked and published to the technician's topic; no ingest, no ETA, no
//             persistence. What a server on uWS does at least per fix: Fundi's fan-out target is 0.8× it.
//
// All three run the same services, started (tracking flusher, dispatch sweeps), on the same database.
// Prints `{"ready":true,…}` on stdout once listening. Reads commands on stdin, one per line:
//   mem   → {"mem":{…}} after two forced GCs (RSS and heap, for per-connection memory)
//   stats → {"stats":{…}} tracking counters and connection count
//   snapshot → {"snapshot":"/tmp/….heapsnapshot"} after a GC (see bench/heap-diff.ts)
// Exits on SIGTERM/SIGINT or when stdin closes (never outlives the benchmark).
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { writeHeapSnapshot } from 'node:v8';
import { applyWSSHandler } from '@trpc/server/adapters/ws';
import { Server as SocketIOServer } from 'socket.io';
import { WebSocketServer } from 'ws';
import type { Database } from '../db/client';
import { startServer } from '../server/app';
import type { Config } from '../server/config';
import { trackingUpdateInput } from '../server/contracts/technician';
import { watchInput } from '../server/contracts/tracking';
import { setLogLevel } from '../server/lib/log';
import { createBookingRepo } from '../server/modules/booking/booking.repo';
import { livePosition } from '../server/modules/tracking/tracking.service';
import { connectCluster, createServices, type Services } from '../server/services';
import {
  type WebSocket as UwsSocket,
  type us_listen_socket,
  uws,
  uwsImplementation,
} from '../server/transport/uws';
import { createContext } from '../server/trpc/context';
import { appRouter } from '../server/trpc/root';
import { benchConfig, openBenchDatabase } from './server-setup';

const kinds = ['fundi', 'trpcws', 'socketio', 'uwsfloor'] as const;
type Kind = (typeof kinds)[number];
type Started = { port: number; services: Services; connections(): number; close(): Promise<void> };

/** As bench/servers.ts; BENCH_TRACKING_FLUSH_MS (diagnostics: 60000 ≈ no PostGIS flush during a phase). */
const trackingConfig = (): Config =>
  benchConfig(
    process.env.BENCH_TRACKING_FLUSH_MS ? { TRACKING_FLUSH_MS: process.env.BENCH_TRACKING_FLUSH_MS } : {},
  );

async function openServices(config: Config): Promise<{ services: Services; database: Database }> {
  const database = await openBenchDatabase(config);
  // BENCH_CHILD_REDIS_URL set (bench/tracking-cluster.ts): one node of several, on Redis like server/main.ts.
  const services = createServices(database, config, await connectCluster(config));
  // The tracking pipeline's background work (PostGIS flush every second, index rebuilt from the DB).
  await services.start();
  return { services, database };
}

const wsContext = (services: Services, config: Config, ip: string, token: unknown) =>
  createContext(services, config, {
    transport: 'ws',
    ip,
    cookieToken: null,
    bearerToken: typeof token === 'string' ? token : null,
    setCookie() {},
  });

async function startFundi(): Promise<Started> {
  const config = trackingConfig();
  setLogLevel(config.logLevel);
  const { services, database } = await openServices(config);
  const server = await startServer(config, services, database);
  return {
    port: server.port,
    services,
    connections: () => -1,
    async close() {
      await server.close();
      await services.stop();
      await database.close();
    },
  };
}

/** Baseline (a): tRPC's own WebSocket adapter on a `ws` WebSocketServer, same router and context. */
async function startTrpcWs(): Promise<Started> {
  const config = trackingConfig();
  setLogLevel(config.logLevel);
  const { services, database } = await openServices(config);
  const wss = new WebSocketServer({ host: config.host, port: 0, perMessageDeflate: false });
  await new Promise<void>((resolve, reject) => {
    wss.once('listening', resolve);
    wss.once('error', reject);
  });
  const handler = applyWSSHandler({
    wss,
    router: appRouter,
    createContext: ({ req, info }) =>
      wsContext(services, config, req.socket.remoteAddress ?? '', info.connectionParams?.token),
  });
  const address = wss.address();
  if (!address || typeof address === 'string') throw new Error('ws server has no TCP address');
  return {
    port: address.port,
    services,
    connections: () => wss.clients.size,
    async close() {
      handler.broadcastReconnectNotification();
      for (const c of wss.clients) c.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await services.stop();
      await database.close();
    },
  };
}

const WATCHABLE = new Set(['assigned', 'en_route', 'arrived']);

/**
 * Baseline (b): Socket.IO. `fix` (with ack) = the same zod validation + services.tracking.ingest as
 * tracking.update; `watch` (with ack) = the same authorisation as tracking.watch, then the socket joins
 * the technician's room; each fix that becomes the technician's current position is encoded once and
 * emitted to that room.
 */
async function startSocketIo(): Promise<Started> {
  const config = trackingConfig();
  setLogLevel(config.logLevel);
  const { services, database } = await openServices(config);
  const http = createServer();
  const io = new SocketIOServer(http, {
    transports: ['websocket'],
    serveClient: false,
    perMessageDeflate: false,
    httpCompression: false,
    maxHttpBufferSize: 256 * 1024,
  });
  const bookings = createBookingRepo(database.db);
  /** Watched technicians: their room and the booking's location (for distance and ETA). */
  const rooms = new Map<string, { room: string; target: { lat: number; lng: number } }>();

  io.use((socket, next) => {
    const token = (socket.handshake.auth as { token?: unknown } | undefined)?.token;
    wsContext(services, config, socket.handshake.address, token).then(
      (ctx) => {
        if (!ctx.user) return next(new Error('UNAUTHENTICATED'));
        socket.data.user = { id: ctx.user.id, role: ctx.user.role };
        next();
      },
      (e) => next(e instanceof Error ? e : new Error(String(e))),
    );
  });

  io.on('connection', (socket) => {
    const user = socket.data.user as { id: string; role: 'customer' | 'technician' | 'admin' };
    socket.on('fix', (input: unknown, ack?: (r: unknown) => void) => {
      try {
        if (user.role !== 'technician') throw new Error('FORBIDDEN_ROLE');
        const parsed = trackingUpdateInput.parse(input);
        const before = services.tracking.lastPosition(user.id);
        ack?.(services.tracking.ingest(user.id, parsed.points));
        const fix = services.tracking.lastPosition(user.id);
        const watched = rooms.get(user.id);
        if (watched && fix && fix !== before) {
          io.to(watched.room).emit(
            'location',
            livePosition(fix, watched.target, fix.speed ?? undefined, false),
          );
        }
      } catch (e) {
        ack?.({ error: e instanceof Error ? e.message.slice(0, 200) : 'error' });
      }
    });
    socket.on('watch', async (input: unknown, ack?: (r: unknown) => void) => {
      try {
        const { bookingId } = watchInput.parse(input);
        const view = await bookings.withParties(bookingId);
        if (!view || (user.role !== 'admin' && view.booking.customerId !== user.id))
          throw new Error('NOT_FOUND');
        const technicianId = view.booking.technicianId;
        if (!technicianId || !WATCHABLE.has(view.booking.status)) throw new Error('CONFLICT');
        const room = `t:${technicianId}`;
        const target = view.booking.location;
        if (!rooms.has(technicianId)) rooms.set(technicianId, { room, target });
        await socket.join(room);
        ack?.({ ok: true });
      } catch (e) {
        ack?.({ error: e instanceof Error ? e.message : 'error' });
      }
    });
  });

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(0, config.host, () => resolve());
  });
  const address = http.address();
  if (!address || typeof address === 'string') throw new Error('socket.io server has no TCP address');
  return {
    port: address.port,
    services,
    connections: () => io.engine.clientsCount,
    async close() {
      io.disconnectSockets(true);
      await new Promise<void>((resolve) => io.close(() => resolve()));
      await services.stop();
      await database.close();
    },
  };
}

/**
 * The floor (see the header): speaks just enough of tRPC's WebSocket protocol for the load generator.
 * Sessions and bookings are looked up once per connection and per watch, never per fix.
 */
async function startUwsFloor(): Promise<Started> {
  const config = trackingConfig();
  setLogLevel(config.logLevel);
  const { services, database } = await openServices(config);
  const bookings = createBookingRepo(database.db);
  type Conn = { userId: string | null };
  const decoder = new TextDecoder();
  let connections = 0;
  const reply = (ws: UwsSocket<Conn>, text: string) => void ws.send(text, false);
  const app = uws.App().ws<Conn>('/trpc', {
    maxPayloadLength: 256 * 1024,
    maxBackpressure: 1024 * 1024,
    idleTimeout: 0,
    upgrade: (res, req, context) =>
      res.upgrade<Conn>(
        { userId: null },
        req.getHeader('sec-websocket-key'),
        req.getHeader('sec-websocket-protocol'),
        req.getHeader('sec-websocket-extensions'),
        context,
      ),
    open: () => void connections++,
    close: () => void connections--,
    message: (ws, message) => {
      const text = decoder.decode(message);
      if (text.startsWith('{"id":')) {
        const id = Number.parseInt(text.slice(6, 24), 10);
        if (text.includes('"recordedAt":"')) {
          // Validate, then publish: the least any real server does with a fix.
          type Fix = { lat?: unknown; lng?: unknown; recordedAt?: unknown };
          let fix: Fix | undefined;
          try {
            fix = (JSON.parse(text) as { params?: { input?: { points?: Fix[] } } }).params?.input
              ?.points?.[0];
          } catch {
            fix = undefined;
          }
          const { lat, lng, recordedAt } = fix ?? {};
          if (
            typeof lat !== 'number' ||
            typeof lng !== 'number' ||
            !(Math.abs(lat) <= 90 && Math.abs(lng) <= 180) ||
            typeof recordedAt !== 'string' ||
            Number.isNaN(Date.parse(recordedAt))
          ) {
            return reply(ws, `{"id":${id},"error":{"message":"bad request"}}`);
          }
          const topic = ws.getUserData().userId;
          reply(ws, `{"id":${id},"result":{"type":"data","data":{"accepted":1,"rejected":0}}}`);
          if (topic) app.publish(topic, JSON.stringify({ lat, lng, recordedAt }), false);
          return;
        }
        const b = text.indexOf('"bookingId":"');
        if (b < 0) return reply(ws, `{"id":${id},"error":{"message":"bad request"}}`);
        void bookings.withParties(text.slice(b + 13, b + 49)).then((view) => {
          const technicianId = view?.booking.technicianId;
          if (!technicianId) return reply(ws, `{"id":${id},"error":{"message":"not found"}}`);
          ws.subscribe(technicianId);
          reply(ws, `{"id":${id},"result":{"type":"started"}}`);
        });
        return;
      }
      const t = text.indexOf('"token":"');
      if (t >= 0) {
        const token = text.slice(t + 9, text.indexOf('"', t + 9));
        void services.sessions.validate(token).then((session) => {
          ws.getUserData().userId = session?.user.id ?? null;
        });
      }
    },
  });
  const listening = await new Promise<us_listen_socket>((resolve, reject) =>
    app.listen(config.host, 0, (socket) =>
      socket ? resolve(socket) : reject(new Error('uwsfloor: listen failed')),
    ),
  );
  const port = uws.us_socket_local_port(listening);
  return {
    port,
    services,
    connections: () => connections,
    async close() {
      uws.us_listen_socket_close(listening);
      await services.stop();
      await database.close();
    },
  };
}

const starters: Record<Kind, () => Promise<Started>> = {
  fundi: startFundi,
  trpcws: startTrpcWs,
  socketio: startSocketIo,
  uwsfloor: startUwsFloor,
};

/**
 * Diagnostics: BENCH_ALLOC_PROFILE=<dir> samples every allocation (also those the GC has since freed)
 * and writes a .heapprofile there on exit — where the allocation rate comes from, by call stack.
 */
async function startAllocationProfile(): Promise<(() => Promise<void>) | null> {
  const dir = process.env.BENCH_ALLOC_PROFILE;
  if (!dir) return null;
  const { Session } = await import('node:inspector/promises');
  const { writeFileSync, mkdirSync } = await import('node:fs');
  const session = new Session();
  session.connect();
  await session.post('HeapProfiler.startSampling', {
    samplingInterval: 4096,
    includeObjectsCollectedByMajorGC: true,
    // BENCH_ALLOC_SURVIVORS=1: only what outlived a scavenge (promoted), the cost behind long minor GC pauses.
    includeObjectsCollectedByMinorGC: process.env.BENCH_ALLOC_SURVIVORS !== '1',
  });
  return async () => {
    const { profile } = await session.post('HeapProfiler.stopSampling');
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, `alloc-${process.pid}.heapprofile`), JSON.stringify(profile));
  };
}

let profiler: import('node:inspector/promises').Session | null = null;
/** Diagnostics: a CPU profile of the parent's measured window (BENCH_CPU_PROFILE=<dir> in bench/tracking.ts). */
async function cpuProfile(command: 'profile-start' | 'profile-stop'): Promise<string> {
  const dir = process.env.BENCH_CPU_PROFILE;
  if (!dir) return '';
  if (command === 'profile-start') {
    const { Session } = await import('node:inspector/promises');
    profiler = new Session();
    profiler.connect();
    await profiler.post('Profiler.enable');
    await profiler.post('Profiler.setSamplingInterval', { interval: 250 });
    await profiler.post('Profiler.start');
    return 'started';
  }
  if (!profiler) return '';
  const { profile } = await profiler.post('Profiler.stop');
  profiler.disconnect();
  profiler = null;
  const { writeFileSync, mkdirSync } = await import('node:fs');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `fanout-${process.pid}-${Date.now()}.cpuprofile`);
  writeFileSync(file, JSON.stringify(profile));
  return file;
}

async function main() {
  const kind = process.argv[2] as Kind;
  if (!kinds.includes(kind)) {
    process.stderr.write(`usage: tracking-servers.ts <${kinds.join('|')}>\n`);
    process.exit(2);
  }
  const server = await starters[kind]();
  const allocations = await startAllocationProfile();

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    setTimeout(() => process.exit(1), 8_000).unref();
    await allocations?.();
    await server.close().catch(() => {});
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
  process.stdin.on('end', () => void stop());
  process.stdin.on('error', () => void stop());

  if (process.env.BENCH_ELD === '1') {
    // Diagnostics: the server's own event-loop delay (what a fix waits before it is even read).
    const eld = monitorEventLoopDelay({ resolution: 1 });
    eld.enable();
    setInterval(() => {
      process.stderr.write(
        `eld p50 ${(eld.percentile(50) / 1e6).toFixed(2)} p99 ${(eld.percentile(99) / 1e6).toFixed(2)} max ${(eld.max / 1e6).toFixed(2)} ms\n`,
      );
      eld.reset();
    }, 2_000).unref();
  }
  const gc = (globalThis as { gc?: () => void }).gc;
  createInterface({ input: process.stdin }).on('line', (line) => {
    const command = line.trim();
    if (command === 'mem') {
      gc?.();
      gc?.();
      const m = process.memoryUsage();
      process.stdout.write(
        `${JSON.stringify({ mem: { rss: m.rss, heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers, gc: Boolean(gc) } })}\n`,
      );
    } else if (command === 'snapshot') {
      gc?.();
      const file = writeHeapSnapshot(path.join(tmpdir(), `fundi-${kind}-${Date.now()}.heapsnapshot`));
      process.stdout.write(`${JSON.stringify({ snapshot: file })}\n`);
    } else if (command === 'profile-start' || command === 'profile-stop') {
      void cpuProfile(command).then((answer) =>
        process.stdout.write(`${JSON.stringify({ [command]: answer })}\n`),
      );
    } else if (command === 'stats') {
      const stats = { connections: server.connections(), tracking: server.services.tracking.stats() };
      process.stdout.write(`${JSON.stringify({ stats })}\n`);
    }
  });

  process.stdout.write(
    `${JSON.stringify({ ready: true, kind, port: server.port, pid: process.pid, uws: uwsImplementation, node: process.version })}\n`,
  );
}

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});

// One live-tracking server under test per process (started by bench/tracking.ts, pinned to CPU 0):
//   node --expose-gc --import tsx bench/tracking-servers.ts <fundi|trpcws|socketio>
//
//   fundi     Fundi's own server (server/app.ts: tRPC on uWebSockets.js, our WebSocket adapter)
//   trpcws    the same appRouter and createContext on tRPC's own `ws` adapter (applyWSSHandler)
//   socketio  Socket.IO 4 doing the same work by hand: zod-validated fixes into services.tracking.ingest
//             with an ack; viewers join one room per technician and each fix is emitted to the room
//
// All three run the same services, started (tracking flusher, dispatch sweeps), on the same database.
// Prints `{"ready":true,…}` on stdout once listening. Reads commands on stdin, one per line:
//   mem   → {"mem":{…}} after two forced GCs (RSS and heap, for per-connection memory)
//   stats → {"stats":{…}} tracking counters and connection count
// Exits on SIGTERM/SIGINT or when stdin closes (never outlives the benchmark).
import { createServer } from 'node:http';
import { createInterface } from 'node:readline';
import { applyWSSHandler } from '@trpc/server/adapters/ws';
import { Server as SocketIOServer } from 'socket.io';
import { WebSocketServer } from 'ws';
import { type Database, openDatabase } from '../db/client';
import { startServer } from '../server/app';
import { type Config, loadConfig } from '../server/config';
import { trackingUpdateInput } from '../server/contracts/technician';
import { watchInput } from '../server/contracts/tracking';
import { etaSeconds } from '../server/lib/eta';
import { distanceMeters } from '../server/lib/geo';
import { setLogLevel } from '../server/lib/log';
import { createBookingRepo } from '../server/modules/booking/booking.repo';
import { channels } from '../server/realtime/bus';
import { createServices, type Services } from '../server/services';
import { uwsImplementation } from '../server/transport/uws';
import { createContext } from '../server/trpc/context';
import { appRouter } from '../server/trpc/root';

const kinds = ['fundi', 'trpcws', 'socketio'] as const;
type Kind = (typeof kinds)[number];
type Started = { port: number; services: Services; connections(): number; close(): Promise<void> };

function benchConfig(): Config {
  return loadConfig({
    NODE_ENV: 'production',
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: process.env.BENCH_DATABASE_URL,
    DATABASE_POOL_SIZE: process.env.BENCH_POOL_SIZE ?? '10',
    SEED_DEMO: 'false',
    LOG_LEVEL: 'warn',
    AUTH_RATE_LIMIT: '1000000000',
    STATIC_DIR: './dist',
    // Diagnostics: e.g. 60000 to see ingest latency without the once-a-second PostGIS flush.
    ...(process.env.BENCH_TRACKING_FLUSH_MS
      ? { TRACKING_FLUSH_MS: process.env.BENCH_TRACKING_FLUSH_MS }
      : {}),
  });
}

async function openServices(config: Config): Promise<{ services: Services; database: Database }> {
  if (!config.databaseUrl) throw new Error('BENCH_DATABASE_URL is not set (bench/tracking.ts sets it)');
  const database = await openDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    poolSize: config.databasePoolSize,
  });
  const services = createServices(database, config);
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
  const config = benchConfig();
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
  const config = benchConfig();
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
 * the technician's room; each accepted fix is encoded once and emitted to that room.
 */
async function startSocketIo(): Promise<Started> {
  const config = benchConfig();
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
  /** One bus listener per watched technician, emitting to the room. */
  const rooms = new Map<string, () => void>();

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
        ack?.(services.tracking.ingest(user.id, parsed.points));
      } catch (e) {
        ack?.({ error: e instanceof Error ? e.message.slice(0, 200) : 'error' });
      }
    });
    socket.on('watch', async (input: unknown, ack?: (r: unknown) => void) => {
      try {
        const { bookingId } = watchInput.parse(input);
        const view = await bookings.view(bookingId);
        if (!view || (user.role !== 'admin' && view.booking.customerId !== user.id))
          throw new Error('NOT_FOUND');
        const technicianId = view.booking.technicianId;
        if (!technicianId || !WATCHABLE.has(view.booking.status)) throw new Error('CONFLICT');
        const room = `t:${technicianId}`;
        const target = view.booking.location;
        if (!rooms.has(room)) {
          rooms.set(
            room,
            services.bus.on(
              channels.location(technicianId),
              (fix: {
                lat: number;
                lng: number;
                recordedAt: number;
                accuracy: number | null;
                heading: number | null;
                speed: number | null;
              }) => {
                const d = Math.round(distanceMeters(fix, target));
                io.to(room).emit('location', {
                  lat: fix.lat,
                  lng: fix.lng,
                  accuracy: fix.accuracy,
                  heading: fix.heading,
                  speed: fix.speed,
                  recordedAt: new Date(fix.recordedAt).toISOString(),
                  stale: false,
                  etaSeconds: etaSeconds(d, fix.speed ?? undefined),
                  distanceMeters: d,
                });
              },
            ),
          );
        }
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
      for (const off of rooms.values()) off();
      io.disconnectSockets(true);
      await new Promise<void>((resolve) => io.close(() => resolve()));
      await services.stop();
      await database.close();
    },
  };
}

const starters: Record<Kind, () => Promise<Started>> = {
  fundi: startFundi,
  trpcws: startTrpcWs,
  socketio: startSocketIo,
};

async function main() {
  const kind = process.argv[2] as Kind;
  if (!kinds.includes(kind)) {
    process.stderr.write(`usage: tracking-servers.ts <${kinds.join('|')}>\n`);
    process.exit(2);
  }
  const server = await starters[kind]();

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    setTimeout(() => process.exit(1), 8_000).unref();
    await server.close().catch(() => {});
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
  process.stdin.on('end', () => void stop());
  process.stdin.on('error', () => void stop());

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

// One server under test per process, so the benchmark can read that process's CPU time from
// /proc/<pid>/stat without counting the load generator. Started by bench/api.ts as:
//   node --import tsx bench/servers.ts <fundi|standalone|raw>
// It prints one JSON line `{"ready":true,"port":…}` on stdout once listening, and exits on SIGTERM/SIGINT
// or when its stdin closes (so it never outlives a parent that died without cleaning up).
import type { IncomingMessage } from 'node:http';
import { createHTTPServer } from '@trpc/server/adapters/standalone';
import type { Database } from '../db/client';
import { startServer } from '../server/app';
import type { Config } from '../server/config';
import { setLogLevel } from '../server/lib/log';
import { connectCluster, createServices, type Services } from '../server/services';
import { uws, uwsImplementation } from '../server/transport/uws';
import { createContext, readSessionCookie } from '../server/trpc/context';
import { appRouter } from '../server/trpc/root';
import { benchConfig, openBenchDatabase } from './server-setup';

const serverKinds = ['fundi', 'standalone', 'raw'] as const;
type ServerKind = (typeof serverKinds)[number];

type Started = { port: number; close(): Promise<void> };

async function openServices(config: Config): Promise<{ services: Services; database: Database }> {
  const database = await openBenchDatabase(config);
  // BENCH_CHILD_REDIS_URL set (bench/api-cluster.ts): one node of several, on Redis.
  return { services: createServices(database, config, await connectCluster(config)), database };
}

async function startFundi(): Promise<Started> {
  const config = benchConfig();
  setLogLevel(config.logLevel);
  const { services, database } = await openServices(config);
  const server = await startServer(config, services, database);
  return {
    port: server.port,
    async close() {
      await server.close();
      await services.stop();
      await database.close();
    },
  };
}

/** Mirrors what server/transport/http.ts extracts from a request, but from Node's IncomingMessage. */
function requestMeta(req: IncomingMessage, setCookie: (v: string) => void) {
  const authorization = req.headers.authorization ?? '';
  const cookie = req.headers.cookie ?? '';
  return {
    transport: 'http' as const,
    ip: req.socket.remoteAddress ?? '',
    cookieToken: cookie ? readSessionCookie(cookie) : null,
    bearerToken: /^Bearer (.+)$/i.exec(authorization)?.[1]?.trim() ?? null,
    setCookie,
  };
}

/** The baseline: the same router and context on tRPC's own Node adapter. */
async function startStandalone(): Promise<Started> {
  const config = benchConfig();
  setLogLevel(config.logLevel);
  const { services, database } = await openServices(config);
  const server = createHTTPServer({
    router: appRouter,
    basePath: '/trpc/',
    createContext: ({ req, res }) =>
      createContext(
        services,
        config,
        requestMeta(req, (v) => res.appendHeader('set-cookie', v)),
      ),
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, config.host, () => resolve());
  });
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('standalone server has no TCP address');
  return {
    port: address.port,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await services.stop();
      await database.close();
    },
  };
}

/** The ceiling: uWS doing nothing but writing a tiny JSON body (no tRPC, no database). */
async function startRaw(): Promise<Started> {
  const app = uws.App();
  app.get('/hello', (res) => {
    res.cork(() => {
      res.writeHeader('content-type', 'application/json').end('{"hello":"world"}');
    });
  });
  const listenSocket = await new Promise<NonNullable<unknown>>((resolve, reject) => {
    app.listen('127.0.0.1', 0, (socket) =>
      socket ? resolve(socket) : reject(new Error('raw uWS could not listen')),
    );
  });
  return {
    port: uws.us_socket_local_port(listenSocket as never),
    async close() {
      uws.us_listen_socket_close(listenSocket as never);
      (app as unknown as { close(): void }).close();
    },
  };
}

const starters: Record<ServerKind, () => Promise<Started>> = {
  fundi: startFundi,
  standalone: startStandalone,
  raw: startRaw,
};

async function main() {
  const kind = process.argv[2] as ServerKind;
  if (!serverKinds.includes(kind)) {
    process.stderr.write(`usage: servers.ts <${serverKinds.join('|')}>\n`);
    process.exit(2);
  }
  const server = await starters[kind]();

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    // A stuck close (e.g. a DB pool that will not drain) must not keep the process alive.
    setTimeout(() => process.exit(1), 5_000).unref();
    await server.close().catch(() => {});
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
  process.stdin.on('end', () => void stop());
  process.stdin.on('error', () => void stop());
  process.stdin.resume();

  process.stdout.write(
    `${JSON.stringify({ ready: true, kind, port: server.port, pid: process.pid, uws: uwsImplementation, node: process.version })}\n`,
  );
}

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});

// First: the process-wide error handlers are in place before anything else loads (issue 15 §2).
import './lib/process-guards';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { type Database, openDatabase } from '../db/client';
import { seedCatalog } from '../db/seed/catalog';
import { seedDemo } from '../db/seed/demo';
import { type RunningServer, startServer } from './app';
import { type Config, ConfigError, loadConfig } from './config';
import { log, setLogLevel } from './lib/log';
import { connectCluster, createServices } from './services';
import { parseStartOptions, StartOptionsError, startUsage } from './start-options';
import { uwsImplementation } from './transport/uws';

async function main() {
  let options: ReturnType<typeof parseStartOptions>;
  try {
    options = parseStartOptions(process.argv.slice(2), process.env);
  } catch (e) {
    if (e instanceof StartOptionsError) {
      process.stderr.write(`${e.message}\n\n${startUsage}`);
      process.exit(2);
    }
    throw e;
  }
  if (options.help) {
    process.stdout.write(startUsage);
    process.exit(0);
  }

  let config: Config;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`${e.message}\n`);
      process.exit(1);
    }
    throw e;
  }
  setLogLevel(config.logLevel);
  const { drainMs } = config;

  if (options.simulate !== null) {
    if (!config.seedDemo) {
      process.stderr.write(
        '--simulate drives technicians that the demo admin verifies, so it needs the demo data: unset SEED_DEMO=false\n' +
          '(or run `npm run simulate -- --admin-email … --admin-password …` against this server yourself).\n',
      );
      process.exit(1);
    }
    // Every simulated technician signs in (or, the first time, signs up) from 127.0.0.1, and both are
    // limited per IP: the default 20 per 10 minutes would hold all but a handful back for many minutes.
    // Rather than sneak the simulator past the limiter, or have it crawl under it, this demo run allows
    // exactly that many more attempts per IP (one sign-in and one sign-up each, plus the admin's sign-in;
    // sessions are cached, so restarts need none), and keeps the configured allowance on top for people.
    // Their sockets (one each) come from 127.0.0.1 as well.
    config = {
      ...config,
      authRateLimit: config.authRateLimit + options.simulate + 1,
      ws: { ...config.ws, maxSocketsPerIp: config.ws.maxSocketsPerIp + options.simulate },
      // Simulated technicians cannot receive an SMS code (issue 11 §3).
      notifications: { ...config.notifications, technicianPhoneRequired: false },
    };
  }

  if (uwsImplementation !== 'native' && process.env.UWS_ALLOW_FALLBACK !== '1') {
    process.stderr.write(
      `uWebSockets.js could not load its native binary on Node ${process.version} (ABI ${process.versions.modules}).\n` +
        'Fundi needs Node.js 20 (see README). Set UWS_ALLOW_FALLBACK=1 to run on the slow JavaScript fallback anyway.\n',
    );
    process.exit(1);
  }

  const database = await openDatabase({
    databaseUrl: config.databaseUrl,
    migrationUrl: config.databaseMigrationUrl,
    dataDir: config.dataDir,
    poolSize: config.databasePoolSize,
    prepare: config.databasePrepare,
  });
  log.info('database opened', {
    driver: database.driver,
    dataDir: database.driver === 'pglite' ? config.dataDir : undefined,
  });
  await database.migrate();
  log.info('migrations applied');

  // REDIS_URL set: one node of several (events, presence, limits and revocations shared through Redis).
  let redis: Awaited<ReturnType<typeof connectCluster>>;
  try {
    redis = await connectCluster(config);
  } catch (e) {
    process.stderr.write(
      `${(e as Error).message}\n(REDIS_URL is set, so this node runs in cluster mode and needs it.)\n`,
    );
    process.exit(1);
  }
  if (redis) log.info('cluster mode: Redis connected', { node: config.nodeId });
  const services = createServices(database, config, redis);
  // Demo accounts share a password printed in the README: a production database must not have them.
  if (config.nodeEnv === 'production') {
    const demo = await services.auth.demoAccounts();
    if (demo.length) {
      process.stderr.write(
        `Refusing to start in production: this database has demo accounts with a published password (${demo.join(', ')}).\n` +
          'Delete them (or point DATABASE_URL at the production database) and start again.\n',
      );
      process.exit(1);
    }
  }
  if (config.admin) {
    const { created } = await services.auth.ensureAdmin(config.admin.email, config.admin.password);
    if (created) log.info('admin created', { email: config.admin.email });
  }
  await seedCatalog(database.db);
  if (config.seedDemo) {
    const seeded = await seedDemo(services);
    if (seeded.created.length) log.info('demo data seeded', { accounts: seeded.created });
  }
  await services.start();

  const server = await startServer(config, services, database);
  log.info(`Fundi is listening on ${server.url}`, { uws: uwsImplementation, node: process.version });

  const simulator =
    options.simulate === null ? null : startSimulator(options.simulate, config, server, database);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info('shutting down', { signal, drainSeconds: drainMs / 1000 });
    const force = setTimeout(() => {
      log.error('shutdown took too long, exiting');
      process.exit(1);
    }, 15_000 + drainMs);
    force.unref();
    // /healthz answers 503 from now on; we keep serving until the load balancer has noticed and stopped
    // sending new requests here. Meanwhile (the API still answers) the simulated technicians go offline.
    server.drain();
    await Promise.all([new Promise((r) => setTimeout(r, drainMs)), simulator?.stop()]);
    // Closing sends every WebSocket tRPC's `reconnect` notice: clients reconnect, through the load
    // balancer, to another node.
    await server.close();
    await services.stop();
    await database.close();
    log.info('bye');
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

/**
 * `--simulate`: scripts/simulate.ts in a child process against this server, as any other client would
 * reach it (tRPC over WebSocket, loopback). Its periodic counter line goes to our log; it is stopped
 * (its technicians going offline) before the server closes, and exits by itself if we die first.
 */
function startSimulator(technicians: number, config: Config, server: RunningServer, database: Database) {
  // A wildcard listen address is reached on loopback; an IPv6 literal goes in brackets.
  const loopback: Record<string, string> = { '0.0.0.0': '127.0.0.1', '::': '[::1]' };
  const host = loopback[config.host] ?? (config.host.includes(':') ? `[${config.host}]` : config.host);
  const args = [
    '--import',
    'tsx',
    fileURLToPath(new URL('../scripts/simulate.ts', import.meta.url)),
    ...['--technicians', String(technicians), '--city', config.market],
    ...['--url', `${config.tls ? 'https' : 'http'}://${host}:${server.port}`],
    // One summary line every half minute: it shares the console with the server's log.
    ...['--report', '30'],
    // Sessions belong to the database they were issued by.
    ...(database.driver === 'pglite' ? ['--sessions', path.join(config.dataDir, 'sim-sessions.json')] : []),
  ];
  // Its own process group, so a Ctrl-C in the terminal reaches only us and we stop it in order; the IPC
  // channel is how it notices if we die without doing so.
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe', 'ipc'], detached: true });
  log.info('simulator started', { technicians, pid: child.pid, authRateLimit: config.authRateLimit });
  createInterface({ input: child.stdout! }).on('line', (line) => log.info(`simulator: ${line}`));
  createInterface({ input: child.stderr! }).on('line', (line) => log.warn(`simulator: ${line}`));

  let stopping = false;
  const closed = once(child, 'close').catch(() => undefined);
  child.on('error', (e) => log.error('simulator could not start', { error: e.message }));
  child.on('exit', (code, signal) => {
    if (!stopping) log.warn('simulator exited; the server keeps running', { code, signal });
  });
  return {
    async stop() {
      stopping = true;
      if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 6_000);
      await closed;
      clearTimeout(timer);
    },
  };
}

main().catch((e) => {
  log.error('failed to start', { error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
  process.exit(1);
});

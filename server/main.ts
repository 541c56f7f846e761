import { openDatabase } from '../db/client';
import { seedCatalog } from '../db/seed/catalog';
import { seedDemo } from '../db/seed/demo';
import { startServer } from './app';
import { ConfigError, loadConfig } from './config';
import { log, setLogLevel } from './lib/log';
import { createServices } from './services';
import { uwsImplementation } from './transport/uws';

async function main() {
  let config: ReturnType<typeof loadConfig>;
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

  if (uwsImplementation !== 'native' && process.env.UWS_ALLOW_FALLBACK !== '1') {
    process.stderr.write(
      `uWebSockets.js could not load its native binary on Node ${process.version} (ABI ${process.versions.modules}).\n` +
        'Fundi needs Node.js 20 (see README). Set UWS_ALLOW_FALLBACK=1 to run on the slow JavaScript fallback anyway.\n',
    );
    process.exit(1);
  }

  const database = await openDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    poolSize: config.databasePoolSize,
  });
  log.info('database opened', {
    driver: database.driver,
    dataDir: database.driver === 'pglite' ? config.dataDir : undefined,
  });
  await database.migrate();
  log.info('migrations applied');

  const services = createServices(database, config);
  if (config.admin) {
    const { created } = await services.auth.ensureAdmin(config.admin.email, config.admin.password);
    if (created) log.info('admin created', { email: config.admin.email });
  }
  await seedCatalog(database.db);
  if (config.seedDemo) {
    const seeded = await seedDemo(services, config.market);
    if (seeded.created.length) log.info('demo data seeded', { accounts: seeded.created });
  }
  await services.start();

  const server = await startServer(config, services, database);
  log.info(`Fundi is listening on ${server.url}`, { uws: uwsImplementation, node: process.version });

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info('shutting down', { signal });
    const force = setTimeout(() => {
      log.error('shutdown took too long, exiting');
      process.exit(1);
    }, 15_000);
    force.unref();
    await server.close();
    await services.stop();
    await database.close();
    log.info('bye');
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((e) => {
  log.error('failed to start', { error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
  process.exit(1);
});

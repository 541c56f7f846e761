import { type Database, openDatabase } from '../db/client';
import { ConfigError, loadConfig } from '../server/config';
import { createServices, type Services } from '../server/services';

/** Opens the configured database (same env as the server), migrated, for one-off commands. */
export async function withServices(fn: (s: Services, db: Database) => Promise<void>) {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (e) {
    process.stderr.write(`${e instanceof ConfigError ? e.message : String(e)}\n`);
    process.exit(1);
  }
  const database = await openDatabase({
    databaseUrl: config.databaseUrl,
    migrationUrl: config.databaseMigrationUrl,
    dataDir: config.dataDir,
    poolSize: 2,
  });
  const services = createServices(database, config);
  try {
    await database.migrate();
    await fn(services, database);
  } finally {
    await services.stop();
    await database.close();
  }
}

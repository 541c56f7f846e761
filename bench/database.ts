import postgres from 'postgres';
import { type Database, openDatabase } from '../db/client';

/**
 * A fresh, migrated database for one benchmark run, on the server tests also use. Its drop is pushed
 * onto `cleanups` (FORCE: a server killed mid-request may leave a connection behind).
 */
export async function createMigratedDatabase(
  prefix: string,
  cleanups: Array<() => Promise<void>>,
  prepare: (database: Database) => Promise<void> = async () => {},
): Promise<{ name: string; url: string }> {
  const adminUrl =
    process.env.TEST_DATABASE_URL ??
    process.env.DATABASE_URL ??
    'postgres://postgres@127.0.0.1:5432/postgres';
  const name = `${prefix}_${new Date().toISOString().replace(/\D/g, '').slice(0, 14)}_${process.pid}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database "${name}"`);
  cleanups.push(async () => {
    await admin.unsafe(`drop database if exists "${name}" with (force)`);
    await admin.end({ timeout: 5 });
    console.log(`dropped database ${name}`);
  });
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const database = await openDatabase({
    databaseUrl: url.toString(),
    dataDir: '.data-bench-unused',
    poolSize: 1,
  });
  try {
    await database.migrate();
    await prepare(database);
  } finally {
    await database.close();
  }
  return { name, url: url.toString() };
}

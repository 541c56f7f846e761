import postgres from 'postgres';
import type { TestProject } from 'vitest/node';
import { openDatabase } from '../../db/client';

/** The server tests may create and drop databases on. */
export const adminUrl = () =>
  process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** A fresh database per run, migrated once; dropped afterwards. */
export default async function setup(project: TestProject) {
  if (project.config.env?.TEST_DRIVER === 'pglite') return;
  const base = adminUrl();
  const admin = postgres(base, { max: 1, onnotice: () => {} });
  try {
    await admin`select 1`;
  } catch (e) {
    throw new Error(
      `Tests need PostgreSQL with PostGIS: could not connect to ${redact(base)} (set TEST_DATABASE_URL). ${String(e)}`,
    );
  }
  const name = `fundi_test_${Date.now()}_${process.pid}`;
  await admin.unsafe(`create database ${name}`);
  const url = new URL(base);
  url.pathname = `/${name}`;
  const database = await openDatabase({ databaseUrl: url.toString(), dataDir: '' });
  try {
    await database.migrate();
  } catch (e) {
    await database.close();
    await admin.unsafe(`drop database if exists ${name} with (force)`);
    await admin.end();
    throw new Error(
      `Migrations failed on ${name} (is PostGIS installed? apt-get install postgresql-15-postgis-3): ${e}`,
    );
  }
  await database.close();
  project.provide('databaseUrl', url.toString());
  return async () => {
    await admin.unsafe(`drop database if exists ${name} with (force)`);
    await admin.end();
  };
}

const redact = (u: string) => u.replace(/\/\/([^:@/]+):[^@/]+@/, '//$1:***@');

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
  }
}

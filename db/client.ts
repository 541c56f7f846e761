import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { btree_gist } from '@electric-sql/pglite/contrib/btree_gist';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { unaccent } from '@electric-sql/pglite/contrib/unaccent';
import { postgis } from '@electric-sql/pglite-postgis';
import { type Column, type ExtractTablesWithRelations, type SQL, sql } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { currentRole, grantAppRole } from './app-role';
import * as schema from './schema';

export type Schema = typeof schema;
/** One Drizzle API over both drivers: repos only ever see this type. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
export type Tx = PgTransaction<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;
export type DbOrTx = Db | Tx;

export type Database = {
  db: Db;
  driver: 'postgres' | 'pglite';
  migrate(): Promise<void>;
  ping(): Promise<void>;
  close(): Promise<void>;
};

export const migrationsFolder = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');

export type DatabaseOptions = {
  databaseUrl?: string;
  /**
   * PostgreSQL only: migrations connect with this URL (the tables' owner) instead of `databaseUrl`, and
   * then grant the app's role (the one `databaseUrl` logs in as) what it needs: INSERT and SELECT only
   * on the audit trail (db/app-role.ts).
   */
  migrationUrl?: string;
  dataDir: string;
  poolSize?: number;
};

/** `databaseUrl` set → postgres.js against a real PostgreSQL + PostGIS; unset → embedded PGlite under `dataDir`. */
export async function openDatabase(opts: DatabaseOptions): Promise<Database> {
  if (opts.databaseUrl) {
    const client = postgres(opts.databaseUrl, {
      max: opts.poolSize ?? 10,
      onnotice: () => {},
      // A database that is down fails requests cleanly within this, instead of holding them.
      connect_timeout: 10,
      connection: { application_name: 'fundi' },
    });
    const db = drizzlePostgres(client, { schema, casing: 'snake_case' }) as unknown as Db;
    return {
      db,
      driver: 'postgres',
      migrate: async () => {
        if (!opts.migrationUrl) return migratePostgres(drizzlePostgres(client), { migrationsFolder });
        const owner = postgres(opts.migrationUrl, { max: 1, onnotice: () => {}, connect_timeout: 10 });
        try {
          await migratePostgres(drizzlePostgres(owner), { migrationsFolder });
          await grantAppRole(owner, await currentRole(client));
        } finally {
          await owner.end({ timeout: 5 });
        }
      },
      ping: async () => {
        await client`select 1`;
      },
      close: () => client.end({ timeout: 5 }),
    };
  }
  const dataDir = opts.dataDir === 'memory://' ? opts.dataDir : path.resolve(opts.dataDir);
  if (dataDir !== 'memory://') mkdirSync(dataDir, { recursive: true });
  const client = await PGlite.create({ dataDir, extensions: { postgis, btree_gist, pg_trgm, unaccent } });
  const db = drizzlePglite(client, { schema, casing: 'snake_case' }) as unknown as Db;
  return {
    db,
    driver: 'pglite',
    migrate: () => migratePglite(drizzlePglite(client), { migrationsFolder }),
    ping: async () => {
      await client.query('select 1');
    },
    close: () => client.close(),
  };
}

/** Rows of a raw `db.execute(sql…)`, whichever driver ran it (postgres.js returns an array, PGlite `{ rows }`). */
export async function queryRows<T>(db: DbOrTx, query: SQL): Promise<T[]> {
  const result = (await db.execute(query)) as unknown as T[] | { rows: T[] };
  return Array.isArray(result) ? result : result.rows;
}

/**
 * A transaction-scoped advisory lock on `key` (`chat:<booking>`, `credit:<customer>` …): whoever takes the
 * same key next waits until this transaction ends. Only meaningful inside a transaction.
 */
export async function xactLock(db: DbOrTx, key: string): Promise<void> {
  await queryRows(db, sql`select pg_advisory_xact_lock(hashtextextended(${key}, 0))`);
}

/**
 * A `timestamptz` as exact ISO text in UTC, microseconds included (a JS Date keeps only milliseconds):
 * what a keyset cursor must carry so that the next page neither skips nor repeats rows of one millisecond.
 */
export const isoMicros = (column: SQL | Column) =>
  sql<string>`to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

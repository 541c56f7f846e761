import { AsyncLocalStorage } from 'node:async_hooks';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { btree_gist } from '@electric-sql/pglite/contrib/btree_gist';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { unaccent } from '@electric-sql/pglite/contrib/unaccent';
import { postgis } from '@electric-sql/pglite-postgis';
import { type Column, getTableColumns, is, SQL, sql } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT, PgTable, PgTransaction } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { currentRole, grantAppRole } from './app-role';

/**
 * One Drizzle API over both drivers: repos only ever see this type. It has no relational query API
 * (`db.query.*`, unused): given the schema, Drizzle built a query builder for every table each time it
 * opened a transaction, about 4 % of the server's busy time in a rush (issue 18, `--cpu-prof`,
 * `PgDatabase`). Repos import the tables they query from db/schema.
 */
export type Db = PgDatabase<PgQueryResultHKT>;
export type Tx = PgTransaction<PgQueryResultHKT>;
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
  /**
   * PostgreSQL only: run Drizzle's statements as named prepared statements (postgres.js's own default),
   * parsed once per connection. Off (`DATABASE_PREPARE=false`) behind a pooler in transaction mode.
   */
  prepare?: boolean;
};

/** Beyond this many distinct statement texts, new ones run unnamed (bounded caches on both sides). */
const PREPARED_TEXTS_MAX = 2_000;
/** Statements with more parameters (long IN lists) vary in length: not worth a prepared statement each. */
const PREPARED_PARAMS_MAX = 64;

/**
 * Tests only (FUNDI_TX_GUARD=1, set by vitest.config.ts): a statement on the pool from inside a
 * transaction's callback throws. Such a statement waits for a second connection while holding one; with
 * as many of those transactions as the pool has connections, none ever finishes and every request hangs
 * (issue 18: a rush froze the server so). Off in production: AsyncLocalStorage costs every promise.
 */
const txGuard = process.env.FUNDI_TX_GUARD === '1' ? new AsyncLocalStorage<true>() : null;

/**
 * The guard's error, also kept in `txGuardViolations` so that one thrown where nobody looks (a background
 * task that logs and goes on) still fails the test file (server/test/tx-guard-setup.ts).
 */
export const txGuardViolations: string[] = [];
function txViolation(what: string): Error {
  const error = new Error(`${what} on the pool from inside a transaction: use the transaction`);
  txGuardViolations.push(error.stack ?? error.message);
  return error;
}

/**
 * Runs `fn` as if outside any transaction: for work a transaction only starts and does not wait for
 * (a background refresh), which may use the pool.
 */
export const detached = <T>(fn: () => T): T => (txGuard ? txGuard.exit(fn) : fn());

/**
 * The postgres.js client as Drizzle sees it, with every statement prepared. Drizzle passes
 * `prepare: false` for anything not given a name, and postgres.js then sends a statement with parameters
 * in two round trips (Parse + Describe, wait for the parameter types, then Bind + Execute) and PostgreSQL
 * parses and plans it anew each time. Prepared, the text is parsed once per connection and each later
 * run is one round trip (issue 18: most of a job's database CPU was this, and a third of the server's).
 * Transactions and savepoints hand Drizzle a client of their own: those are wrapped the same way.
 */
function preparing(client: postgres.Sql, texts: Set<string> = new Set(), pool = true): postgres.Sql {
  const shouldPrepare = (query: string, params: unknown[] | undefined) => {
    if ((params?.length ?? 0) > PREPARED_PARAMS_MAX) return false;
    if (texts.has(query)) return true;
    if (texts.size >= PREPARED_TEXTS_MAX) return false;
    texts.add(query);
    return true;
  };
  // biome-ignore lint/suspicious/noExplicitAny: postgres.js's overloads (begin, savepoint) are not expressible here
  type Fn = (...args: any[]) => any;
  const wrapScope =
    (method: Fn) =>
    (...args: unknown[]) => {
      const fn = args.pop() as Fn;
      const scoped = (sql: postgres.Sql) => fn(preparing(sql, texts, false));
      return method(...args, txGuard ? (sql: postgres.Sql) => txGuard.run(true, () => scoped(sql)) : scoped);
    };
  return new Proxy(client, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target);
      if (prop === 'unsafe')
        return (query: string, params?: unknown[], options?: { prepare?: boolean }) => {
          if (pool && txGuard?.getStore()) throw txViolation(`a statement (${query.slice(0, 120)})`);
          return (value as Fn)(
            query,
            params,
            shouldPrepare(query, params) ? { ...options, prepare: true } : options,
          );
        };
      if (prop === 'begin' && pool && txGuard?.getStore()) throw txViolation('a transaction');
      if (prop === 'begin' || prop === 'savepoint') return wrapScope(value as Fn);
      return value;
    },
  });
}

/** No transaction of the app waits this long between its statements (they are short by design). */
const IDLE_IN_TRANSACTION_MS = 60_000;

/**
 * A libpq-style `?host=/run/postgresql` on a postgres:// URL: connect over the Unix-domain socket in that
 * directory (`.s.PGSQL.<port>`), as psql and libpq do. postgres.js takes a socket only as its `path` option
 * (it would send an unknown `host` parameter to the server as a setting), so the parameter is taken off
 * the URL and given as `path`. Any other URL is returned as it is.
 *
 * Why (issue 18): with the database on the same host, a statement's round trip over TCP loopback runs the
 * whole TCP stack twice in the kernel on each side; in a rush the server's socket writes to PostgreSQL
 * were about a sixth of its busy time (`--cpu-prof`, `writeBuffer`). A Unix socket skips that.
 */
export function postgresTarget(databaseUrl: string): { url: string; path?: string } {
  let url: URL;
  try {
    url = new URL(databaseUrl);
  } catch {
    return { url: databaseUrl };
  }
  const dir = url.searchParams.get('host');
  if (!dir?.startsWith('/')) return { url: databaseUrl };
  url.searchParams.delete('host');
  return { url: url.toString(), path: `${dir.replace(/\/+$/, '')}/.s.PGSQL.${url.port || '5432'}` };
}

/** `databaseUrl` set → postgres.js against a real PostgreSQL + PostGIS; unset → embedded PGlite under `dataDir`. */
export async function openDatabase(opts: DatabaseOptions): Promise<Database> {
  if (opts.databaseUrl) {
    const target = postgresTarget(opts.databaseUrl);
    const client = postgres(target.url, {
      ...(target.path ? { path: target.path } : {}),
      max: opts.poolSize ?? 10,
      onnotice: () => {},
      // A database that is down fails requests cleanly within this, instead of holding them.
      connect_timeout: 10,
      // A transaction left waiting (a bug such as a statement on the pool from inside one: see txGuard) is
      // ended by PostgreSQL after this, its locks and its connection freed, instead of holding them for good.
      // JIT off: the app's statements are short, and PostgreSQL's cost estimate alone decides when to compile
      // one. The minute's presence sample (analytics.repo samplePresence) crossed the JIT thresholds and spent
      // 380–930 ms compiling a query that runs in under 5 ms, once a minute on every node, in the middle of a
      // rush (pg_stat_statements jit_* columns, `npm run bench:rush`). The usual setting for OLTP.
      connection: {
        application_name: 'fundi',
        idle_in_transaction_session_timeout: IDLE_IN_TRANSACTION_MS,
        jit: 'off',
      },
    });
    const db = drizzlePostgres(opts.prepare === false ? client : preparing(client), {
      casing: 'snake_case',
    }) as unknown as Db;
    return {
      db,
      driver: 'postgres',
      migrate: async () => {
        if (!opts.migrationUrl) return migratePostgres(drizzlePostgres(client), { migrationsFolder });
        const ownerTarget = postgresTarget(opts.migrationUrl);
        const owner = postgres(ownerTarget.url, {
          ...(ownerTarget.path ? { path: ownerTarget.path } : {}),
          max: 1,
          onnotice: () => {},
          connect_timeout: 10,
        });
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
  const db = drizzlePglite(client, { casing: 'snake_case' }) as unknown as Db;
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

type Runnable<R> = { execute(values?: Record<string, unknown>): Promise<R> };

/**
 * The columns of a CTE made of `INSERT/UPDATE … RETURNING *` on `table`, selected as that table's row
 * (each with its column's decoder).
 */
export function rowOfCte<T extends PgTable>(table: T, cte: object): T['_']['columns'] {
  return Object.fromEntries(
    Object.keys(getTableColumns(table)).map((k) => [k, (cte as Record<string, Column>)[k]!]),
  ) as T['_']['columns'];
}

/**
 * A Drizzle query whose SQL is built once (its values as `sql.placeholder(name)`) and then run on
 * whichever database or transaction it is given. Drizzle's own `.prepare()` binds the query to one
 * connection; building the SQL of a select with joins is most of what a Drizzle call costs (issue 18: a
 * third of the server's CPU in a rush), so the few queries every status change runs are built once.
 * Built per driver (postgres.js, PGlite), against the first database or transaction that runs it.
 */
export function reusable<R>(name: string, build: (db: DbOrTx) => { prepare(name: string): Runnable<R> }) {
  const built = new Map<unknown, Runnable<R> & { client: unknown }>();
  return (db: DbOrTx, values: Record<string, unknown>): Promise<R> => {
    const session = (db as unknown as { session: { client: unknown } }).session;
    let query = built.get(session.constructor);
    if (!query) {
      query = build(db).prepare(name) as Runnable<R> & { client: unknown };
      built.set(session.constructor, query);
    }
    const run: Runnable<R> =
      query.client === session.client
        ? query
        : Object.assign(Object.create(query), { client: session.client });
    return run.execute(values);
  };
}

/**
 * `reusable` twice: the query as `build` makes it, and the same query locked (`lock` adds its FOR
 * UPDATE, named `<name>_for_update`); the caller's `forUpdate` picks one.
 */
export function reusableLockable<R, Q extends { prepare(name: string): Runnable<R> }>(
  name: string,
  build: (db: DbOrTx) => Q,
  lock: (query: Q) => { prepare(name: string): Runnable<R> },
) {
  const plain = reusable<R>(name, build);
  const locked = reusable<R>(`${name}_for_update`, (db) => lock(build(db)));
  return (db: DbOrTx, values: Record<string, unknown>, forUpdate = false) =>
    (forUpdate ? locked : plain)(db, values);
}

/**
 * `reusable` for a statement whose columns vary by call (an INSERT's VALUES rows): one statement per
 * shape (how many rows, and which columns each gives), each value a placeholder of its own, built once.
 * A column given as null is written NULL into the statement (a placeholder's value goes through the
 * column's encoder, and a timestamp's does not take null); an undefined one is left out, as Drizzle does.
 * `extra`: the values of the statement's other placeholders (its WHERE). Callers keep the number of
 * shapes small (a few row counts): each is a statement prepared on every connection.
 */
export function reusableRows<R>(
  name: string,
  build: (db: DbOrTx, rows: Array<Record<string, unknown>>) => { prepare(name: string): Runnable<R> },
) {
  const shapes = new Map<string, (db: DbOrTx, values: Record<string, unknown>) => Promise<R>>();
  return (
    db: DbOrTx,
    rows: ReadonlyArray<Record<string, unknown>>,
    extra: Record<string, unknown> = {},
  ): Promise<R> => {
    const values: Record<string, unknown> = { ...extra };
    const layouts = rows.map((row, i) => {
      const given: string[] = [];
      const nulls: string[] = [];
      for (const [column, value] of Object.entries(row)) {
        // Every value is a parameter of a statement built once per shape: an SQL expression cannot be one.
        if (is(value, SQL))
          throw new Error(`${name}: SQL expressions are not supported as values (${column})`);
        if (value === null) nulls.push(column);
        else if (value !== undefined) {
          given.push(column);
          values[`${i}:${column}`] = value;
        }
      }
      return { given: given.sort(), nulls: nulls.sort() };
    });
    const shape = layouts.map((l) => `${l.given.join(',')}|${l.nulls.join(',')}`).join(';');
    let run = shapes.get(shape);
    if (!run) {
      const columns = layouts.map((l, i) =>
        Object.fromEntries([
          ...l.given.map((c) => [c, sql.placeholder(`${i}:${c}`)]),
          ...l.nulls.map((c) => [c, sql`null`]),
        ]),
      );
      run = reusable<R>(`${name}_${shapes.size}`, (d) => build(d, columns));
      shapes.set(shape, run);
    }
    return run(db, values);
  };
}

/** `reusableRows` of one row: an UPDATE's SET, or an INSERT of one row. */
export function reusableByShape<R>(
  name: string,
  build: (db: DbOrTx, columns: Record<string, unknown>) => { prepare(name: string): Runnable<R> },
) {
  const run = reusableRows<R>(name, (db, [columns]) => build(db, columns!));
  return (db: DbOrTx, values: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
    run(db, [values], extra);
}

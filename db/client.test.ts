import { sql } from 'drizzle-orm';
import { afterAll, expect, inject, it } from 'vitest';
import { openDatabase, queryRows } from './client';

const database = await openDatabase({ databaseUrl: inject('databaseUrl'), dataDir: '', poolSize: 1 });
afterAll(() => database.close());

it('PostgreSQL ends any of the app’s transactions left waiting for a minute (a safety net for pool deadlocks)', async () => {
  const rows = await queryRows(database.db, sql`show idle_in_transaction_session_timeout`);
  expect(rows).toEqual([{ idle_in_transaction_session_timeout: '1min' }]);
});

it('the app’s connections never JIT-compile a statement (compiling cost up to 930 ms a minute in a rush)', async () => {
  const rows = await queryRows(database.db, sql`show jit`);
  expect(rows).toEqual([{ jit: 'off' }]);
});

it('a DATABASE_URL with ?host=<socket directory> reaches PostgreSQL over its Unix socket, not TCP', async () => {
  const [dirs] = await queryRows<{ unix_socket_directories: string }>(
    database.db,
    sql`show unix_socket_directories`,
  );
  const dir = dirs!.unix_socket_directories.split(',')[0]!.trim();
  const url = new URL(inject('databaseUrl'));
  url.searchParams.set('host', dir);
  const overSocket = await openDatabase({ databaseUrl: url.toString(), dataDir: '', poolSize: 1 });
  try {
    const client = sql`select inet_client_addr()::text as addr, current_database() as db`;
    const [tcp] = await queryRows<{ addr: string | null; db: string }>(database.db, client);
    const [unix] = await queryRows<{ addr: string | null; db: string }>(overSocket.db, client);
    expect(tcp!.addr).not.toBeNull();
    expect(unix).toEqual({ addr: null, db: tcp!.db });
  } finally {
    await overSocket.close();
  }
});

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

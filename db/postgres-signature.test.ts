import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import { afterAll, expect, it } from 'vitest';

/**
 * patches/postgres+3.4.9.patch (issue 18): a prepared statement's signature (its parameter types and
 * text) is looked up by the text and the types instead of being concatenated anew for every query. The
 * same text with other parameter types is still another statement, and the same text and types are
 * still one statement, prepared once on the connection.
 */
const url = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const sql = postgres(url, { max: 1, onnotice: () => {} });
afterAll(() => sql.end({ timeout: 5 }));

const text = 'select $1 as value, pg_typeof($1)::text as type';
const prepared = async () =>
  (await sql`select count(*)::int as n from pg_prepared_statements where statement = ${text}`)[0]!.n;

it('one statement per text and parameter types, prepared once', async () => {
  for (let run = 0; run < 3; run++) {
    expect(await sql.unsafe(text, [true], { prepare: true })).toEqual([{ value: true, type: 'boolean' }]);
    // postgres.js sends a bigint as int8 (its typings leave bigint out of parameters).
    expect(await sql.unsafe(text, [42n as never], { prepare: true })).toEqual([
      { value: '42', type: 'bigint' },
    ]);
    expect(await sql.unsafe(text, [new Date('2026-01-02T00:00:00Z')], { prepare: true })).toEqual([
      { value: new Date('2026-01-02T00:00:00Z'), type: 'timestamp with time zone' },
    ]);
  }
  expect(await prepared()).toBe(3);
});

it('the signature patch is applied (npm ci runs patch-package)', () => {
  const index = fileURLToPath(import.meta.resolve('postgres'));
  const connection = readFileSync(path.join(path.dirname(index), 'connection.js'), 'utf8');
  expect(connection).toContain('function signatureOf(');
});

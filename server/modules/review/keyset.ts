import { type AnyColumn, type SQL, sql } from 'drizzle-orm';
import { DomainError } from '../../lib/errors';

/**
 * Keyset cursors on (timestamptz, uuid) that keep PostgreSQL's microseconds: a JS Date keeps only
 * milliseconds, and a cursor rounded to them skips rows written within the same millisecond.
 */
export const microsOf = (column: AnyColumn | SQL) =>
  sql<string>`to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

const MICROS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export type Keyset = { at: string; id: string };

export const encodeKeyset = (k: Keyset) => Buffer.from(`${k.at}|${k.id}`).toString('base64url');

export function decodeKeyset(cursor: string | undefined): Keyset | undefined {
  if (!cursor) return undefined;
  const [at, id] = Buffer.from(cursor, 'base64url').toString().split('|');
  if (!at || !id || !MICROS.test(at) || !UUID.test(id)) {
    throw new DomainError('VALIDATION', 'Invalid cursor.');
  }
  return { at, id };
}

/** `(column, idColumn) <op> (cursor)`, newest-first pages use `<`. */
export const beforeKeyset = (column: AnyColumn | SQL, idColumn: AnyColumn | SQL, k: Keyset) =>
  sql`(${column}, ${idColumn}) < (${k.at}::timestamptz, ${k.id}::uuid)`;

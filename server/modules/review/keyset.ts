import { type AnyColumn, type SQL, sql } from 'drizzle-orm';
import { decodeCursor, encodeCursor } from '../../lib/cursor';

/**
 * Keyset cursors on (timestamptz, uuid) that keep PostgreSQL's microseconds: a JS Date keeps only
 * milliseconds, and a cursor rounded to them skips rows written within the same millisecond.
 */
export const microsOf = (column: AnyColumn | SQL) =>
  sql<string>`to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

export type Keyset = { at: string; id: string };

/** The same cursor as server/lib/cursor.ts, with the instant kept as the exact string. */
export const encodeKeyset = (k: Keyset) => encodeCursor(k.at, k.id);

/** Validated by decodeCursor (issue 15 §4: a date that does not exist, a malformed id → VALIDATION). */
export function decodeKeyset(cursor: string | undefined): Keyset | undefined {
  const c = decodeCursor(cursor);
  return c && { at: c.instant, id: c.id };
}

/** `(column, idColumn) <op> (cursor)`, newest-first pages use `<`. */
export const beforeKeyset = (column: AnyColumn | SQL, idColumn: AnyColumn | SQL, k: Keyset) =>
  sql`(${column}, ${idColumn}) < (${k.at}::timestamptz, ${k.id}::uuid)`;

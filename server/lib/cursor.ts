import { DomainError } from './errors';

/**
 * Opaque keyset cursors: (timestamp, id) of the last row of the previous page.
 *
 * `timestamptz` keeps microseconds and a JS Date only milliseconds, so a cursor made from a Date can sit
 * before rows of its own millisecond and the next page skips them (or, compared the other way, repeats
 * them). Pass the exact instant the database gave (`isoMicros(column)` in db/client.ts) and compare with
 * the decoded `instant`; a Date still works for keys that are whole milliseconds.
 */
export function encodeCursor(at: Date | string, id: string): string {
  return Buffer.from(`${typeof at === 'string' ? at : at.toISOString()}|${id}`).toString('base64url');
}

const ISO = /^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}([0-9]{3})?Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A UUID in the canonical lower-case form PostgreSQL gives (what every cursor carries as its id). */
export const isCursorId = (id: unknown): id is string => typeof id === 'string' && UUID.test(id);

export type Cursor = {
  /** The instant to the millisecond. */
  at: Date;
  /** The instant exactly as encoded (milliseconds or microseconds): compare `column < instant::timestamptz`. */
  instant: string;
  id: string;
};

/**
 * A cursor is whatever a client sends back, so it is checked as fully as any input (issue 15 §4): exactly
 * what encodeCursor makes — a four-digit-year ISO instant (milliseconds or microseconds) that reads back
 * unchanged (PostgreSQL takes no year +275760) and a UUID in its canonical form — else VALIDATION (400),
 * never a database error.
 */
export function decodeCursor(cursor: string | undefined): Cursor | undefined {
  if (!cursor) return undefined;
  const invalid = () => new DomainError('VALIDATION', 'Invalid cursor.');
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(cursor)) throw invalid();
  const parts = Buffer.from(cursor, 'base64url').toString().split('|');
  if (parts.length !== 2) throw invalid();
  const [iso, id] = parts as [string, string];
  const at = new Date(iso);
  if (
    !ISO.test(iso) ||
    Number.isNaN(at.getTime()) ||
    at.toISOString().slice(0, 23) !== iso.slice(0, 23) ||
    !UUID.test(id)
  ) {
    throw invalid();
  }
  return { at, instant: iso, id };
}

/**
 * One page of a keyset listing read with `limit + 1` rows: the first `limit` rows, and the cursor after
 * the last of them when the extra row shows there is more (else null).
 */
export function pageOf<R>(
  rows: readonly R[],
  limit: number,
  cursorAfter: (last: R) => string | null,
): { page: R[]; nextCursor: string | null } {
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return { page, nextCursor: rows.length > limit && last !== undefined ? cursorAfter(last) : null };
}

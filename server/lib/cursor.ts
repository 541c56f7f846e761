import { DomainError } from './errors';

/** Opaque keyset cursors: (timestamp, id) of the last row of the previous page. */
export function encodeCursor(at: Date, id: string): string {
  return Buffer.from(`${at.toISOString()}|${id}`).toString('base64url');
}

const ISO_MS = /^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * A cursor is whatever a client sends back, so it is checked as fully as any input (issue 15 §4): exactly
 * what encodeCursor makes — a four-digit-year ISO instant that reads back unchanged (PostgreSQL takes no
 * year +275760) and a UUID in its canonical form — else VALIDATION (400), never a database error.
 */
export function decodeCursor(cursor: string | undefined): { at: Date; id: string } | undefined {
  if (!cursor) return undefined;
  const invalid = () => new DomainError('VALIDATION', 'Invalid cursor.');
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(cursor)) throw invalid();
  const parts = Buffer.from(cursor, 'base64url').toString().split('|');
  if (parts.length !== 2) throw invalid();
  const [iso, id] = parts as [string, string];
  const at = new Date(iso);
  if (!ISO_MS.test(iso) || Number.isNaN(at.getTime()) || at.toISOString() !== iso || !UUID.test(id)) {
    throw invalid();
  }
  return { at, id };
}

// The technician's unsent position fixes, kept on the device (IndexedDB) so a dead zone or a reload
// loses nothing: fixes go in as they are taken and leave only once the server has them, oldest first.
import { type DBSchema, type IDBPDatabase, openDB } from 'idb';

export type TrackingPoint = {
  lat: number;
  lng: number;
  accuracy?: number;
  heading?: number;
  speed?: number;
  /** ISO time the device took the fix. */
  recordedAt: string;
};

/** As stored: keyed by [user, time], so one user's fixes read back in time order. */
type StoredFix = TrackingPoint & { u: string; t: number };

/** The newest this many fixes are kept; older ones are dropped (minutes of driving at one every 3 s). */
export const OUTBOX_LIMIT = 500;
/** The server refuses fixes older than a day: no point keeping them. */
const MAX_AGE_MS = 24 * 3600_000 - 60_000;
const DB_NAME = 'fundi-tracking';
const STORE = 'fixes';

interface TrackingDb extends DBSchema {
  fixes: { key: [string, number]; value: StoredFix };
}

let dbPromise: Promise<IDBPDatabase<TrackingDb> | null> | undefined;
/** Where IndexedDB is unavailable the outbox still works for this page's lifetime. */
const memory: StoredFix[] = [];

function db(): Promise<IDBPDatabase<TrackingDb> | null> {
  dbPromise ??=
    typeof indexedDB === 'undefined'
      ? Promise.resolve(null)
      : openDB<TrackingDb>(DB_NAME, 1, {
          upgrade: (database) => database.createObjectStore(STORE, { keyPath: ['u', 't'] }),
          // Another tab upgrading the schema: let it, and reopen next time.
          blocking: (_current, _next, event) => {
            dbPromise = undefined;
            (event.target as IDBDatabase).close();
          },
        }).catch(() => null);
  return dbPromise;
}

const userRange = (userId: string) => IDBKeyRange.bound([userId, -Infinity], [userId, Infinity]);

function memoryFor(userId: string): StoredFix[] {
  return memory.filter((f) => f.u === userId).sort((a, b) => a.t - b.t);
}

function strip({ u: _u, t: _t, ...point }: StoredFix): TrackingPoint {
  return point;
}

/** Adds a fix (a repeated timestamp replaces the earlier one) and drops the oldest beyond the limit. */
export async function addFix(userId: string, point: TrackingPoint): Promise<void> {
  const stored: StoredFix = { ...point, u: userId, t: Date.parse(point.recordedAt) };
  const database = await db();
  if (!database) {
    const at = memory.findIndex((f) => f.u === userId && f.t === stored.t);
    if (at >= 0) memory.splice(at, 1);
    memory.push(stored);
    const mine = memoryFor(userId);
    for (const old of mine.slice(0, Math.max(0, mine.length - OUTBOX_LIMIT))) {
      memory.splice(memory.indexOf(old), 1);
    }
    return;
  }
  const tx = database.transaction(STORE, 'readwrite');
  await tx.store.put(stored);
  const excess = (await tx.store.count(userRange(userId))) - OUTBOX_LIMIT;
  // Oldest first: the key order is time order within a user.
  const oldest = excess > 0 ? await tx.store.getAllKeys(userRange(userId), excess) : [];
  await Promise.all([...oldest.map((key) => tx.store.delete(key)), tx.done]);
}

/** The oldest `limit` fixes of this user, oldest first. */
export async function oldestFixes(userId: string, limit: number): Promise<TrackingPoint[]> {
  const database = await db();
  if (!database) return memoryFor(userId).slice(0, limit).map(strip);
  return (await database.getAll(STORE, userRange(userId), limit)).map(strip);
}

/** Forgets fixes the server now has (or refused for good). */
export async function removeFixes(userId: string, points: TrackingPoint[]): Promise<void> {
  const times = points.map((p) => Date.parse(p.recordedAt));
  const database = await db();
  if (!database) {
    for (const t of times) {
      const at = memory.findIndex((f) => f.u === userId && f.t === t);
      if (at >= 0) memory.splice(at, 1);
    }
    return;
  }
  const tx = database.transaction(STORE, 'readwrite');
  await Promise.all([...times.map((t) => tx.store.delete([userId, t])), tx.done]);
}

export async function countFixes(userId: string): Promise<number> {
  const database = await db();
  if (!database) return memoryFor(userId).length;
  return database.count(STORE, userRange(userId));
}

/**
 * Drops what can never be sent: other accounts' fixes (a shared phone: someone else's whereabouts are
 * not ours to upload, nor to keep) and fixes older than the server accepts.
 */
export async function pruneFixes(userId: string, now = Date.now()): Promise<void> {
  const cutoff = now - MAX_AGE_MS;
  const database = await db();
  if (!database) {
    for (let i = memory.length - 1; i >= 0; i--) {
      const f = memory[i]!;
      if (f.u !== userId || f.t < cutoff) memory.splice(i, 1);
    }
    return;
  }
  // Keys only ([user, time]): nothing but what decides is read.
  const tx = database.transaction(STORE, 'readwrite');
  const doomed = (await tx.store.getAllKeys()).filter(([u, t]) => u !== userId || t < cutoff);
  await Promise.all([...doomed.map((key) => tx.store.delete(key)), tx.done]);
}

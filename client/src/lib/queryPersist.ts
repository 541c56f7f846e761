// Keeps the last good answers of a few safe queries on the device (IndexedDB), so the app opened without
// a network shows the user's bookings, the catalog and the last known state of a job instead of spinners.
// A small persister over idb, a single record per device.
//
// Why not @tanstack/react-query-persist-client (issue 16 §4), measured 2026-11-29: its cost in the first
// screen would be fine (esbuild --minify + gzip -9: QueryClient + persistQueryClient 8.65 kB against
// QueryClient + dehydrate/hydrate 8.32 kB, +0.34 kB), but its latest release (5.104.5) pins
// @tanstack/query-core 5.104.5 exactly while the app runs 5.108.0, so the bundle would carry a second
// query-core whose hydrate() fills a QueryClient of another version. Move to it once the versions line up
// (an npm override or the same react-query release): its restore already keeps fresher answers, and what
// this file adds stays — one record per user (its `buster`), the allow-list (`dehydrateOptions`), the
// save debounce (the persister), the refetch of every restored answer and useRestoredAt().
import {
  type DehydratedState,
  dehydrate,
  hydrate,
  type Query,
  type QueryClient,
} from '@tanstack/react-query';
import { useSyncExternalStore } from 'react';
import { type DBSchema, type IDBPDatabase, openDatabase } from './idb';

const DB_NAME = 'fundi-query-cache';
const STORE = 'cache';
const RECORD_KEY = 'queries';
/** Older saved answers are dropped rather than shown. */
export const PERSIST_MAX_AGE_MS = 7 * 24 * 60 * 60_000;
const SAVE_DELAY_MS = 1_000;

/** tRPC paths worth keeping: nothing secret beyond what the user saw, nothing that goes stale in seconds. */
const SAFE_PATHS = new Set([
  'catalog.categories',
  'catalog.services',
  // The markets pick which categories and prices show: kept, so the catalogue still shows offline.
  'market.list',
  'booking.list',
  'booking.get',
  'auth.me',
  'technician.me',
]);

type SavedCache = { savedAt: number; userId: string | null; state: DehydratedState };

function pathOf(queryKey: readonly unknown[]): string | null {
  const first = queryKey[0];
  return Array.isArray(first) && first.every((part) => typeof part === 'string') ? first.join('.') : null;
}

export function isPersistable(query: Query): boolean {
  const path = pathOf(query.queryKey);
  return (
    path !== null &&
    SAFE_PATHS.has(path) &&
    query.state.status === 'success' &&
    query.state.data !== undefined &&
    Date.now() - query.state.dataUpdatedAt < PERSIST_MAX_AGE_MS
  );
}

interface CacheDb extends DBSchema {
  cache: { key: string; value: SavedCache };
}

let dbPromise: Promise<IDBPDatabase<CacheDb> | null> | null = null;
function db(): Promise<IDBPDatabase<CacheDb> | null> {
  dbPromise ??= openDatabase<CacheDb>(DB_NAME, 1, (database) => {
    if (!database.objectStoreNames.contains(STORE)) database.createObjectStore(STORE);
  });
  return dbPromise;
}

// What the screens show while they rely on restored data: when that data was fetched.
let restoredAt: number | null = null;
const listeners = new Set<() => void>();
function setRestoredAt(value: number | null) {
  restoredAt = value;
  for (const listener of listeners) listener();
}

/** When the saved data now on screen was last fetched from the server; null once fresh data arrived. */
export function useRestoredAt(): number | null {
  return useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    () => restoredAt,
  );
}

let currentUserId: string | null = null;
let saveTimer: ReturnType<typeof setTimeout> | undefined;

async function save(client: QueryClient): Promise<void> {
  if (currentUserId === null) return;
  const database = await db();
  if (!database) return;
  const record: SavedCache = {
    savedAt: Date.now(),
    userId: currentUserId,
    state: dehydrate(client, { shouldDehydrateQuery: isPersistable, shouldDehydrateMutation: () => false }),
  };
  try {
    await database.put(STORE, record, RECORD_KEY);
  } catch {
    // Storage full or refused: the app works without it.
  }
}

/**
 * Restores the saved answers for `userId` (the user this device last saw) into `client`, then keeps the
 * record up to date as queries succeed. Fresher answers already in the cache win over restored ones.
 */
export async function persistQueryClient(client: QueryClient, userId: string | null): Promise<void> {
  currentUserId = userId;
  client.getQueryCache().subscribe((event) => {
    if (event.type !== 'updated' && event.type !== 'removed') return;
    if (event.type === 'updated' && event.action.type === 'success' && !event.action.manual) {
      // The server answered: what is on screen is no longer only the saved copy.
      if (restoredAt !== null && isPersistable(event.query)) setRestoredAt(null);
    }
    clearTimeout(saveTimer);
    saveTimer = setTimeout(() => void save(client), SAVE_DELAY_MS);
  });
  if (userId === null) return;
  const database = await db();
  if (!database) return;
  let saved: SavedCache | undefined;
  try {
    saved = await database.get(STORE, RECORD_KEY);
  } catch {
    return;
  }
  if (!saved || saved.userId !== userId || Date.now() - saved.savedAt > PERSIST_MAX_AGE_MS) return;
  const fresh = saved.state.queries.filter(
    (query) =>
      Date.now() - query.state.dataUpdatedAt < PERSIST_MAX_AGE_MS &&
      // Don't replace an answer that already came from the server during this start.
      !(client.getQueryState(query.queryKey)?.dataUpdatedAt ?? 0),
  );
  if (fresh.length === 0) return;
  hydrate(client, { mutations: [], queries: fresh });
  // A saved answer is shown, never trusted as fresh: every one is fetched again as soon as it can be.
  for (const query of fresh) {
    void client.invalidateQueries({ queryKey: query.queryKey, exact: true }, { cancelRefetch: false });
  }
  setRestoredAt(Math.min(...fresh.map((query) => query.state.dataUpdatedAt)));
}

/** Forget everything saved (sign-out, or another user signing in on this device). */
export async function clearPersistedQueries(nextUserId: string | null): Promise<void> {
  currentUserId = nextUserId;
  clearTimeout(saveTimer);
  setRestoredAt(null);
  const database = await db();
  if (!database) return;
  try {
    await database.delete(STORE, RECORD_KEY);
  } catch {
    // Nothing to clear.
  }
}

/** The server says who is signed in: a different user (or none) than the saved data's means dropping it. */
export function persistForUser(userId: string | null): void {
  if (userId !== currentUserId) void clearPersistedQueries(userId);
}

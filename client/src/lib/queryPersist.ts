// Keeps the last good answers of a few safe queries on the device (IndexedDB), so the app opened without
// a network shows the user's bookings, the catalog and the last known state of a job instead of spinners.
//
// Restoring and saving are @tanstack/react-query-persist-client's (persistQueryClientRestore/Subscribe);
// the storage is an idb Persister (idbPersister.ts). What this file decides:
// - what is kept: the allow-list below (`dehydrateOptions`), nothing that goes stale in seconds;
// - for whom: one record per device, its `buster` naming the user (and PERSIST_VERSION), so another
//   user's (or an older app's) record is discarded on restore; sign-out deletes it and stops saving;
// - how long: PERSIST_MAX_AGE_MS, for the record (`maxAge`) and for each answer in it;
// - that a restored answer is shown, never trusted as fresh: each is refetched, and useRestoredAt() tells
//   the offline banner when the data on screen was fetched.
// The library pins its own @tanstack/query-core: vite.config.ts and vitest.config.ts dedupe it, so
// dehydrate/hydrate are the app's own.
import type { Query, QueryClient } from '@tanstack/react-query';
import {
  type PersistedClient,
  type Persister,
  persistQueryClientRestore,
  persistQueryClientSubscribe,
} from '@tanstack/react-query-persist-client';
import { useSyncExternalStore } from 'react';
import { createIdbPersister } from './idbPersister';

/** Older saved answers are dropped rather than shown. */
export const PERSIST_MAX_AGE_MS = 7 * 24 * 60 * 60_000;
/** Bump when what is saved changes shape: records saved under another version are discarded. */
const PERSIST_VERSION = '2';
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

function pathOf(queryKey: readonly unknown[]): string | null {
  const first = queryKey[0];
  return Array.isArray(first) && first.every((part) => typeof part === 'string') ? first.join('.') : null;
}

const fresh = (dataUpdatedAt: number) => Date.now() - dataUpdatedAt < PERSIST_MAX_AGE_MS;

export function isPersistable(query: Query): boolean {
  const path = pathOf(query.queryKey);
  return (
    path !== null &&
    SAFE_PATHS.has(path) &&
    query.state.status === 'success' &&
    query.state.data !== undefined &&
    fresh(query.state.dataUpdatedAt)
  );
}

const persister = createIdbPersister({
  dbName: 'fundi-query-cache',
  key: 'queries',
  saveDelayMs: SAVE_DELAY_MS,
});

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

let queryClient: QueryClient | null = null;
let currentUserId: string | null = null;
let stopSaving: (() => void) | undefined;

function optionsFor(client: QueryClient, userId: string) {
  return {
    queryClient: client,
    persister,
    buster: `${PERSIST_VERSION}:${userId}`,
    dehydrateOptions: { shouldDehydrateQuery: isPersistable, shouldDehydrateMutation: () => false },
  };
}

/** Saves `userId`'s safe answers from now on (a second after the last change), or nothing for nobody. */
function saveFor(userId: string | null) {
  stopSaving?.();
  stopSaving = undefined;
  if (userId !== null && queryClient)
    stopSaving = persistQueryClientSubscribe(optionsFor(queryClient, userId));
}

/**
 * Restores the saved answers for `userId` (the user this device last saw) into `client`, then keeps the
 * record up to date as queries succeed. Fresher answers already in the cache win over restored ones.
 */
export async function persistQueryClient(client: QueryClient, userId: string | null): Promise<void> {
  queryClient = client;
  currentUserId = userId;
  client.getQueryCache().subscribe((event) => {
    // The server answered: what is on screen is no longer only the saved copy.
    if (
      restoredAt !== null &&
      event.type === 'updated' &&
      event.action.type === 'success' &&
      !event.action.manual &&
      isPersistable(event.query)
    )
      setRestoredAt(null);
  });
  if (userId === null) return;

  // What the record held, each answer within its age: kept to know, after the restore, which are shown.
  let saved: PersistedClient | undefined;
  const reading: Persister = {
    ...persister,
    async restoreClient() {
      const record = await persister.restoreClient();
      // Signed out (or another user) while reading: nothing of this record may show.
      if (currentUserId !== userId) return undefined;
      saved = record && {
        ...record,
        clientState: {
          mutations: [],
          queries: (record.clientState?.queries ?? []).filter((q) => fresh(q.state.dataUpdatedAt)),
        },
      };
      return saved;
    },
  };
  try {
    await persistQueryClientRestore({
      ...optionsFor(client, userId),
      persister: reading,
      maxAge: PERSIST_MAX_AGE_MS,
    });
  } catch {
    // An unreadable record has been discarded: start empty.
  }
  if (currentUserId !== userId) return; // Signed out (or switched) meanwhile.
  saveFor(userId);

  // Hydrated answers (another user's, older or busted records are not; a fresher answer kept its place).
  const shown = (saved?.clientState.queries ?? []).filter(
    (q) => client.getQueryState(q.queryKey)?.dataUpdatedAt === q.state.dataUpdatedAt,
  );
  if (shown.length === 0) return;
  // A saved answer is shown, never trusted as fresh: every one is fetched again as soon as it can be.
  for (const query of shown) {
    void client.invalidateQueries({ queryKey: query.queryKey, exact: true }, { cancelRefetch: false });
  }
  setRestoredAt(Math.min(...shown.map((query) => query.state.dataUpdatedAt)));
}

/** Forget everything saved (sign-out, or another user signing in on this device). */
export async function clearPersistedQueries(nextUserId: string | null): Promise<void> {
  currentUserId = nextUserId;
  setRestoredAt(null);
  // Drops the save still waiting at once; the next user's saves, queued after the delete, follow it.
  const removed = persister.removeClient();
  saveFor(nextUserId);
  await removed;
}

/** The server says who is signed in: a different user (or none) than the saved data's means dropping it. */
export function persistForUser(userId: string | null): void {
  if (userId !== currentUserId) void clearPersistedQueries(userId);
}

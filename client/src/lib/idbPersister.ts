// A TanStack Query `Persister` over IndexedDB (through `idb`): the whole dehydrated cache as one record.
// Saves are debounced (a burst of answers is written once, a moment after the last), and every failure
// (no IndexedDB, private mode, storage full) is swallowed: the app works without the saved copy.
import type { PersistedClient, Persister } from '@tanstack/react-query-persist-client';
import { type DBSchema, type IDBPDatabase, openDB } from 'idb';

const STORE = 'cache';

interface CacheDb extends DBSchema {
  cache: { key: string; value: PersistedClient };
}

export function createIdbPersister({
  dbName,
  key,
  saveDelayMs,
}: {
  dbName: string;
  /** The record's key in the store. */
  key: string;
  /** A save waits this long after the last change. */
  saveDelayMs: number;
}): Persister {
  let dbPromise: Promise<IDBPDatabase<CacheDb> | null> | undefined;
  const db = () => {
    dbPromise ??=
      typeof indexedDB === 'undefined'
        ? Promise.resolve(null)
        : openDB<CacheDb>(dbName, 1, {
            upgrade: (database) => database.createObjectStore(STORE),
            // Another tab upgrading the schema: let it, and reopen next time.
            blocking: (_current, _next, event) => {
              dbPromise = undefined;
              (event.target as IDBDatabase).close();
            },
          }).catch(() => null);
    return dbPromise;
  };

  let pending: PersistedClient | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const write = async () => {
    clearTimeout(timer);
    timer = undefined;
    const client = pending;
    pending = undefined;
    if (!client) return;
    try {
      await (await db())?.put(STORE, client, key);
    } catch {
      // Storage full or refused: the app works without it.
    }
  };

  return {
    persistClient(client) {
      pending = client;
      clearTimeout(timer);
      timer = setTimeout(() => void write(), saveDelayMs);
    },
    async restoreClient() {
      try {
        return (await (await db())?.get(STORE, key)) ?? undefined;
      } catch {
        return undefined;
      }
    },
    async removeClient() {
      // A save still waiting belongs to what is being forgotten.
      clearTimeout(timer);
      timer = undefined;
      pending = undefined;
      try {
        await (await db())?.delete(STORE, key);
      } catch {
        // Nothing to remove.
      }
    },
  };
}

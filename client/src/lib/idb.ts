// Opening an on-device database with `idb` (promises over IndexedDB), made safe for the places where
// IndexedDB is missing or refused (some private modes, storage disabled): callers get null and fall back
// to memory rather than fail. Reads and writes use idb's own API (`db.put`, `tx.store`, `tx.done`).
import { type DBSchema, type IDBPDatabase, openDB, type StoreNames } from 'idb';

export type { DBSchema, IDBPDatabase, StoreNames };

/**
 * Opens (and creates or upgrades) a database. Resolves to null where IndexedDB is missing, refused, or
 * blocked by another tab still holding an older version open.
 */
export function openDatabase<Schema extends DBSchema>(
  name: string,
  version: number,
  upgrade: (db: IDBPDatabase<Schema>) => void,
): Promise<IDBPDatabase<Schema> | null> {
  return new Promise((resolve) => {
    if (typeof indexedDB === 'undefined') {
      resolve(null);
      return;
    }
    openDB<Schema>(name, version, {
      upgrade: (db) => upgrade(db),
      blocked: () => resolve(null),
    }).then(
      (db) => {
        // Another tab upgrading the schema: let it, and reopen next time.
        db.addEventListener('versionchange', () => db.close());
        resolve(db);
      },
      () => resolve(null),
    );
  });
}

// A tiny promise wrapper over IndexedDB: just what small on-device queues need, no dependency.

/** A request's result as a promise. */
export function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('IndexedDB request failed'));
  });
}

/**
 * Opens (and creates or upgrades) a database. Resolves to null where IndexedDB is missing or refused
 * (some private modes, storage disabled): callers fall back to memory rather than fail.
 */
export function openDatabase(
  name: string,
  version: number,
  upgrade: (db: IDBDatabase) => void,
): Promise<IDBDatabase | null> {
  return new Promise((resolve) => {
    let req: IDBOpenDBRequest;
    try {
      if (typeof indexedDB === 'undefined') {
        resolve(null);
        return;
      }
      req = indexedDB.open(name, version);
    } catch {
      resolve(null);
      return;
    }
    req.onupgradeneeded = () => upgrade(req.result);
    req.onsuccess = () => {
      const db = req.result;
      // Another tab upgrading the schema: let it, and reopen next time.
      db.onversionchange = () => db.close();
      resolve(db);
    };
    req.onerror = () => resolve(null);
    req.onblocked = () => resolve(null);
  });
}

/**
 * Runs `work` in one transaction over `store` and resolves with its result once the transaction has
 * committed (so a write is durable when the promise resolves), or rejects if it aborted.
 */
export function transact<T>(
  db: IDBDatabase,
  store: string,
  mode: IDBTransactionMode,
  work: (store: IDBObjectStore) => Promise<T> | T,
): Promise<T> {
  return new Promise((resolve, reject) => {
    let tx: IDBTransaction;
    try {
      tx = db.transaction(store, mode);
    } catch (error) {
      reject(error);
      return;
    }
    let result: T;
    let failed: unknown;
    tx.oncomplete = () => (failed === undefined ? resolve(result) : reject(failed));
    tx.onerror = () => reject(tx.error ?? failed ?? new Error('IndexedDB transaction failed'));
    tx.onabort = () => reject(tx.error ?? failed ?? new Error('IndexedDB transaction aborted'));
    let pending: Promise<T> | T;
    try {
      pending = work(tx.objectStore(store));
    } catch (error) {
      pending = Promise.reject(error);
    }
    Promise.resolve(pending).then(
      (value) => {
        result = value;
      },
      (error: unknown) => {
        failed = error;
        try {
          tx.abort();
        } catch {
          // Already finished.
        }
      },
    );
  });
}

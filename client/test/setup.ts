// The client project runs in happy-dom, which has no IndexedDB: fake-indexeddb provides a complete one in
// memory. Each test file gets a fresh database set (Vitest isolates files), and tests that need a clean
// slate inside a file call `freshIndexedDb()`.
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';

export function freshIndexedDb(): void {
  globalThis.indexedDB = new IDBFactory();
}

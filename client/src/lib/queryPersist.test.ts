// The persisted query cache (@tanstack/react-query-persist-client over an idb Persister): which answers
// are kept on the device (the filter), and that a reopened app gets them back for the same user only,
// marked as restored and refetched.
import { QueryClient } from '@tanstack/react-query';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { freshIndexedDb } from '../../test/setup';

/** A tRPC query key, as @trpc/react-query builds it. */
const key = (path: string, input?: unknown) => [path.split('.'), { input, type: 'query' }] as const;
const DAY = 24 * 3600_000;

// The app's @tanstack/query-core, watched: the persister (which pins another version) must use it.
const hydrateCalls: unknown[] = [];
vi.mock('@tanstack/query-core', async (original) => {
  const core = await original<typeof import('@tanstack/query-core')>();
  return {
    ...core,
    hydrate: (...args: Parameters<typeof core.hydrate>) => {
      hydrateCalls.push(args[1]);
      return core.hydrate(...args);
    },
  };
});

async function load() {
  return import('./queryPersist');
}

beforeEach(() => {
  freshIndexedDb();
  vi.resetModules();
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  vi.setSystemTime(Date.parse('2026-11-21T10:00:00Z'));
});
afterEach(() => vi.useRealTimers());

describe('isPersistable (what is kept on the device)', () => {
  it('keeps successful answers of the allow-listed paths only', async () => {
    const { isPersistable } = await load();
    const client = new QueryClient();
    const cache = client.getQueryCache();
    for (const path of [
      'catalog.categories',
      'catalog.services',
      'market.list',
      'booking.list',
      'booking.get',
      'auth.me',
      'technician.me',
    ])
      client.setQueryData(key(path, { id: 'x' }), { ok: path });
    for (const path of ['tracking.live', 'chat.list', 'payment.get', 'admin.users.list'])
      client.setQueryData(key(path), { secret: path });
    client.setQueryData(['not-trpc'], 1);
    const kept = cache
      .getAll()
      .filter(isPersistable)
      .map((q) => (q.queryKey[0] as string[]).join('.'))
      .sort();
    expect(kept).toEqual([
      'auth.me',
      'booking.get',
      'booking.list',
      'catalog.categories',
      'catalog.services',
      'market.list',
      'technician.me',
    ]);
  });

  it('drops answers older than a week, and queries that failed or never answered', async () => {
    const { isPersistable, PERSIST_MAX_AGE_MS } = await load();
    expect(PERSIST_MAX_AGE_MS).toBe(7 * DAY);
    const client = new QueryClient();
    client.setQueryData(key('booking.list'), [], { updatedAt: Date.now() - 7 * DAY - 1 });
    client.setQueryData(key('booking.get', { id: 'fresh' }), {}, { updatedAt: Date.now() - 6 * DAY });
    const failed = client.getQueryCache().build(client, { queryKey: key('auth.me') });
    failed.setState({ status: 'error', error: new Error('offline') });
    client.getQueryCache().build(client, { queryKey: key('catalog.services') }); // pending
    const kept = client.getQueryCache().getAll().filter(isPersistable);
    expect(kept.map((q) => q.queryKey[1])).toEqual([{ input: { id: 'fresh' }, type: 'query' }]);
  });
});

describe('persistQueryClient', () => {
  async function savedSession(userId: string) {
    const persist = await load();
    const client = new QueryClient();
    await persist.persistQueryClient(client, userId);
    client.setQueryData(key('booking.list'), [{ id: 'b-1', status: 'assigned' }]);
    client.setQueryData(key('tracking.live', { id: 'b-1' }), { lat: 6.5 });
    await vi.advanceTimersByTimeAsync(1_100); // saves a second after the last change
    return persist;
  }

  it('restores the saved answers for the same user, marked as restored, and refetches them', async () => {
    await savedSession('u1');
    vi.resetModules(); // the app is closed and opened again
    const persist = await load();
    const client = new QueryClient();
    const invalidate = vi.spyOn(client, 'invalidateQueries');
    vi.advanceTimersByTime(60_000);
    await persist.persistQueryClient(client, 'u1');
    expect(client.getQueryData(key('booking.list'))).toEqual([{ id: 'b-1', status: 'assigned' }]);
    expect(client.getQueryData(key('tracking.live', { id: 'b-1' }))).toBeUndefined();
    expect(invalidate).toHaveBeenCalledWith(
      { queryKey: key('booking.list'), exact: true },
      { cancelRefetch: false },
    );
    // What the offline banner shows: when the data on screen was fetched.
    const seen: Array<number | null> = [];
    const { renderHook } = await import('../../test/renderHook');
    renderHook(() => seen.push(persist.useRestoredAt()));
    expect(seen.at(-1)).toBe(Date.parse('2026-11-21T10:00:00Z'));
  });

  it("never shows one user's saved answers to another", async () => {
    await savedSession('u1');
    vi.resetModules();
    const persist = await load();
    const client = new QueryClient();
    await persist.persistQueryClient(client, 'u2');
    expect(client.getQueryData(key('booking.list'))).toBeUndefined();
  });

  it('a fresher answer already on screen wins over the saved one', async () => {
    await savedSession('u1');
    vi.resetModules();
    const persist = await load();
    const client = new QueryClient();
    client.setQueryData(key('booking.list'), [{ id: 'b-1', status: 'en_route' }]);
    await persist.persistQueryClient(client, 'u1');
    expect(client.getQueryData(key('booking.list'))).toEqual([{ id: 'b-1', status: 'en_route' }]);
  });

  it('signing out (or another user) forgets the saved answers', async () => {
    const persist = await savedSession('u1');
    await persist.clearPersistedQueries(null);
    vi.resetModules();
    const again = await load();
    const client = new QueryClient();
    await again.persistQueryClient(client, 'u1');
    expect(client.getQueryData(key('booking.list'))).toBeUndefined();
  });

  it('drops a saved answer that aged past a week while the record itself is younger', async () => {
    const persist = await load();
    const client = new QueryClient();
    await persist.persistQueryClient(client, 'u1');
    client.setQueryData(key('booking.list'), [{ id: 'old' }], { updatedAt: Date.now() - 7 * DAY + 3600_000 });
    client.setQueryData(key('catalog.categories'), [{ id: 'c' }]);
    await vi.advanceTimersByTimeAsync(1_100);
    vi.setSystemTime(Date.now() + 2 * 3600_000); // the app is closed for two hours
    vi.resetModules();
    const again = await load();
    const next = new QueryClient();
    await again.persistQueryClient(next, 'u1');
    expect(next.getQueryData(key('booking.list'))).toBeUndefined();
    expect(next.getQueryData(key('catalog.categories'))).toEqual([{ id: 'c' }]);
  });

  it('discards a record written by an older version of the app', async () => {
    const { openDB } = await import('idb');
    const db = await openDB('fundi-query-cache', 1, { upgrade: (d) => d.createObjectStore('cache') });
    // The shape the hand-written persister used to save.
    await db.put(
      'cache',
      { savedAt: Date.now(), userId: 'u1', state: { mutations: [], queries: [] } },
      'queries',
    );
    db.close();
    const persist = await load();
    await persist.persistQueryClient(new QueryClient(), 'u1');
    const reopened = await openDB('fundi-query-cache', 1);
    expect(await reopened.get('cache', 'queries')).toBeUndefined();
    reopened.close();
  });

  it('signing out while the saved answers are still being read shows none of them', async () => {
    await savedSession('u1');
    vi.resetModules();
    const persist = await load();
    const client = new QueryClient();
    const restoring = persist.persistQueryClient(client, 'u1');
    await persist.clearPersistedQueries(null);
    await restoring;
    expect(client.getQueryData(key('booking.list'))).toBeUndefined();
  });

  it('a save still waiting when the user signs out is never written', async () => {
    const persist = await load();
    const client = new QueryClient();
    await persist.persistQueryClient(client, 'u1');
    client.setQueryData(key('booking.list'), [{ id: 'b-1' }]);
    await persist.clearPersistedQueries(null); // within the second before the save
    await vi.advanceTimersByTimeAsync(1_100);
    vi.resetModules();
    const again = await load();
    const next = new QueryClient();
    await again.persistQueryClient(next, 'u1');
    expect(next.getQueryData(key('booking.list'))).toBeUndefined();
  });

  it('the next user to sign in on the device gets their own record', async () => {
    const persist = await savedSession('u1');
    const client = new QueryClient();
    await persist.persistQueryClient(client, 'u1');
    persist.persistForUser('u2'); // the server says someone else is signed in now
    client.removeQueries();
    client.setQueryData(key('booking.list'), [{ id: 'b-2' }]);
    await vi.advanceTimersByTimeAsync(1_100);
    vi.resetModules();
    const again = await load();
    const asU2 = new QueryClient();
    await again.persistQueryClient(asU2, 'u2');
    expect(asU2.getQueryData(key('booking.list'))).toEqual([{ id: 'b-2' }]);
    // u1 back on the device: u2's record is not theirs (and is discarded).
    vi.resetModules();
    const third = await load();
    const asU1 = new QueryClient();
    await third.persistQueryClient(asU1, 'u1');
    expect(asU1.getQueryData(key('booking.list'))).toBeUndefined();
  });

  it('saves nothing while nobody is signed in', async () => {
    const persist = await load();
    const client = new QueryClient();
    await persist.persistQueryClient(client, null);
    client.setQueryData(key('booking.list'), [{ id: 'b-1' }]);
    await vi.advanceTimersByTimeAsync(1_100);
    vi.resetModules();
    const again = await load();
    const next = new QueryClient();
    await again.persistQueryClient(next, 'u1');
    expect(next.getQueryData(key('booking.list'))).toBeUndefined();
  });
});

describe('one @tanstack/query-core', () => {
  it("the persister hydrates with the app's own query-core, not the copy it pins", async () => {
    hydrateCalls.length = 0;
    const { persistQueryClientRestore } = await import('@tanstack/react-query-persist-client');
    await persistQueryClientRestore({
      queryClient: new QueryClient(),
      persister: {
        persistClient: () => {},
        removeClient: () => {},
        restoreClient: () => ({
          timestamp: Date.now(),
          buster: '',
          clientState: { mutations: [], queries: [] },
        }),
      },
    });
    expect(hydrateCalls).toHaveLength(1);
  });
});

// The persisted query cache: which answers are kept on the device (the filter), and that a reopened app
// gets them back for the same user only, marked as restored and refetched.
import { QueryClient } from '@tanstack/react-query';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { freshIndexedDb } from '../../test/setup';

/** A tRPC query key, as @trpc/react-query builds it. */
const key = (path: string, input?: unknown) => [path.split('.'), { input, type: 'query' }] as const;
const DAY = 24 * 3600_000;

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

// The booking outbox: actions taken offline are stored on the device and replayed in order, each create
// with the idempotency key it was queued with; a server that sheds load is asked again only after its
// Retry-After. Real IndexedDB semantics (fake-indexeddb); the API is a stand-in that records its calls.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { offline, overloaded, refused } from '../../../test/apiError';
import { renderHook } from '../../../test/renderHook';
import { freshIndexedDb } from '../../../test/setup';
import type { OutboxAction, OutboxApi } from './outboxStore';

type Call = { path: string; input: unknown };

/** A stand-in API whose answers are scripted per call, in order; unscripted calls succeed. */
function scriptedApi(script: Array<unknown | Error> = []) {
  const calls: Call[] = [];
  let booking = 0;
  const answer = async (path: string, input: unknown, ok: () => unknown) => {
    calls.push({ path, input });
    const next = script.shift();
    if (next instanceof Error) throw next;
    return next ?? ok();
  };
  const api: OutboxApi = {
    booking: {
      create: {
        mutate: (input) => answer('booking.create', input, () => ({ id: `b-${++booking}` })) as never,
      },
      cancel: { mutate: (input) => answer('booking.cancel', input, () => ({})) },
      get: { query: (input) => answer('booking.get', input, () => ({ status: 'cancelled' })) as never },
    },
    chat: { send: { mutate: (input) => answer('chat.send', input, () => ({ id: 'm-1' })) as never } },
  };
  return { api, calls, script };
}

const createInput = (key: string) => ({
  serviceId: '00000000-0000-4000-8000-000000000001',
  lat: 6.5,
  lng: 3.4,
  address: '7 Adeola Odeku Street',
  idempotencyKey: key,
});

function action(kind: 'create' | 'cancel' | 'chat', id: string, seq: number): OutboxAction {
  const common = { id, userId: 'u1', seq, createdAt: seq, state: 'pending' as const, label: id };
  if (kind === 'create') return { ...common, kind, input: createInput(id) };
  if (kind === 'cancel')
    return { ...common, kind, input: { id: `booking-${id}`, reason: 'changed my mind' } };
  return { ...common, kind, input: { bookingId: 'b-9', body: 'on my way?', clientId: id } } as OutboxAction;
}

describe('replayActions (storage-free replay, as the service worker runs it too)', () => {
  beforeEach(() => {
    freshIndexedDb();
    vi.resetModules();
  });

  it('replays pending actions in seq order and settles each', async () => {
    const { replayActions } = await import('./outboxStore');
    const { api, calls } = scriptedApi();
    const settled: Array<[string, Partial<OutboxAction>]> = [];
    const done = await replayActions(
      [action('cancel', 'c1', 3), action('create', 'k-first', 1), action('chat', 'm1', 2)],
      api,
      async (a, patch) => void settled.push([a.id, patch]),
    );
    expect(done).toBe(true);
    expect(calls.map((c) => c.path)).toEqual(['booking.create', 'chat.send', 'booking.cancel']);
    expect(settled).toEqual([
      ['k-first', { state: 'confirmed', bookingId: 'b-1' }],
      ['m1', { state: 'confirmed', messageId: 'm-1' }],
      ['c1', { state: 'confirmed' }],
    ]);
  });

  it('stops at the first action that cannot get through, keeping the order, and resends the same key', async () => {
    const { replayActions } = await import('./outboxStore');
    const { api, calls, script } = scriptedApi([offline()]);
    const settle = vi.fn(async () => {});
    const queue = [action('create', 'key-aaaa-1', 1), action('create', 'key-bbbb-2', 2)];
    expect(await replayActions(queue, api, settle)).toBe(false);
    expect(calls).toHaveLength(1);
    expect(settle).not.toHaveBeenCalled();
    // The answer was lost, or the network was down: the replay sends the very same idempotency key.
    script.length = 0;
    expect(await replayActions(queue, api, settle)).toBe(true);
    expect(calls.map((c) => (c.input as { idempotencyKey: string }).idempotencyKey)).toEqual([
      'key-aaaa-1',
      'key-aaaa-1',
      'key-bbbb-2',
    ]);
  });

  it("an OVERLOADED answer asks to come back after the server's Retry-After, and stops there", async () => {
    const { replayActions } = await import('./outboxStore');
    const { api, calls } = scriptedApi([overloaded(7)]);
    const retryIn = vi.fn();
    const settle = vi.fn(async () => {});
    expect(
      await replayActions([action('create', 'k1', 1), action('cancel', 'c1', 2)], api, settle, retryIn),
    ).toBe(false);
    expect(retryIn).toHaveBeenCalledWith(7_000);
    expect(calls).toHaveLength(1);
    expect(settle).not.toHaveBeenCalled();
  });

  it('a refusal that will not change on retry fails that action and goes on with the next', async () => {
    const { replayActions } = await import('./outboxStore');
    const { api } = scriptedApi([refused('BAD_REQUEST', 400)]);
    const settled: Array<[string, Partial<OutboxAction>]> = [];
    await replayActions([action('create', 'k1', 1), action('create', 'k2', 2)], api, async (a, p) => {
      settled.push([a.id, p]);
    });
    expect(settled).toEqual([
      ['k1', { state: 'failed', problem: 'VALIDATION' }],
      ['k2', { state: 'confirmed', bookingId: 'b-1' }],
    ]);
  });

  it('a cancel whose first answer was lost (CONFLICT, already cancelled) is confirmed, not failed', async () => {
    const { replayActions } = await import('./outboxStore');
    const { api, calls } = scriptedApi([refused('CONFLICT', 409, 'CONFLICT')]);
    const settle = vi.fn(async () => {});
    await replayActions([action('cancel', 'c1', 1)], api, settle);
    expect(calls.map((c) => c.path)).toEqual(['booking.cancel', 'booking.get']);
    expect(settle).toHaveBeenCalledWith(expect.objectContaining({ id: 'c1' }), { state: 'confirmed' });
  });

  it('a chat message sent too fast waits 15 s and keeps its place', async () => {
    const { replayActions } = await import('./outboxStore');
    const { api } = scriptedApi([refused('TOO_MANY_REQUESTS', 429, 'RATE_LIMITED')]);
    const retryIn = vi.fn();
    expect(await replayActions([action('chat', 'm1', 1)], api, async () => {}, retryIn)).toBe(false);
    expect(retryIn).toHaveBeenCalledWith(15_000);
  });

  it('stores actions in IndexedDB (all users), and removes them', async () => {
    const store = await import('./outboxStore');
    await store.writeAction(action('create', 'k1', 1));
    await store.writeAction({ ...action('cancel', 'c1', 2), userId: 'u2' });
    expect((await store.readActions())?.map((a) => a.id).sort()).toEqual(['c1', 'k1']);
    await store.removeAction('k1');
    expect((await store.readActions())?.map((a) => a.id)).toEqual(['c1']);
  });
});

describe('the page outbox (outbox.ts)', () => {
  const api = scriptedApi();
  beforeEach(() => {
    freshIndexedDb();
    vi.resetModules();
    api.calls.length = 0;
    api.script.length = 0;
    vi.doMock('../../lib/trpc', () => ({ getApi: () => ({ trpcClient: api.api }) }));
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.doUnmock('../../lib/trpc');
  });

  it('survives a restart: a create queued offline is read back for its user and replayed with its key', async () => {
    const onLine = vi.spyOn(navigator, 'onLine', 'get').mockReturnValue(false);
    let outbox = await import('./outbox');
    await outbox.loadOutbox('u1');
    await outbox.enqueue({ kind: 'create', input: createInput('key-offline-1'), label: 'Plumbing' });
    expect(api.calls).toHaveLength(0);

    // The app is closed and opened again (a new module, the same IndexedDB).
    vi.resetModules();
    outbox = await import('./outbox');
    await outbox.loadOutbox('u2');
    expect(await snapshot(outbox)).toEqual([]); // not someone else's
    await outbox.loadOutbox('u1');
    expect(await snapshot(outbox)).toEqual([['key-offline-1', 'pending']]);

    onLine.mockReturnValue(true);
    await outbox.replayOutbox();
    expect(api.calls).toEqual([{ path: 'booking.create', input: createInput('key-offline-1') }]);
    expect(await snapshot(outbox)).toEqual([['key-offline-1', 'confirmed']]);
    const { readActions } = await import('./outboxStore');
    expect((await readActions())?.[0]).toMatchObject({ state: 'confirmed', bookingId: 'b-1' });
  });

  it('shed under load: nothing is sent again before Retry-After, then the same key goes once more', async () => {
    vi.spyOn(navigator, 'onLine', 'get').mockReturnValue(true);
    const outbox = await import('./outbox');
    await outbox.loadOutbox('u1');
    api.script.push(overloaded(5));
    await outbox.enqueue({ kind: 'create', input: createInput('key-shed-1'), label: 'Plumbing' });
    await outbox.replayOutbox(); // the replay enqueue started
    expect(api.calls).toHaveLength(1);

    await vi.advanceTimersByTimeAsync(4_900);
    expect(api.calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(200);
    await outbox.replayOutbox();
    expect(api.calls.map((c) => (c.input as { idempotencyKey: string }).idempotencyKey)).toEqual([
      'key-shed-1',
      'key-shed-1',
    ]);
    expect(await snapshot(outbox)).toEqual([['key-shed-1', 'confirmed']]);
  });

  it('queuing the same create twice (a double tap) keeps one action under its idempotency key', async () => {
    vi.spyOn(navigator, 'onLine', 'get').mockReturnValue(false);
    const outbox = await import('./outbox');
    await outbox.loadOutbox('u1');
    await outbox.enqueue({ kind: 'create', input: createInput('key-twice-1'), label: 'A' });
    await outbox.enqueue({ kind: 'create', input: createInput('key-twice-1'), label: 'A' });
    expect(await snapshot(outbox)).toEqual([['key-twice-1', 'pending']]);
    const { readActions } = await import('./outboxStore');
    expect(await readActions()).toHaveLength(1);
  });
});

/** The actions the screens see, as [id, state]. */
async function snapshot(outbox: typeof import('./outbox')): Promise<Array<[string, string]>> {
  let seen: OutboxAction[] = [];
  renderHook(() => {
    seen = outbox.useOutbox();
  });
  return seen.map((a) => [a.id, a.state]);
}

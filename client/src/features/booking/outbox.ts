// Booking actions taken without a connection (create, cancel), kept on the device (IndexedDB) until the
// server has them: they survive closing the app and are replayed in order when the connection returns.
// Each create carries its idempotency key, so a replay the server already applied (lost answer) returns
// the same booking instead of making a second one.
import type { inferRouterInputs } from '@trpc/server';
import { useSyncExternalStore } from 'react';
import type { AppRouter } from '../../../../server/trpc/root';
import { isRetryable, type ProblemCode, toApiProblem } from '../../lib/apiErrors';
import { openDatabase, request, transact } from '../../lib/idb';
import { newId } from '../../lib/ids';
import { getApi } from '../../lib/trpc';

type Inputs = inferRouterInputs<AppRouter>['booking'];

export type OutboxState = 'pending' | 'confirmed' | 'failed';

type Common = {
  /** The create's idempotency key, or a fresh id for a cancel. */
  id: string;
  userId: string;
  /** Order of replay. */
  seq: number;
  createdAt: number;
  state: OutboxState;
  problem?: ProblemCode;
  /** The booking (made or cancelled) once known. */
  bookingId?: string;
  /** What to show while waiting (e.g. the service's name), words already chosen by the screen. */
  label: string;
};

export type OutboxAction =
  | (Common & { kind: 'create'; input: Inputs['create'] })
  | (Common & { kind: 'cancel'; input: Inputs['cancel'] });

const DB_NAME = 'fundi-outbox';
const STORE = 'actions';

let dbPromise: Promise<IDBDatabase | null> | undefined;
function db(): Promise<IDBDatabase | null> {
  dbPromise ??= openDatabase(DB_NAME, 1, (database) => {
    if (!database.objectStoreNames.contains(STORE)) database.createObjectStore(STORE, { keyPath: 'id' });
  });
  return dbPromise;
}

// The current user's actions, oldest first, mirrored in memory for the screens.
let actions: OutboxAction[] = [];
let userId: string | null = null;
const listeners = new Set<() => void>();
const afterChange: Array<(action: OutboxAction) => void> = [];

function publish() {
  actions = [...actions].sort((a, b) => a.seq - b.seq);
  for (const listener of listeners) listener();
}

async function write(action: OutboxAction): Promise<void> {
  const database = await db();
  if (!database) return;
  await transact(database, STORE, 'readwrite', (store) => request(store.put(action)));
}

async function remove(id: string): Promise<void> {
  const database = await db();
  if (!database) return;
  await transact(database, STORE, 'readwrite', (store) => request(store.delete(id)));
}

/** Loads this user's actions (others' are not shown; they replay when that user is back). */
export async function loadOutbox(forUser: string | null): Promise<void> {
  userId = forUser;
  if (forUser === null) {
    actions = [];
    publish();
    return;
  }
  const database = await db();
  const all = database
    ? await transact(database, STORE, 'readonly', (store) =>
        request(store.getAll() as IDBRequest<OutboxAction[]>),
      )
    : actions;
  if (userId !== forUser) return;
  actions = all.filter((action) => action.userId === forUser);
  publish();
}

let seqCounter = 0;

/** Queues an action; it is replayed at once if the device seems online. */
export async function enqueue(
  action:
    | { kind: 'create'; input: Inputs['create']; label: string }
    | { kind: 'cancel'; input: Inputs['cancel']; label: string },
): Promise<OutboxAction | null> {
  if (userId === null) return null;
  const id = action.kind === 'create' ? action.input.idempotencyKey : newId();
  const stored = {
    ...action,
    id,
    userId,
    seq: Date.now() * 1000 + (seqCounter++ % 1000),
    createdAt: Date.now(),
    state: 'pending',
    bookingId: action.kind === 'cancel' ? action.input.id : undefined,
  } as OutboxAction;
  actions = [...actions.filter((a) => a.id !== id), stored];
  publish();
  await write(stored);
  if (navigator.onLine) void replayOutbox();
  else void requestBackgroundSync();
  return stored;
}

/** Where the browser has Background Sync, it wakes the service worker when the connection returns. */
async function requestBackgroundSync(): Promise<void> {
  try {
    const registration = (await navigator.serviceWorker?.ready) as
      | (ServiceWorkerRegistration & { sync?: { register(tag: string): Promise<void> } })
      | undefined;
    await registration?.sync?.register('fundi-outbox');
  } catch {
    // Not supported or not allowed: replay still happens on 'online' and on the next start.
  }
}

async function settle(action: OutboxAction, patch: Partial<Common>): Promise<void> {
  const next = { ...action, ...patch } as OutboxAction;
  actions = actions.map((a) => (a.id === action.id ? next : a));
  publish();
  await write(next);
  for (const callback of afterChange) callback(next);
}

let replaying: Promise<void> | null = null;

/** Sends the pending actions in order; stops at the first that can't get through (still offline). */
export function replayOutbox(): Promise<void> {
  replaying ??= (async () => {
    try {
      const api = getApi().trpcClient;
      for (const action of actions.filter((a) => a.state === 'pending')) {
        try {
          if (action.kind === 'create') {
            const booking = await api.booking.create.mutate(action.input);
            await settle(action, { state: 'confirmed', bookingId: booking.id });
          } else {
            await api.booking.cancel.mutate(action.input);
            await settle(action, { state: 'confirmed' });
          }
        } catch (error) {
          if (isRetryable(error)) return; // No connection (or a server hiccup): keep the order, try later.
          const problem = toApiProblem(error);
          if (action.kind === 'cancel' && problem.code === 'CONFLICT') {
            // A lost answer: the first cancel went through, and this one finds it already cancelled.
            try {
              const booking = await api.booking.get.query({ id: action.input.id });
              if (booking.status === 'cancelled') {
                await settle(action, { state: 'confirmed' });
                continue;
              }
            } catch {
              // Fall through: report the conflict.
            }
          }
          await settle(action, { state: 'failed', problem: problem.code });
        }
      }
    } finally {
      replaying = null;
    }
  })();
  return replaying;
}

/** Removes a settled action from the list (the user has seen how it ended). */
export async function dismiss(id: string): Promise<void> {
  actions = actions.filter((a) => a.id !== id);
  publish();
  await remove(id);
}

/** Runs after an action is confirmed or failed (e.g. to refresh the bookings). */
export function onSettled(callback: (action: OutboxAction) => void): () => void {
  afterChange.push(callback);
  return () => {
    afterChange.splice(afterChange.indexOf(callback), 1);
  };
}

export function useOutbox(): OutboxAction[] {
  return useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    () => actions,
  );
}

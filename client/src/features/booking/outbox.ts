// Booking actions taken without a connection (create, cancel), kept on the device (IndexedDB) until the
// server has them: they survive closing the app and are replayed in order when the connection returns.
// Each create carries its idempotency key, so a replay the server already applied (lost answer) returns
// the same booking instead of making a second one.
import { useSyncExternalStore } from 'react';
import { newId } from '../../lib/ids';
import { getApi } from '../../lib/trpc';
import {
  type Common,
  OUTBOX_SYNC_TAG,
  type OutboxAction,
  type OutboxApi,
  readActions,
  removeAction,
  replayActions,
  writeAction,
} from './outboxStore';

export type { OutboxAction, OutboxState } from './outboxStore';

type Inputs = {
  create: Extract<OutboxAction, { kind: 'create' }>['input'];
  cancel: Extract<OutboxAction, { kind: 'cancel' }>['input'];
  chat: Extract<OutboxAction, { kind: 'chat' }>['input'];
};

// The current user's actions, oldest first, mirrored in memory for the screens.
let actions: OutboxAction[] = [];
let userId: string | null = null;
const listeners = new Set<() => void>();
const afterChange: Array<(action: OutboxAction) => void> = [];

function publish() {
  actions = [...actions].sort((a, b) => a.seq - b.seq);
  for (const listener of listeners) listener();
}

/** Loads this user's actions (others' are not shown; they replay when that user is back). */
export async function loadOutbox(forUser: string | null): Promise<void> {
  userId = forUser;
  if (forUser === null) {
    actions = [];
    publish();
    return;
  }
  const all = (await readActions()) ?? actions;
  if (userId !== forUser) return;
  actions = all.filter((action) => action.userId === forUser);
  publish();
}

let seqCounter = 0;

/**
 * Queues an action; it is replayed at once if the device seems online, or after `delayMs` when the
 * server has just asked us to wait (it was too busy to take it).
 */
export async function enqueue(
  action:
    | { kind: 'create'; input: Inputs['create']; label: string }
    | { kind: 'cancel'; input: Inputs['cancel']; label: string }
    | { kind: 'chat'; input: Inputs['chat']; label: string },
  delayMs = 0,
): Promise<OutboxAction | null> {
  if (userId === null) return null;
  const id =
    action.kind === 'create'
      ? action.input.idempotencyKey
      : action.kind === 'chat'
        ? action.input.clientId
        : newId();
  const stored = {
    ...action,
    id,
    userId,
    seq: Date.now() * 1000 + (seqCounter++ % 1000),
    createdAt: Date.now(),
    state: 'pending',
    bookingId:
      action.kind === 'cancel'
        ? action.input.id
        : action.kind === 'chat'
          ? action.input.bookingId
          : undefined,
  } as OutboxAction;
  actions = [...actions.filter((a) => a.id !== id), stored];
  publish();
  await writeAction(stored);
  if (delayMs > 0) replayLater(delayMs);
  else if (navigator.onLine) void replayOutbox();
  else void requestBackgroundSync();
  return stored;
}

/** Where the browser has Background Sync, it wakes the service worker when the connection returns. */
async function requestBackgroundSync(): Promise<void> {
  try {
    const registration = (await navigator.serviceWorker?.ready) as
      | (ServiceWorkerRegistration & { sync?: { register(tag: string): Promise<void> } })
      | undefined;
    await registration?.sync?.register(OUTBOX_SYNC_TAG);
  } catch {
    // Not supported or not allowed: replay still happens on 'online' and on the next start.
  }
}

async function settle(action: OutboxAction, patch: Partial<Common>): Promise<void> {
  const next = { ...action, ...patch } as OutboxAction;
  actions = actions.map((a) => (a.id === action.id ? next : a));
  publish();
  await writeAction(next);
  for (const callback of afterChange) callback(next);
}

let replaying: Promise<void> | null = null;
let retryTimer: ReturnType<typeof setTimeout> | undefined;

/** One replay after the server's Retry-After (a busy server is not asked again sooner). */
function replayLater(ms: number) {
  clearTimeout(retryTimer);
  retryTimer = setTimeout(() => void replayOutbox(), ms);
}

/** Sends the pending actions in order; stops at the first that can't get through (still offline). */
export function replayOutbox(): Promise<void> {
  replaying ??= replayActions(actions, getApi().trpcClient satisfies OutboxApi, settle, replayLater)
    .then(() => undefined)
    .finally(() => {
      replaying = null;
    });
  return replaying;
}

/** Removes a settled action from the list (the user has seen how it ended). */
export async function dismiss(id: string): Promise<void> {
  actions = actions.filter((a) => a.id !== id);
  publish();
  await removeAction(id);
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

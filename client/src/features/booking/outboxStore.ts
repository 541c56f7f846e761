// The booking outbox's storage and replay, free of React and of the page's API singleton, so that the
// service worker can replay it too when no page is open (Background Sync). See outbox.ts for the page.
import type { inferRouterInputs } from '@trpc/server';
import { type DBSchema, type IDBPDatabase, openDB } from 'idb';
import type { AppRouter } from '../../../../server/trpc/root';
import { isRetryable, type ProblemCode, retryAfterMs, toApiProblem } from '../../lib/apiErrors';

type Inputs = inferRouterInputs<AppRouter>['booking'];
type ChatInputs = inferRouterInputs<AppRouter>['chat'];

export type OutboxState = 'pending' | 'confirmed' | 'failed';

export type Common = {
  /** The create's idempotency key, or a fresh id for a cancel. */
  id: string;
  userId: string;
  /** Order of replay. */
  seq: number;
  createdAt: number;
  state: OutboxState;
  problem?: ProblemCode;
  /** The booking (made or cancelled, or written about) once known. */
  bookingId?: string;
  /** A chat message's id once the server stored it. */
  messageId?: string;
  /** What to show while waiting (e.g. the service's name), words already chosen by the screen. */
  label: string;
};

export type OutboxAction =
  | (Common & { kind: 'create'; input: Inputs['create'] })
  | (Common & { kind: 'cancel'; input: Inputs['cancel'] })
  /** A chat message (id = its clientId, so a replay the server already has returns the same message). */
  | (Common & { kind: 'chat'; input: ChatInputs['send'] });

/** The calls a replay makes: the page's tRPC client, or the service worker's. */
export type OutboxApi = {
  booking: {
    create: { mutate(input: Inputs['create']): Promise<{ id: string }> };
    cancel: { mutate(input: Inputs['cancel']): Promise<unknown> };
    get: { query(input: { id: string }): Promise<{ status: string }> };
  };
  chat: { send: { mutate(input: ChatInputs['send']): Promise<{ id: string }> } };
};

/** A chat message refused for sending too fast is tried again after this. */
const CHAT_RATE_LIMITED_RETRY_MS = 15_000;

const DB_NAME = 'fundi-outbox';
const STORE = 'actions';
/** The Background Sync tag the page registers and the service worker answers. */
export const OUTBOX_SYNC_TAG = 'fundi-outbox';

interface OutboxDb extends DBSchema {
  actions: { key: string; value: OutboxAction };
}

let dbPromise: Promise<IDBPDatabase<OutboxDb> | null> | undefined;
/** Null where IndexedDB is missing or refused (some private modes): the outbox then has nothing to replay. */
function db(): Promise<IDBPDatabase<OutboxDb> | null> {
  dbPromise ??=
    typeof indexedDB === 'undefined'
      ? Promise.resolve(null)
      : openDB<OutboxDb>(DB_NAME, 1, {
          upgrade: (database) => database.createObjectStore(STORE, { keyPath: 'id' }),
          // Another tab (or the worker) upgrading the schema: let it, and reopen next time.
          blocking: (_current, _next, event) => {
            dbPromise = undefined;
            (event.target as IDBDatabase).close();
          },
        }).catch(() => null);
  return dbPromise;
}

export async function writeAction(action: OutboxAction): Promise<void> {
  await (await db())?.put(STORE, action);
}

export async function removeAction(id: string): Promise<void> {
  await (await db())?.delete(STORE, id);
}

/** Every stored action (all users), or null where IndexedDB is unavailable. */
export async function readActions(): Promise<OutboxAction[] | null> {
  const database = await db();
  return database ? database.getAll(STORE) : null;
}

/**
 * Sends the pending actions in order (by `seq`) and settles each; stops at the first that can't get
 * through (still offline, or a server hiccup) and returns false then, true once none is left pending.
 */
export async function replayActions(
  actions: OutboxAction[],
  api: OutboxApi,
  settle: (action: OutboxAction, patch: Partial<Common>) => Promise<void>,
  /** Told when the server asked us to come back later (OVERLOADED's Retry-After). */
  retryIn: (ms: number) => void = () => {},
): Promise<boolean> {
  const pending = actions.filter((a) => a.state === 'pending').sort((a, b) => a.seq - b.seq);
  for (const action of pending) {
    try {
      if (action.kind === 'create') {
        const booking = await api.booking.create.mutate(action.input);
        await settle(action, { state: 'confirmed', bookingId: booking.id });
      } else if (action.kind === 'chat') {
        const message = await api.chat.send.mutate(action.input);
        await settle(action, { state: 'confirmed', messageId: message.id });
      } else {
        await api.booking.cancel.mutate(action.input);
        await settle(action, { state: 'confirmed' });
      }
    } catch (error) {
      if (isRetryable(error)) {
        const wait = retryAfterMs(error);
        if (wait !== null) retryIn(wait);
        return false; // Keep the order, try later.
      }
      const problem = toApiProblem(error);
      if (action.kind === 'chat' && problem.code === 'RATE_LIMITED') {
        retryIn(CHAT_RATE_LIMITED_RETRY_MS); // Sent too fast: it goes out a little later, in order.
        return false;
      }
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
  return true;
}

import { useCallback, useEffect, useMemo, useReducer, useRef } from 'react';
import type {
  ChatEvent,
  ChatMessage,
  ChatPage,
  ChatReceipt,
  ChatState,
} from '../../../../server/contracts/chat';
import { type ProblemCode, toApiProblem } from '../../lib/apiErrors';
import { newId } from '../../lib/ids';
import { unwrapTracked } from '../../lib/tracked';
import { trpc } from '../../lib/trpc';
import { useResubscribe } from '../../lib/useResubscribe';
import { dismiss, enqueue, type OutboxAction, useOutbox } from '../booking/outbox';

/** How a message of the reader's own is doing. */
export type Tick = 'pending' | 'sent' | 'delivered' | 'read' | 'failed';

export type ChatItem = {
  /** The server id, or the outbox id (= clientId) while not stored yet. */
  key: string;
  id: string | null;
  body: string;
  mine: boolean;
  senderRole: ChatMessage['sender']['role'] | null;
  masked: boolean;
  createdAt: string;
  tick: Tick | null;
  problem?: ProblemCode;
};

type Store = {
  messages: Map<string, ChatMessage>;
  /** Cursor of the next older page (null: none left; undefined: not known yet). */
  older: string | null | undefined;
  state: ChatState | null;
  receipts: Map<string, ChatReceipt>;
};

type Action =
  | { type: 'page'; page: ChatPage; older: boolean }
  | { type: 'event'; event: ChatEvent }
  | { type: 'reset' };

const num = (id: string | null | undefined) => (id ? Number(id) : 0);

function mergeReceipt(map: Map<string, ChatReceipt>, r: ChatReceipt) {
  const old = map.get(r.userId);
  // Markers only move forward; events may arrive out of order (several nodes, a resubscription).
  map.set(r.userId, {
    ...r,
    deliveredUpTo: num(old?.deliveredUpTo) > num(r.deliveredUpTo) ? old!.deliveredUpTo : r.deliveredUpTo,
    readUpTo: num(old?.readUpTo) > num(r.readUpTo) ? old!.readUpTo : r.readUpTo,
  });
}

function reducer(store: Store, action: Action): Store {
  switch (action.type) {
    case 'reset':
      return { ...store, messages: new Map(), older: undefined };
    case 'page': {
      const messages = new Map(store.messages);
      for (const m of action.page.items) messages.set(m.id, m);
      const receipts = new Map(store.receipts);
      for (const r of action.page.state.receipts) mergeReceipt(receipts, r);
      return {
        messages,
        receipts,
        state: store.state ?? action.page.state,
        older: action.older || store.older === undefined ? action.page.nextCursor : store.older,
      };
    }
    case 'event': {
      const e = action.event;
      if (e.type === 'message') {
        const messages = new Map(store.messages);
        messages.set(e.message.id, e.message);
        return { ...store, messages };
      }
      const receipts = new Map(store.receipts);
      if (e.type === 'receipt') mergeReceipt(receipts, e.receipt);
      else for (const r of e.state.receipts) mergeReceipt(receipts, r);
      return { ...store, receipts, state: e.type === 'state' ? e.state : store.state };
    }
  }
}

/**
 * One booking's conversation for the signed-in user: the newest page, then `chat.stream` (which resumes
 * from the last message id after a reconnect), older pages on request, and the messages still in the
 * outbox (written offline or not confirmed yet) at the end.
 */
export function useChat(bookingId: string, userId: string, { enabled = true }: { enabled?: boolean } = {}) {
  const utils = trpc.useUtils();
  const [store, dispatch] = useReducer(reducer, {
    messages: new Map(),
    older: undefined,
    state: null,
    receipts: new Map(),
  });

  const first = trpc.chat.list.useQuery(
    { bookingId },
    { enabled, staleTime: 30_000, refetchOnWindowFocus: false },
  );
  useEffect(() => {
    if (first.data) dispatch({ type: 'page', page: first.data, older: false });
  }, [first.data]);

  // Contacts are hidden once the job ends: the copies already shown are replaced by masked ones.
  const contactsVisible = store.state?.contactsVisible;
  const wasVisible = useRef(contactsVisible);
  useEffect(() => {
    if (wasVisible.current === true && contactsVisible === false) {
      dispatch({ type: 'reset' });
      void utils.chat.list.invalidate({ bookingId });
    }
    wasVisible.current = contactsVisible;
  }, [contactsVisible, bookingId, utils]);

  const subscription = trpc.chat.stream.useSubscription(
    { bookingId },
    {
      enabled,
      onData: (raw) => dispatch({ type: 'event', event: unwrapTracked(raw) }),
    },
  );
  const streamProblem = subscription.error ? toApiProblem(subscription.error).code : null;
  useResubscribe(subscription, streamProblem === 'NOT_FOUND' || streamProblem === 'FORBIDDEN_ROLE');

  const loadOlder = useCallback(async () => {
    if (!store.older) return;
    const page = await utils.client.chat.list.query({ bookingId, cursor: store.older });
    dispatch({ type: 'page', page, older: true });
  }, [bookingId, store.older, utils]);

  // This booking's messages in the outbox: pending, failed, or sent and not seen back from the server.
  const queued = useOutbox().filter(
    (a): a is Extract<OutboxAction, { kind: 'chat' }> => a.kind === 'chat' && a.bookingId === bookingId,
  );
  const storedClientIds = useMemo(() => {
    const ids = new Set<string>();
    for (const m of store.messages.values()) if (m.sender.id === userId) ids.add(m.clientId);
    return ids;
  }, [store.messages, userId]);
  // Sent and back from the server: the outbox copy has done its job.
  const arrived = queued.filter((a) => a.state === 'confirmed' && storedClientIds.has(a.id)).map((a) => a.id);
  const arrivedKey = arrived.join(',');
  useEffect(() => {
    for (const id of arrivedKey ? arrivedKey.split(',') : []) void dismiss(id);
  }, [arrivedKey]);

  const other = [...store.receipts.values()].find((r) => r.userId !== userId);
  const mine = store.receipts.get(userId);

  const items = useMemo<ChatItem[]>(() => {
    const stored = [...store.messages.values()].sort((a, b) => num(a.id) - num(b.id));
    const list: ChatItem[] = stored.map((m) => {
      const isMine = m.sender.id === userId;
      const id = num(m.id);
      return {
        key: isMine ? m.clientId : m.id,
        id: m.id,
        body: m.body,
        mine: isMine,
        senderRole: m.sender.role,
        masked: m.masked,
        createdAt: m.createdAt,
        tick: !isMine
          ? null
          : num(other?.readUpTo) >= id
            ? 'read'
            : num(other?.deliveredUpTo) >= id
              ? 'delivered'
              : 'sent',
      };
    });
    for (const a of queued) {
      if (storedClientIds.has(a.id)) continue;
      list.push({
        key: a.id,
        id: a.messageId ?? null,
        body: a.input.body,
        mine: true,
        senderRole: null,
        masked: false,
        createdAt: new Date(a.createdAt).toISOString(),
        tick: a.state === 'pending' ? 'pending' : a.state === 'failed' ? 'failed' : 'sent',
        problem: a.problem,
      });
    }
    return list;
  }, [store.messages, queued, storedClientIds, userId, other?.readUpTo, other?.deliveredUpTo]);

  const readUpTo = num(mine?.readUpTo);
  const newestTheirs = [...store.messages.values()]
    .filter((m) => m.sender.id !== userId)
    .reduce((top, m) => Math.max(top, num(m.id)), 0);
  const unread = [...store.messages.values()].filter(
    (m) => m.sender.id !== userId && num(m.id) > readUpTo,
  ).length;

  const markRead = trpc.chat.markRead.useMutation({
    onSuccess: (receipt) => dispatch({ type: 'event', event: { type: 'receipt', receipt } }),
  });
  const asked = useRef(0);
  const markAllRead = useCallback(() => {
    if (newestTheirs <= readUpTo || newestTheirs <= asked.current || store.state?.as === 'admin') return;
    asked.current = newestTheirs;
    markRead.mutate({ bookingId, upTo: String(newestTheirs) });
  }, [newestTheirs, readUpTo, bookingId, markRead, store.state?.as]);

  /** Through the outbox: sent now when online, later when not, and exactly once either way. */
  const send = useCallback(
    (body: string) => {
      const text = body.trim();
      if (!text) return;
      void enqueue({
        kind: 'chat',
        input: { bookingId, body: text, clientId: newId() },
        label: text.slice(0, 80),
      });
    },
    [bookingId],
  );

  return {
    items,
    state: store.state,
    unread,
    loading: first.isPending && enabled && store.messages.size === 0,
    listError: first.error,
    streamProblem,
    live: subscription.status === 'pending',
    hasOlder: Boolean(store.older),
    loadOlder,
    send,
    markAllRead,
    deleteQueued: (key: string) => void dismiss(key),
  };
}

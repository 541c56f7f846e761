import type { z } from 'zod';
import { ACTIVE_JOB_STATUSES } from '#shared/booking';
import type { Db, DbOrTx } from '../../../db/client';
import type { ChatMessageRow, ChatReadMarkerRow, UserRow } from '../../../db/schema';
import type {
  ChatEvent,
  ChatMessage,
  ChatPage,
  ChatReceipt,
  ChatRole,
  ChatState,
  listChatInput,
  sendChatInput,
} from '../../contracts/chat';
import type { MeEvent } from '../../contracts/me';
import { pageOf } from '../../lib/cursor';
import { DomainError, isUniqueViolation } from '../../lib/errors';
import { log } from '../../lib/log';
import type { RateLimiter } from '../../lib/rate-limit';
import { type Bus, channels } from '../../realtime/bus';
import { streamEvent } from '../../realtime/feed';
import { inbox } from '../../realtime/inbox';
import { createAuditRepo } from '../audit/audit.repo';
import { meChannel } from '../me/me.channel';
import { maskContacts } from './chat.mask';
import { type ChatBooking, type ChatRepo, type ChatScope, createChatRepo } from './chat.repo';

type Caller = Pick<UserRow, 'id' | 'role'>;

/** Sending stays open this long after completion (then the conversation is read-only). */
export const CHAT_OPEN_AFTER_COMPLETION_MS = 24 * 3600_000;
/** The job is running: the conversation is open and contact details are shown as written. */
const PAGE = 50;
/** Backlog rows read at a time when a stream resumes. */
const BACKLOG_BATCH = 200;

export const chatChannel = (bookingId: string) => `chat:${bookingId}`;

/** On the bus: the stored row (unmasked; each subscriber masks for its reader) or a receipt. */
type BusRow = Omit<ChatMessageRow, 'createdAt'> & { createdAt: string };
type ChatBusEvent = { kind: 'message'; row: BusRow } | { kind: 'receipt'; receipt: ChatReceipt };

type Access = { as: ChatRole | 'admin'; booking: ChatBooking; scope: ChatScope };

type Deps = {
  db: Db;
  bus: Bus;
  limiter: RateLimiter;
  config: { openAfterCompletionMs: number };
  now?: () => number;
  /** In the message's transaction: the recipient's notification (issue 11 §2). */
  notify?: (
    tx: DbOrTx,
    m: { bookingId: string; messageId: number; senderId: string; recipientId: string },
  ) => Promise<void>;
};

const toBusRow = (r: ChatMessageRow): BusRow => ({ ...r, createdAt: r.createdAt.toISOString() });
const idOrNull = (n: number) => (n > 0 ? String(n) : null);

export function createChatService({ db, bus, limiter, config, now = Date.now, notify }: Deps) {
  const repo = createChatRepo(db);

  /**
   * Who may do what. The booking's customer and its current technician: their conversation. An admin:
   * read-only, and only while the booking is disputed (FORBIDDEN otherwise: admins know bookings exist).
   * Anyone else: NOT_FOUND, as for a booking that does not exist.
   */
  function authorize(booking: ChatBooking | undefined, user: Caller, intent: 'read' | 'write'): Access {
    if (booking) {
      if (user.role === 'admin') {
        if (intent === 'write')
          throw new DomainError('FORBIDDEN_ROLE', 'Admins can read a conversation, not write in it.');
        if (booking.status !== 'disputed')
          throw new DomainError('FORBIDDEN_ROLE', 'Admins can read a conversation only during a dispute.');
        return { as: 'admin', booking, scope: { bookingId: booking.id } };
      }
      if (booking.customerId === user.id)
        return { as: 'customer', booking, scope: { bookingId: booking.id } };
      if (booking.technicianId !== null && booking.technicianId === user.id)
        return { as: 'technician', booking, scope: { bookingId: booking.id, technicianId: user.id } };
    }
    throw new DomainError('NOT_FOUND', 'Booking not found.');
  }

  async function load(bookingId: string, user: Caller, intent: 'read' | 'write') {
    return authorize(await repo.booking(bookingId), user, intent);
  }

  const isActive = (b: ChatBooking) => ACTIVE_JOB_STATUSES.includes(b.status);

  /** Sending closes this long after completion; null while the job runs or when it ended otherwise. */
  function closesAt(b: ChatBooking): number | null {
    if ((b.status === 'completed' || b.status === 'disputed') && b.completedAt)
      return b.completedAt.getTime() + config.openAfterCompletionMs;
    return null;
  }

  function canSend(b: ChatBooking): boolean {
    if (b.technicianId === null) return false;
    if (isActive(b)) return true;
    const closes = closesAt(b);
    return closes !== null && now() < closes;
  }

  /**
   * Contact details are shown as written only while the job runs, and only in the conversation with the
   * technician running it; everywhere else (after the job ends, after a hand-back, to an admin) they are
   * masked when read. The stored text is never changed.
   */
  function toMessage(row: BusRow, b: ChatBooking): ChatMessage {
    const open = isActive(b) && row.technicianId === b.technicianId;
    const { text, masked } = open ? { text: row.body, masked: false } : maskContacts(row.body);
    return {
      id: String(row.id),
      bookingId: row.bookingId,
      sender: { id: row.senderId, role: row.senderId === b.customerId ? 'customer' : 'technician' },
      clientId: row.clientId,
      body: text,
      masked,
      createdAt: row.createdAt,
    };
  }

  const toReceipt = (m: Pick<ChatReadMarkerRow, 'bookingId' | 'userId' | 'deliveredUpTo' | 'readUpTo'>) => ({
    bookingId: m.bookingId,
    userId: m.userId,
    deliveredUpTo: idOrNull(m.deliveredUpTo),
    readUpTo: idOrNull(m.readUpTo),
  });

  const participants = (b: ChatBooking) => [b.customerId, ...(b.technicianId ? [b.technicianId] : [])];

  function receiptsOf(b: ChatBooking, markers: ChatReadMarkerRow[]): ChatReceipt[] {
    return participants(b).map((userId) => {
      const m = markers.find((x) => x.userId === userId);
      return toReceipt(m ?? { bookingId: b.id, userId, deliveredUpTo: 0, readUpTo: 0 });
    });
  }

  function stateOf(access: Access, markers: ChatReadMarkerRow[]): ChatState {
    const b = access.booking;
    const closes = closesAt(b);
    const open = canSend(b);
    return {
      bookingId: b.id,
      as: access.as,
      canSend: open && access.as !== 'admin',
      contactsVisible: isActive(b),
      closesAt: open && closes !== null ? new Date(closes).toISOString() : null,
      receipts: receiptsOf(b, markers),
    };
  }

  /** Moves `userId`'s markers and tells both sides when they moved. */
  async function advance(bookingId: string, userId: string, to: { delivered?: number; read?: number }) {
    const row = await repo.advance(bookingId, userId, to);
    if (row) {
      const receipt = toReceipt(row);
      bus.publish<ChatBusEvent>(chatChannel(bookingId), { kind: 'receipt', receipt });
    }
    return row;
  }

  async function auditRead(on: DbOrTx, user: Caller, a: Access, via: string) {
    await createAuditRepo(on).record({
      actorId: user.id,
      action: 'chat.read',
      subject: `booking:${a.booking.id}`,
      detail: { via, status: a.booking.status },
    });
  }

  return {
    /**
     * A booking's newest `limit` messages (newest first) and its customer, read in the caller's
     * transaction: the dispute console reads them together with its audit row (cases/bookings.service).
     */
    async transcript(tx: DbOrTx, bookingId: string, limit: number) {
      const rows = await createChatRepo(tx).page({ bookingId }, { limit });
      const { customerId } = (await createChatRepo(tx).booking(bookingId))!;
      return { rows, customerId };
    },

    /** Idempotent per (booking, sender, clientId): a retry returns the stored message. */
    async send(user: Caller, input: z.output<typeof sendChatInput>): Promise<ChatMessage> {
      const access = await load(input.bookingId, user, 'write');
      const retried = await repo.byClientId(input.bookingId, user.id, input.clientId);
      if (retried) return same(retried, input.body, access.booking);
      if (!canSend(access.booking)) throw closed();
      if (!(await limiter.hit(user.id)))
        throw new DomainError('RATE_LIMITED', 'Too many messages. Wait a moment and try again.');

      let result: { row: ChatMessageRow; created: boolean; booking: ChatBooking };
      try {
        result = await db.transaction(async (tx) => {
          const r = createChatRepo(tx);
          await r.lockConversation(input.bookingId);
          // Under the lock: the booking as it is now (a hand-back or the end of the window meanwhile).
          const booking = await r.booking(input.bookingId);
          authorize(booking, user, 'write');
          const again = await r.byClientId(input.bookingId, user.id, input.clientId);
          if (again) return { row: again, created: false, booking: booking! };
          if (!canSend(booking!)) throw closed();
          const row = await r.insert({
            bookingId: input.bookingId,
            seq: await r.nextSeq(input.bookingId),
            senderId: user.id,
            technicianId: booking!.technicianId!,
            clientId: input.clientId,
            body: input.body,
          });
          for (const recipientId of participants(booking!))
            if (recipientId !== user.id)
              await notify?.(tx, {
                bookingId: input.bookingId,
                messageId: row.id,
                senderId: user.id,
                recipientId,
              });
          return { row, created: true, booking: booking! };
        });
      } catch (e) {
        // Belt and braces: the unique key is the judge should two sends of one clientId ever race.
        if (!isUniqueViolation(e, 'chat_messages_booking_sender_client_key')) throw e;
        const row = await repo.byClientId(input.bookingId, user.id, input.clientId);
        if (!row) throw e;
        return same(row, input.body, access.booking);
      }
      if (!result.created) return same(result.row, input.body, result.booking);
      bus.publish<ChatBusEvent>(chatChannel(input.bookingId), { kind: 'message', row: toBusRow(result.row) });
      // The other side's other screens (unread badges, notifications) learn of it on their own channel.
      for (const userId of participants(result.booking))
        if (userId !== user.id)
          bus.publish<MeEvent>(meChannel(userId), {
            type: 'chat',
            bookingId: input.bookingId,
            messageId: String(result.row.id),
          });
      return toMessage(toBusRow(result.row), result.booking);
    },

    async list(user: Caller, input: z.output<typeof listChatInput>): Promise<ChatPage> {
      const limit = input.limit ?? PAGE;
      const before = input.cursor ? Number(input.cursor) : undefined;
      const readPage = async (r: ChatRepo, a: Access) => ({
        access: a,
        rows: await r.page(a.scope, { before, limit: limit + 1 }),
        markers: await r.markers(input.bookingId),
      });
      const first = await load(input.bookingId, user, 'read');
      // An admin's read and its audit row commit together (or not at all).
      const result =
        first.as === 'admin'
          ? await db.transaction(async (tx) => {
              const r = createChatRepo(tx);
              const a = authorize(await r.booking(input.bookingId), user, 'read');
              await auditRead(tx, user, a, 'chat.list');
              return readPage(r, a);
            })
          : await readPage(repo, first);
      const { access, rows } = result;
      let markers = result.markers;
      const { page, nextCursor } = pageOf(rows, limit, (last) => String(last.id));
      const items = page.map((row) => toMessage(toBusRow(row), access.booking));
      let unread = 0;
      if (access.as !== 'admin') {
        const mine = markers.find((m) => m.userId === user.id);
        unread = await repo.unread(access.scope, user.id, mine?.readUpTo ?? 0);
        // The newest page reached this participant's device: the other side's ticks turn "delivered".
        const newestTheirs = before ? undefined : page.find((m) => m.senderId !== user.id);
        if (newestTheirs && newestTheirs.id > (mine?.deliveredUpTo ?? 0)) {
          const moved = await advance(input.bookingId, user.id, { delivered: newestTheirs.id });
          if (moved) markers = [...markers.filter((m) => m.userId !== user.id), moved];
        }
      }
      return {
        items,
        nextCursor,
        state: stateOf(access, markers),
        unread,
      };
    },

    /** The caller has read up to message `upTo` (their read and delivered markers never move back). */
    async markRead(user: Caller, bookingId: string, upTo: string): Promise<ChatReceipt> {
      const access = await load(bookingId, user, 'write');
      const last = await repo.lastAtOrBelow(access.scope, Number(upTo));
      const row = last ? await advance(bookingId, user.id, { read: last }) : undefined;
      if (row) return toReceipt(row);
      const mine = (await repo.markers(bookingId)).find((m) => m.userId === user.id);
      return toReceipt(mine ?? { bookingId, userId: user.id, deliveredUpTo: 0, readUpTo: 0 });
    },

    /**
     * Live conversation, resumable: subscribe first, then the backlog, then live events, deduplicated by
     * the per-booking `seq` (a hole in it is read back from the database, so nothing is skipped even when
     * events from several senders or nodes arrive out of order). Every event is tracked by the id of the
     * newest message delivered so far: resuming from it gives every later message exactly once.
     */
    async *stream(
      bookingId: string,
      user: Caller,
      lastEventId: string | null | undefined,
      signal: AbortSignal | undefined,
    ) {
      let access = await load(bookingId, user, 'read');

      // Chat events and booking changes (status, hand-back: who may read, what is masked) in one queue.
      type Item = ChatBusEvent | { kind: 'booking' };
      const queue = inbox<Item>(signal);
      const offChat = bus.on<ChatBusEvent>(chatChannel(bookingId), queue.push);
      const offBooking = bus.on(channels.booking(bookingId), () => queue.push({ kind: 'booking' }));
      try {
        await Promise.all([offChat.ready, offBooking.ready]);
        // Listening now: read the booking again (it may have changed before we were).
        access = authorize(await repo.booking(bookingId), user, 'read');
        if (access.as === 'admin') await auditRead(db, user, access, 'chat.stream');
        const reader = access.as === 'admin' ? null : user.id;
        const markers = await repo.markers(bookingId);
        const deliver = deliveryMarker(
          bookingId,
          reader,
          markers.find((m) => m.userId === reader)?.deliveredUpTo ?? 0,
        );

        const lastId = /^[0-9]{1,16}$/.test(lastEventId ?? '') ? Number(lastEventId) : null;
        const fromSeq = lastId === 0 ? 0 : lastId ? await repo.seqOf(bookingId, lastId) : undefined;
        let cursor = fromSeq !== undefined ? String(lastId) : '0';
        let lastSeq = fromSeq ?? 0;
        const emit = (event: ChatEvent) => streamEvent(cursor, event);
        const visible = (r: BusRow) =>
          !access.scope.technicianId || r.technicianId === access.scope.technicianId;
        const message = (r: BusRow) => {
          cursor = String(r.id);
          if (r.senderId !== reader) deliver(r.id);
          return emit({ type: 'message', message: toMessage(r, access.booking) });
        };

        yield emit({ type: 'state', state: stateOf(access, markers) });

        if (fromSeq === undefined) {
          // A fresh subscription (or an id it does not know): the newest page, as chat.list's first.
          const page = (await repo.page(access.scope, { limit: PAGE })).reverse();
          for (const r of page) {
            lastSeq = Math.max(lastSeq, r.seq);
            yield message(toBusRow(r));
          }
        }
        // Everything after lastSeq, in batches (a resume, or what committed while the page was read).
        for (;;) {
          const rows = await repo.afterSeq(bookingId, lastSeq, BACKLOG_BATCH);
          for (const r of rows) {
            lastSeq = r.seq;
            if (visible(toBusRow(r))) yield message(toBusRow(r));
          }
          if (rows.length < BACKLOG_BATCH) break;
        }

        while (await queue.wait()) {
          const item = queue.items.shift()!;
          if (item.kind === 'booking') {
            // NOT_FOUND to a technician who handed the job back; FORBIDDEN to an admin once not disputed.
            access = authorize(await repo.booking(bookingId), user, 'read');
            yield emit({ type: 'state', state: stateOf(access, await repo.markers(bookingId)) });
          } else if (item.kind === 'receipt') {
            if (participants(access.booking).includes(item.receipt.userId))
              yield emit({ type: 'receipt', receipt: item.receipt });
          } else if (item.row.seq > lastSeq) {
            const rows =
              item.row.seq === lastSeq + 1
                ? [item.row]
                : (await repo.afterSeq(bookingId, lastSeq, BACKLOG_BATCH)).map(toBusRow);
            for (const r of rows) {
              if (r.seq <= lastSeq) continue;
              lastSeq = r.seq;
              if (visible(r)) yield message(r);
            }
          }
        }
      } finally {
        queue.close();
        offChat();
        offBooking();
      }
    },
  };

  /**
   * Delivery receipts: once a message from the other side has been handed to a reader's connection,
   * their "delivered" marker moves (coalesced: at most one write in flight per stream).
   */
  function deliveryMarker(bookingId: string, reader: string | null, initial: number) {
    let delivered = initial;
    let wanted = initial;
    let writing = false;
    return (id: number) => {
      if (reader === null || id <= wanted) return;
      wanted = id;
      if (writing) return;
      writing = true;
      void (async () => {
        try {
          while (wanted > delivered) {
            const target = wanted;
            await advance(bookingId, reader, { delivered: target });
            delivered = target;
          }
        } catch (e) {
          log.warn('chat: delivery marker failed', { bookingId, error: (e as Error).message });
        } finally {
          writing = false;
        }
      })();
    };
  }

  function same(row: ChatMessageRow, body: string, booking: ChatBooking): ChatMessage {
    if (row.body !== body)
      throw new DomainError('CONFLICT', 'This clientId was already used for a different message.');
    return toMessage(toBusRow(row), booking);
  }
}

function closed() {
  return new DomainError('CONFLICT', 'This conversation is closed.', { chat: 'closed' });
}

export type ChatService = ReturnType<typeof createChatService>;

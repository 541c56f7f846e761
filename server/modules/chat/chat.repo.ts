import { and, count, desc, eq, gt, lte, max, ne, sql } from 'drizzle-orm';
import { type DbOrTx, xactLock } from '../../../db/client';
import { type ChatMessageRow, chatMessages, chatReadMarkers } from '../../../db/schema';
import { type BookingParties, bookingParties } from '../booking/parties.repo';

/** What chat needs to know of a booking to authorise and to mask. */
export type ChatBooking = BookingParties;

/** Whose messages a reader sees: a technician only their own conversation (not a predecessor's). */
export type ChatScope = { bookingId: string; technicianId?: string | undefined };

const scoped = (s: ChatScope) =>
  and(
    eq(chatMessages.bookingId, s.bookingId),
    s.technicianId ? eq(chatMessages.technicianId, s.technicianId) : undefined,
  );

export function createChatRepo(db: DbOrTx) {
  return {
    booking: (id: string): Promise<ChatBooking | undefined> => bookingParties(db, id),

    /**
     * Serialises one booking's sends until the transaction ends, so `seq` has no holes and a message with
     * a higher id never commits before one with a lower id of the same booking.
     */
    async lockConversation(bookingId: string) {
      await xactLock(db, `chat:${bookingId}`);
    },

    async byClientId(bookingId: string, senderId: string, clientId: string) {
      const [row] = await db
        .select()
        .from(chatMessages)
        .where(
          and(
            eq(chatMessages.bookingId, bookingId),
            eq(chatMessages.senderId, senderId),
            eq(chatMessages.clientId, clientId),
          ),
        )
        .limit(1);
      return row;
    },

    async nextSeq(bookingId: string): Promise<number> {
      const [row] = await db
        .select({ last: max(chatMessages.seq) })
        .from(chatMessages)
        .where(eq(chatMessages.bookingId, bookingId));
      return (row?.last ?? 0) + 1;
    },

    async insert(values: typeof chatMessages.$inferInsert): Promise<ChatMessageRow> {
      const [row] = await db.insert(chatMessages).values(values).returning();
      return row!;
    },

    /** Newest first, before message `before` (exclusive). */
    page(scope: ChatScope, opts: { before?: number | undefined; limit: number }) {
      return db
        .select()
        .from(chatMessages)
        .where(and(scoped(scope), opts.before ? sql`${chatMessages.id} < ${opts.before}` : undefined))
        .orderBy(desc(chatMessages.id))
        .limit(opts.limit);
    },

    /** The booking's messages after `seq` (every conversation: callers filter), oldest first. */
    afterSeq(bookingId: string, seq: number, limit: number) {
      return db
        .select()
        .from(chatMessages)
        .where(and(eq(chatMessages.bookingId, bookingId), gt(chatMessages.seq, seq)))
        .orderBy(chatMessages.seq)
        .limit(limit);
    },

    async seqOf(bookingId: string, id: number): Promise<number | undefined> {
      const [row] = await db
        .select({ seq: chatMessages.seq })
        .from(chatMessages)
        .where(and(eq(chatMessages.bookingId, bookingId), eq(chatMessages.id, id)))
        .limit(1);
      return row?.seq;
    },

    /** The newest message the scope sees at or below `id`. */
    async lastAtOrBelow(scope: ChatScope, id: number): Promise<number | undefined> {
      const [row] = await db
        .select({ id: max(chatMessages.id) })
        .from(chatMessages)
        .where(and(scoped(scope), lte(chatMessages.id, id)));
      return row?.id ?? undefined;
    },

    async unread(scope: ChatScope, userId: string, readUpTo: number): Promise<number> {
      const [row] = await db
        .select({ n: count() })
        .from(chatMessages)
        .where(and(scoped(scope), ne(chatMessages.senderId, userId), gt(chatMessages.id, readUpTo)));
      return row?.n ?? 0;
    },

    markers: (bookingId: string) =>
      db.select().from(chatReadMarkers).where(eq(chatReadMarkers.bookingId, bookingId)),

    /**
     * Moves a participant's markers forward (never back; reading implies receiving). Returns the row only
     * when something moved, so callers announce real changes only.
     */
    async advance(bookingId: string, userId: string, to: { delivered?: number; read?: number }) {
      const read = to.read ?? 0;
      const delivered = Math.max(to.delivered ?? 0, read);
      const [row] = await db
        .insert(chatReadMarkers)
        .values({ bookingId, userId, deliveredUpTo: delivered, readUpTo: read })
        .onConflictDoUpdate({
          target: [chatReadMarkers.bookingId, chatReadMarkers.userId],
          set: {
            deliveredUpTo: sql`greatest("chat_read_markers"."delivered_up_to", excluded."delivered_up_to")`,
            readUpTo: sql`greatest("chat_read_markers"."read_up_to", excluded."read_up_to")`,
            updatedAt: sql`now()`,
          },
          setWhere: sql`"chat_read_markers"."delivered_up_to" < excluded."delivered_up_to" OR "chat_read_markers"."read_up_to" < excluded."read_up_to"`,
        })
        .returning();
      return row;
    },
  };
}

export type ChatRepo = ReturnType<typeof createChatRepo>;

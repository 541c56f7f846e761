import { and, asc, count, desc, eq, inArray, isNotNull, isNull, lt, lte, sql } from 'drizzle-orm';
import { type DbOrTx, queryRows, reusableRows } from '../../../db/client';
import {
  chatReadMarkers,
  type NotificationDeliveryRow,
  type NotificationRow,
  notificationDeliveries,
  notificationPreferences,
  notifications,
  phoneVerifications,
  pushSubscriptions,
  users,
} from '../../../db/schema';
import type { ExternalChannel, NotificationData } from '../../contracts/notification';

export type NewNotification = {
  userId: string;
  kind: string;
  data: NotificationData;
  dedupeKey?: string | null;
  availableAt?: Date;
};

/** Rows of a status change's notifications (one to a few): one statement per shape, built once. */
const insertRows = reusableRows('notification_insert', (db, rows) =>
  db
    .insert(notifications)
    .values(rows as Array<typeof notifications.$inferInsert>)
    .onConflictDoNothing(),
);
/** More rows than this (a broadcast) are built per call: each shape is a statement on every connection. */
const REUSABLE_ROWS_MAX = 4;

export function createNotificationRepo(db: DbOrTx) {
  return {
    /** The outbox write: in the caller's transaction; a repeated dedupe key is a no-op. */
    async insert(rows: NewNotification[]) {
      if (rows.length === 0) return;
      const values = rows.map((r) => ({ ...r, dedupeKey: r.dedupeKey ?? null }));
      // A few rows (what a status change writes, several times per job): a statement built once.
      if (rows.length <= REUSABLE_ROWS_MAX) await insertRows(db, values);
      else await db.insert(notifications).values(values).onConflictDoNothing();
    },

    /**
     * Claims due, undispatched notifications (FOR UPDATE SKIP LOCKED: several workers never take the same
     * row) and dispatches them: a place in the feed. Run inside the dispatching transaction.
     */
    async dispatchDue(limit: number): Promise<NotificationRow[]> {
      const due = await db
        .select({ id: notifications.id })
        .from(notifications)
        .where(and(isNull(notifications.dispatchedAt), lte(notifications.availableAt, sql`now()`)))
        .orderBy(asc(notifications.id))
        .limit(limit)
        .for('update', { skipLocked: true });
      if (due.length === 0) return [];
      const ids = due.map((d) => d.id);
      // One UPDATE: ids ascending take feed positions ascending.
      return queryRows<NotificationRow>(
        db,
        sql`UPDATE notifications n SET dispatched_at = now(), feed_seq = nextval('notification_feed_seq')
            FROM (SELECT id FROM notifications WHERE id IN (${sql.join(ids, sql`, `)}) ORDER BY id) o
            WHERE n.id = o.id
            RETURNING n.id, n.user_id AS "userId", n.kind, n.data, n.feed_seq AS "feedSeq",
              n.created_at AS "createdAt", n.read_at AS "readAt", n.dispatched_at AS "dispatchedAt",
              n.available_at AS "availableAt", n.dedupe_key AS "dedupeKey"`,
      ).then((rows) =>
        rows
          .map((r) => ({
            ...r,
            id: Number(r.id),
            feedSeq: Number(r.feedSeq),
            createdAt: new Date(r.createdAt),
            data: typeof r.data === 'string' ? JSON.parse(r.data) : r.data,
          }))
          .sort((a, b) => a.feedSeq - b.feedSeq),
      );
    },

    async nameOf(userId: string): Promise<string | null> {
      const [row] = await db.select({ name: users.name }).from(users).where(eq(users.id, userId));
      return row?.name ?? null;
    },

    /** Who the recipients are: language, time zone, e-mail, verified phone. */
    async recipients(userIds: string[]) {
      if (userIds.length === 0) return [];
      return db
        .select({
          id: users.id,
          name: users.name,
          email: users.email,
          locale: users.locale,
          timeZone: users.timeZone,
          phone: phoneVerifications.phone,
        })
        .from(users)
        .leftJoin(phoneVerifications, eq(phoneVerifications.userId, users.id))
        .where(inArray(users.id, userIds));
    },

    async preferences(userIds: string[]) {
      if (userIds.length === 0) return [];
      return db
        .select()
        .from(notificationPreferences)
        .where(inArray(notificationPreferences.userId, userIds));
    },

    async setPreferences(userId: string, items: Array<{ kind: string; channel: string; enabled: boolean }>) {
      await db
        .insert(notificationPreferences)
        .values(items.map((i) => ({ userId, ...i })))
        .onConflictDoUpdate({
          target: [
            notificationPreferences.userId,
            notificationPreferences.kind,
            notificationPreferences.channel,
          ],
          set: { enabled: sql`excluded.enabled` },
        });
    },

    async usersWithPush(userIds: string[]): Promise<Set<string>> {
      if (userIds.length === 0) return new Set();
      const rows = await db
        .selectDistinct({ userId: pushSubscriptions.userId })
        .from(pushSubscriptions)
        .where(inArray(pushSubscriptions.userId, userIds));
      return new Set(rows.map((r) => r.userId));
    },

    /** How far `userId` has read `bookingId`'s conversation (message id). */
    async chatReadUpTo(bookingId: string, userId: string): Promise<number> {
      const [row] = await db
        .select({ readUpTo: chatReadMarkers.readUpTo })
        .from(chatReadMarkers)
        .where(and(eq(chatReadMarkers.bookingId, bookingId), eq(chatReadMarkers.userId, userId)));
      return row?.readUpTo ?? 0;
    },

    async markReadById(ids: number[]) {
      if (ids.length)
        // Read before it was due (a chat message seen meanwhile): dispatched, but out of the feed.
        await db
          .update(notifications)
          .set({ readAt: sql`now()`, feedSeq: null })
          .where(inArray(notifications.id, ids));
    },

    async insertDeliveries(rows: Array<{ notificationId: number; channel: ExternalChannel }>) {
      if (rows.length) await db.insert(notificationDeliveries).values(rows).onConflictDoNothing();
    },

    /**
     * Claims due deliveries and leases them (`next_attempt_at` moves `leaseMs` ahead): a worker that dies
     * mid-send leaves its claim to be taken again once the lease ends. Short transaction, no network inside.
     */
    async claimDeliveries(limit: number, leaseMs: number) {
      return queryRows<{ id: string; notification_id: string; channel: ExternalChannel; attempts: number }>(
        db,
        sql`UPDATE notification_deliveries d
            SET next_attempt_at = now() + make_interval(secs => ${leaseMs / 1000}), attempts = d.attempts + 1
            FROM (SELECT id FROM notification_deliveries
                  WHERE status = 'pending' AND next_attempt_at <= now()
                  ORDER BY next_attempt_at LIMIT ${limit} FOR UPDATE SKIP LOCKED) c
            WHERE d.id = c.id
            RETURNING d.id, d.notification_id, d.channel, d.attempts`,
      ).then((rows) =>
        rows.map((r) => ({
          id: Number(r.id),
          notificationId: Number(r.notification_id),
          channel: r.channel,
          attempts: Number(r.attempts),
        })),
      );
    },

    async notification(id: number): Promise<NotificationRow | undefined> {
      const [row] = await db.select().from(notifications).where(eq(notifications.id, id));
      return row;
    },

    async finishDelivery(
      id: number,
      patch: Partial<Pick<NotificationDeliveryRow, 'status' | 'lastError' | 'sentAt' | 'nextAttemptAt'>>,
    ) {
      await db.update(notificationDeliveries).set(patch).where(eq(notificationDeliveries.id, id));
    },

    /** The soonest pending delivery or undispatched notification (for the worker's next wake-up). */
    async nextDue(): Promise<Date | null> {
      const [a] = await queryRows<{ at: Date | string | null }>(
        db,
        sql`SELECT least(
              (SELECT min(next_attempt_at) FROM notification_deliveries WHERE status = 'pending'),
              (SELECT min(available_at) FROM notifications WHERE dispatched_at IS NULL)) AS at`,
      );
      return a?.at ? new Date(a.at) : null;
    },

    // The feed.
    async page(userId: string, before: number | undefined, limit: number) {
      return db
        .select()
        .from(notifications)
        .where(
          and(
            eq(notifications.userId, userId),
            isNotNull(notifications.feedSeq),
            before ? lt(notifications.feedSeq, before) : undefined,
          ),
        )
        .orderBy(desc(notifications.feedSeq))
        .limit(limit);
    },

    async after(userId: string, seq: number, limit: number) {
      return db
        .select()
        .from(notifications)
        .where(and(eq(notifications.userId, userId), sql`${notifications.feedSeq} > ${seq}`))
        .orderBy(asc(notifications.feedSeq))
        .limit(limit);
    },

    async unread(userId: string): Promise<number> {
      const [row] = await db
        .select({ n: count() })
        .from(notifications)
        .where(
          and(
            eq(notifications.userId, userId),
            isNotNull(notifications.feedSeq),
            isNull(notifications.readAt),
          ),
        );
      return Number(row?.n ?? 0);
    },

    async markRead(userId: string, seqs: number[]) {
      await db
        .update(notifications)
        .set({ readAt: sql`now()` })
        .where(
          and(
            eq(notifications.userId, userId),
            inArray(notifications.feedSeq, seqs),
            isNull(notifications.readAt),
          ),
        );
    },

    // Push subscriptions.
    /**
     * `sessionId`: the sign-in session registering it (ends it by cascade); kept only when it is a row of
     * `sessions` (an API key's pseudo-session is not), so the link can never fail the insert.
     */
    async upsertPush(
      userId: string,
      s: { endpoint: string; p256dh: string; auth: string },
      sessionId: string | null = null,
    ) {
      const session = sessionId ? sql`(SELECT id FROM sessions WHERE id = ${sessionId})` : null;
      await db
        .insert(pushSubscriptions)
        .values({ userId, ...s, sessionId: session })
        .onConflictDoUpdate({
          target: pushSubscriptions.endpoint,
          set: { userId, p256dh: s.p256dh, auth: s.auth, sessionId: session },
        });
    },

    async deletePush(userId: string, endpoint: string) {
      await db
        .delete(pushSubscriptions)
        .where(and(eq(pushSubscriptions.userId, userId), eq(pushSubscriptions.endpoint, endpoint)));
    },

    async deletePushById(id: number) {
      await db.delete(pushSubscriptions).where(eq(pushSubscriptions.id, id));
    },

    async pushOf(userId: string) {
      return db.select().from(pushSubscriptions).where(eq(pushSubscriptions.userId, userId));
    },
  };
}

export type NotificationRepo = ReturnType<typeof createNotificationRepo>;

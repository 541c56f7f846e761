import { and, desc, eq, gt, gte, like, lt, lte, type SQL, sql } from 'drizzle-orm';
import { type DbOrTx, xactLock } from '../../../db/client';
import { auditLog, users } from '../../../db/schema';
import { auditRequest } from './audit.context';

export type AuditEntry = {
  actorId: string | null;
  /** A dotted verb: `chat.read`, `technician.verify` … */
  action: string;
  /** A typed reference: `booking:<uuid>`, `user:<uuid>` … */
  subject: string;
  detail?: Record<string, unknown> | null;
  /** The fields the action changed, as they were and as they became. */
  before?: Record<string, unknown> | null;
  after?: Record<string, unknown> | null;
  reason?: string | null;
  /** Defaults to the address of the admin request in progress (audit.context.ts), if any. */
  ip?: string | null;
};

export type AuditFilter = {
  actorId?: string;
  action?: string;
  subject?: string;
  from?: Date;
  to?: Date;
  /** Rows with a smaller id (newest first). */
  beforeId?: number;
};

/**
 * The audit trail: insert-only (the database refuses anything else). Pass the transaction of the change (or
 * read) it records. The one repo other modules' services use directly (issue 16 §3): an audit row must
 * commit in the caller's own transaction, with the change it records, or not at all; a service in between
 * would only pass the transaction through.
 */
export function createAuditRepo(db: DbOrTx) {
  async function record(entry: AuditEntry) {
    const [row] = await db
      .insert(auditLog)
      .values({
        actorId: entry.actorId,
        action: entry.action,
        subject: entry.subject,
        detail: entry.detail ?? null,
        before: entry.before ?? null,
        after: entry.after ?? null,
        reason: entry.reason ?? null,
        ip: entry.ip ?? auditRequest.getStore()?.ip ?? null,
      })
      .returning();
    return row!;
  }

  return {
    record,

    /**
     * Records `entry` unless the same actor already has a row of this action on this subject within the
     * last `withinSeconds` (a page refetched on every focus is one reading, not fifty). Run it in a
     * transaction: the advisory lock makes two racing reads write one row. Returns whether it wrote.
     */
    async recordUnlessRecent(entry: AuditEntry & { actorId: string }, withinSeconds: number) {
      await xactLock(db, `audit:${entry.action}:${entry.actorId}:${entry.subject}`);
      const [recent] = await db
        .select({ id: auditLog.id })
        .from(auditLog)
        .where(
          and(
            eq(auditLog.actorId, entry.actorId),
            eq(auditLog.action, entry.action),
            eq(auditLog.subject, entry.subject),
            gt(auditLog.at, sql`now() - make_interval(secs => ${withinSeconds}::float8)`),
          ),
        )
        .limit(1);
      if (recent) return false;
      await record(entry);
      return true;
    },

    list(filter: AuditFilter, limit: number) {
      const where: SQL[] = [];
      if (filter.actorId) where.push(eq(auditLog.actorId, filter.actorId));
      if (filter.action) {
        // `user.` lists every user action; escape LIKE's wildcards in the rest.
        where.push(
          filter.action.endsWith('.')
            ? like(auditLog.action, `${filter.action.replace(/[\\%_]/g, '\\$&')}%`)
            : eq(auditLog.action, filter.action),
        );
      }
      if (filter.subject) where.push(eq(auditLog.subject, filter.subject));
      if (filter.from) where.push(gte(auditLog.at, filter.from));
      if (filter.to) where.push(lte(auditLog.at, filter.to));
      if (filter.beforeId) where.push(lt(auditLog.id, filter.beforeId));
      return db
        .select({ row: auditLog, actorName: users.name, actorEmail: users.email })
        .from(auditLog)
        .leftJoin(users, eq(users.id, auditLog.actorId))
        .where(and(...where))
        .orderBy(desc(auditLog.id))
        .limit(limit);
    },
  };
}

export type AuditRepo = ReturnType<typeof createAuditRepo>;

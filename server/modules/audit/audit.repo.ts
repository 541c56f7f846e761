import type { DbOrTx } from '../../../db/client';
import { auditLog } from '../../../db/schema';

export type AuditEntry = {
  actorId: string | null;
  /** A dotted verb: `chat.read`, `technician.verify` … */
  action: string;
  /** A typed reference: `booking:<uuid>`, `user:<uuid>` … */
  subject: string;
  detail?: Record<string, unknown> | null;
};

/** The audit trail: insert-only. Pass the transaction of the change (or read) it records. */
export function createAuditRepo(db: DbOrTx) {
  return {
    async record(entry: AuditEntry) {
      const [row] = await db
        .insert(auditLog)
        .values({
          actorId: entry.actorId,
          action: entry.action,
          subject: entry.subject,
          detail: entry.detail ?? null,
        })
        .returning();
      return row!;
    },
  };
}

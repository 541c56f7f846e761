import type { Db } from '../../../db/client';
import type { AuditEntryView } from '../../contracts/console';
import { DomainError } from '../../lib/errors';
import { createAuditRepo } from '../audit/audit.repo';

const PAGE = 50;

export function createConsoleAuditService(db: Db) {
  const repo = createAuditRepo(db);
  return {
    /** Newest first; the cursor is the last row's id (rows are only ever appended). */
    async list(
      input:
        | { actorId?: string; action?: string; subject?: string; from?: string; to?: string; cursor?: string }
        | undefined,
    ): Promise<{ items: AuditEntryView[]; nextCursor: string | null }> {
      const i = input ?? {};
      if (i.cursor !== undefined && !/^[1-9][0-9]{0,15}$/.test(i.cursor))
        throw new DomainError('VALIDATION', 'Invalid cursor.');
      const rows = await repo.list(
        {
          actorId: i.actorId,
          action: i.action,
          subject: i.subject,
          from: i.from ? new Date(i.from) : undefined,
          to: i.to ? new Date(i.to) : undefined,
          beforeId: i.cursor ? Number(i.cursor) : undefined,
        },
        PAGE + 1,
      );
      const page = rows.slice(0, PAGE);
      return {
        items: page.map(({ row, actorName, actorEmail }) => ({
          id: row.id,
          at: row.at.toISOString(),
          actor: row.actorId ? { id: row.actorId, name: actorName ?? '', email: actorEmail ?? '' } : null,
          action: row.action,
          subject: row.subject,
          reason: row.reason,
          before: row.before,
          after: row.after,
          detail: row.detail,
          ip: row.ip,
        })),
        nextCursor: rows.length > PAGE ? String(page.at(-1)!.row.id) : null,
      };
    },
  };
}

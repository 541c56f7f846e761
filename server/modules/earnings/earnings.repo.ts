import { and, desc, eq, inArray, sql } from 'drizzle-orm';
import { type DbOrTx, queryRows } from '../../../db/client';
import { users } from '../../../db/schema';
import { type PayoutRow, payouts } from '../../../db/schema/money';

export function createEarningsRepo(db: DbOrTx) {
  return {
    /** The platform's commission on a technician's jobs: the commission lines of journals of their bookings. */
    async commissionOf(technicianId: string, currency: string): Promise<number> {
      const [row] = await queryRows<{ sum: string | null }>(
        db,
        sql`select sum(e.amount) as sum from ledger_entries e
            join ledger_journals j on j.id = e.journal_id
            join bookings b on b.id = j.booking_id
            where b.technician_id = ${technicianId} and e.account = 'platform:commission'
              and e.currency = ${currency}`,
      );
      return -Number(row?.sum ?? 0);
    },

    /** Of these ids, the ones that are technicians' accounts (a payout goes to a person). */
    async technicianIds(ids: string[]): Promise<Set<string>> {
      if (ids.length === 0) return new Set();
      const rows = await db
        .select({ id: users.id })
        .from(users)
        .where(and(inArray(users.id, ids), eq(users.role, 'technician')));
      return new Set(rows.map((r) => r.id));
    },

    async pendingPayout(technicianId: string, currency: string, opts: { forUpdate?: boolean } = {}) {
      const q = db
        .select()
        .from(payouts)
        .where(
          and(
            eq(payouts.technicianId, technicianId),
            eq(payouts.currency, currency),
            eq(payouts.status, 'pending'),
          ),
        )
        .limit(1);
      const [row] = await (opts.forUpdate ? q.for('update') : q);
      return row;
    },
    async insertPayout(v: typeof payouts.$inferInsert) {
      const [row] = await db.insert(payouts).values(v).onConflictDoNothing().returning();
      return row;
    },
    async updatePayout(id: string, patch: Partial<typeof payouts.$inferInsert>) {
      const [row] = await db.update(payouts).set(patch).where(eq(payouts.id, id)).returning();
      return row!;
    },
    async deletePendingPayout(id: string) {
      await db.delete(payouts).where(and(eq(payouts.id, id), eq(payouts.status, 'pending')));
    },
    async payout(id: string, opts: { forUpdate?: boolean } = {}) {
      const q = db.select().from(payouts).where(eq(payouts.id, id)).limit(1);
      const [row] = await (opts.forUpdate ? q.for('update') : q);
      return row;
    },
    async payoutWithName(id: string) {
      const [row] = await db
        .select({ payout: payouts, name: users.name })
        .from(payouts)
        .innerJoin(users, eq(users.id, payouts.technicianId))
        .where(eq(payouts.id, id))
        .limit(1);
      return row;
    },
    async listPayouts(opts: { status?: PayoutRow['status']; limit: number }) {
      return db
        .select({ payout: payouts, name: users.name })
        .from(payouts)
        .innerJoin(users, eq(users.id, payouts.technicianId))
        .where(opts.status ? eq(payouts.status, opts.status) : undefined)
        .orderBy(desc(payouts.createdAt))
        .limit(opts.limit);
    },
  };
}

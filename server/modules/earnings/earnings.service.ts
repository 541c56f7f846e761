import type { Db } from '../../../db/client';
import type { UserRow } from '../../../db/schema';
import type { EarningsPage, EarningsSummary, Payout } from '../../contracts/payment';
import { pageOf } from '../../lib/cursor';
import { DomainError } from '../../lib/errors';
import { createAuditRepo } from '../audit/audit.repo';
import { accounts, type Ledger } from '../ledger/ledger.service';
import { createEarningsRepo } from './earnings.repo';

type Caller = Pick<UserRow, 'id' | 'role'>;

/** Monday 00:00 UTC of the week `d` falls in: a payout is a weekly statement. */
export function weekStart(d: Date): Date {
  const day = (d.getUTCDay() + 6) % 7;
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() - day));
}

/**
 * What technicians earn, read from their ledger account (technician:<id>; credit = owed to them), and
 * the payouts that settle it.
 */
export function createEarningsService(deps: {
  db: Db;
  ledger: Ledger;
  /** The currency of a technician's summary with no lines to tell it. */
  currency: (technicianId: string) => Promise<string>;
  now?: () => Date;
}) {
  const { db, ledger } = deps;
  const now = deps.now ?? (() => new Date());
  const repo = createEarningsRepo(db);

  function toPayout(r: NonNullable<Awaited<ReturnType<typeof repo.payoutWithName>>>): Payout {
    const p = r.payout;
    return {
      id: p.id,
      technician: { id: p.technicianId, name: r.name },
      amount: { amount: p.amount, currency: p.currency },
      status: p.status,
      periodStart: p.periodStart.toISOString(),
      reference: p.reference,
      createdAt: p.createdAt.toISOString(),
      paidAt: p.paidAt?.toISOString() ?? null,
    };
  }

  return {
    async summary(user: Caller, currency?: string): Promise<EarningsSummary> {
      const lines = await ledger.linesOf(db, accounts.technician(user.id));
      const cur = currency ?? lines[0]?.currency ?? (await deps.currency(user.id));
      const sum = (line: string) =>
        lines.filter((l) => l.currency === cur && l.line === line).reduce((a, l) => a + l.sum, 0);
      const all = lines.filter((l) => l.currency === cur).reduce((a, l) => a + l.sum, 0);
      return {
        currency: cur,
        earned: -sum('earnings'),
        tips: -sum('tip'),
        commission: await repo.commissionOf(user.id, cur),
        cashCollected: sum('cash'),
        paidOut: sum('payout'),
        balance: -all,
      };
    },

    async entries(user: Caller, cursor: string | null | undefined, limit = 30): Promise<EarningsPage> {
      let beforeId: number | undefined;
      if (cursor) {
        beforeId = Number(cursor);
        if (!Number.isSafeInteger(beforeId) || beforeId <= 0)
          throw new DomainError('VALIDATION', 'Invalid cursor.');
      }
      const rows = await ledger.entriesOf(db, accounts.technician(user.id), {
        beforeId,
        limit: limit + 1,
      });
      const { page, nextCursor } = pageOf(rows, limit, (last) => String(last.id));
      return {
        items: page.map((e) => ({
          id: String(e.id),
          at: e.createdAt.toISOString(),
          kind: e.kind,
          line: e.line,
          amount: { amount: -e.amount, currency: e.currency },
          bookingId: e.bookingId,
          memo: e.memo,
        })),
        nextCursor,
      };
    },

    /**
     * The weekly statement: every technician the platform owes gets one pending payout holding what is
     * owed now (refreshed while pending), then the list. Technicians who owe (cash commission) get none.
     */
    async listPayouts(opts: { status?: 'pending' | 'paid'; limit?: number } = {}): Promise<Payout[]> {
      const owed = await ledger.balancesLike(db, 'technician:');
      const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
      const ids = owed.map((o) => o.account.slice('technician:'.length)).filter((id) => uuid.test(id));
      const technicians = await repo.technicianIds(ids);
      for (const o of owed.sort((a, b) => a.account.localeCompare(b.account))) {
        const technicianId = o.account.slice('technician:'.length);
        if (!technicians.has(technicianId)) continue;
        const amount = -o.sum;
        await db.transaction(async (tx) => {
          const r = createEarningsRepo(tx);
          const pending = await r.pendingPayout(technicianId, o.currency, { forUpdate: true });
          if (pending && amount <= 0) await r.deletePendingPayout(pending.id);
          else if (pending && pending.amount !== amount) await r.updatePayout(pending.id, { amount });
          else if (!pending && amount > 0)
            await r.insertPayout({
              technicianId,
              currency: o.currency,
              amount,
              periodStart: weekStart(now()),
            });
        });
      }
      return (await repo.listPayouts({ status: opts.status, limit: opts.limit ?? 100 })).map(toPayout);
    },

    async markPaid(admin: Caller, input: { payoutId: string; reference: string }): Promise<Payout> {
      await db.transaction(async (tx) => {
        const r = createEarningsRepo(tx);
        const p = await r.payout(input.payoutId, { forUpdate: true });
        if (!p) throw new DomainError('NOT_FOUND', 'Payout not found.');
        if (p.status === 'paid') {
          if (p.reference === input.reference) return;
          throw new DomainError('CONFLICT', 'This payout is already paid.');
        }
        const owed = -(await ledger.balance(tx, accounts.technician(p.technicianId), p.currency));
        if (owed < p.amount)
          throw new DomainError(
            'CONFLICT',
            'The technician is owed less than this payout now. List payouts again.',
            {
              owed,
            },
          );
        await r.updatePayout(p.id, {
          status: 'paid',
          reference: input.reference,
          paidAt: now(),
          paidBy: admin.id,
        });
        await createAuditRepo(tx).record({
          actorId: admin.id,
          action: 'payout.markPaid',
          subject: `payout:${p.id}`,
          before: { status: p.status },
          after: { status: 'paid', reference: input.reference },
          detail: { technicianId: p.technicianId, amount: p.amount, currency: p.currency },
        });
        await ledger.post(tx, {
          key: `payout:${p.id}`,
          kind: 'payout',
          memo: input.reference,
          entries: [
            {
              account: accounts.technician(p.technicianId),
              currency: p.currency,
              amount: p.amount,
              line: 'payout',
            },
            { account: accounts.bank, currency: p.currency, amount: -p.amount, line: 'payout' },
          ],
        });
      });
      return toPayout((await repo.payoutWithName(input.payoutId))!);
    },
  };
}

export type EarningsService = ReturnType<typeof createEarningsService>;

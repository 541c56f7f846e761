import type { DbOrTx } from '../../../db/client';
import { DomainError } from '../../lib/errors';
import { createLedgerRepo, type NewEntry } from './ledger.repo';

/**
 * Account names. Signs: debit positive, credit negative, so a customer who owes has a positive balance,
 * and the platform owes a technician the negative of theirs.
 */
export const accounts = {
  customer: (id: string) => `customer:${id}`,
  technician: (id: string) => `technician:${id}`,
  /** Money collected through a gateway, not yet settled to the platform's bank. */
  gateway: (provider: string) => `gateway:${provider}`,
  commission: 'platform:commission',
  gatewayFees: 'platform:gateway_fees',
  /** The platform's bank: payouts leave from here. */
  bank: 'platform:bank',
} as const;

export type Posting = NewEntry;
export type JournalInput = {
  /** What happened, once (e.g. `payment:<id>:paid`): posting the same key again posts nothing. */
  key: string;
  kind: string;
  bookingId?: string | null;
  paymentId?: string | null;
  memo?: string | null;
  entries: readonly Posting[];
};

/** Per currency, the entries' sum; a journal is balanced when every one is zero. */
export function sumsByCurrency(entries: readonly Posting[]): Map<string, number> {
  const sums = new Map<string, number>();
  for (const e of entries) sums.set(e.currency, (sums.get(e.currency) ?? 0) + e.amount);
  return sums;
}

export function createLedger() {
  return {
    /**
     * Posts one journal inside the caller's transaction (so it commits with the change it records).
     * Zero lines are dropped; the rest must be whole minor units summing to zero per currency: checked here
     * for a clear error, and again by the database at commit (ledger_journal_balanced).
     */
    async post(tx: DbOrTx, j: JournalInput): Promise<{ journalId: number; created: boolean }> {
      const entries = j.entries.filter((e) => e.amount !== 0);
      for (const e of entries) {
        if (!Number.isSafeInteger(e.amount) || !/^[A-Z]{3}$/.test(e.currency))
          throw new DomainError('INTERNAL', `Ledger entry for ${e.account} is not whole minor units.`);
      }
      for (const [currency, sum] of sumsByCurrency(entries)) {
        if (sum !== 0)
          throw new DomainError(
            'INTERNAL',
            `Journal ${j.key} does not balance in ${currency} (off by ${sum}).`,
          );
      }
      const repo = createLedgerRepo(tx);
      const journalId = await repo.post(
        {
          key: j.key,
          kind: j.kind,
          bookingId: j.bookingId ?? null,
          paymentId: j.paymentId ?? null,
          memo: j.memo ?? null,
        },
        entries,
      );
      if (journalId === undefined) {
        const existing = await repo.journalByKey(j.key);
        return { journalId: existing!.id, created: false };
      }
      return { journalId, created: true };
    },

    balance: (db: DbOrTx, account: string, currency: string) =>
      createLedgerRepo(db).balance(account, currency),
    linesOf: (db: DbOrTx, account: string) => createLedgerRepo(db).linesOf(account),
    /** An account's entries, newest first, before entry `beforeId` (exclusive). */
    entriesOf: (db: DbOrTx, account: string, opts: { beforeId?: number; limit: number }) =>
      createLedgerRepo(db).entriesOf(account, opts),
    /** The balance of every account whose name starts with `prefix`. */
    balancesLike: (db: DbOrTx, prefix: string) => createLedgerRepo(db).balancesLike(prefix),
  };
}

export type Ledger = ReturnType<typeof createLedger>;

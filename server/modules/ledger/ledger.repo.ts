import { and, desc, eq, like, lt, sql } from 'drizzle-orm';
import { type DbOrTx, queryRows, reusableByShape, reusableRows } from '../../../db/client';
import { ledgerEntries, ledgerJournals } from '../../../db/schema/money';

export type NewEntry = { account: string; currency: string; amount: number; line: string };
export type NewJournal = {
  key: string;
  kind: string;
  bookingId: string | null;
  paymentId: string | null;
  memo: string | null;
};

// Every completed job posts a journal: its statements are built once per shape (db/client.ts).
const insertJournal = reusableByShape<Array<{ id: number }>>('ledger_journal_insert', (db, columns) =>
  db
    .insert(ledgerJournals)
    .values(columns as typeof ledgerJournals.$inferInsert)
    .onConflictDoNothing({ target: ledgerJournals.key })
    .returning({ id: ledgerJournals.id }),
);
const insertEntries = reusableRows('ledger_entries_insert', (db, rows) =>
  db.insert(ledgerEntries).values(rows as Array<typeof ledgerEntries.$inferInsert>),
);
/** More entries than this in one journal are built per call (each shape is a prepared statement). */
const REUSABLE_ROWS_MAX = 8;

export function createLedgerRepo(db: DbOrTx) {
  return {
    /** The journal's id, or undefined when one with this key exists already (the caller posted it before). */
    async insertJournal(j: NewJournal): Promise<number | undefined> {
      const [row] = await insertJournal(db, j);
      return row?.id;
    },

    async journalByKey(key: string) {
      const [row] = await db.select().from(ledgerJournals).where(eq(ledgerJournals.key, key)).limit(1);
      return row;
    },

    async insertEntries(journalId: number, entries: readonly NewEntry[]) {
      if (entries.length === 0) return;
      const rows = entries.map((e) => ({ ...e, journalId }));
      if (rows.length <= REUSABLE_ROWS_MAX) await insertEntries(db, rows);
      else await db.insert(ledgerEntries).values(rows);
    },

    async balance(account: string, currency: string): Promise<number> {
      const [row] = await db
        .select({ sum: sql<string | null>`sum(${ledgerEntries.amount})` })
        .from(ledgerEntries)
        .where(and(eq(ledgerEntries.account, account), eq(ledgerEntries.currency, currency)));
      return Number(row?.sum ?? 0);
    },

    /** Sums of one account per line and currency (statements are built from these). */
    async linesOf(account: string) {
      const rows = await db
        .select({
          currency: ledgerEntries.currency,
          line: ledgerEntries.line,
          sum: sql<string>`sum(${ledgerEntries.amount})`,
        })
        .from(ledgerEntries)
        .where(eq(ledgerEntries.account, account))
        .groupBy(ledgerEntries.currency, ledgerEntries.line);
      return rows.map((r) => ({ currency: r.currency, line: r.line, sum: Number(r.sum) }));
    },

    /** Balances of every account starting with `prefix` (e.g. `technician:`), per currency, non-zero only. */
    async balancesLike(prefix: string) {
      const rows = await db
        .select({
          account: ledgerEntries.account,
          currency: ledgerEntries.currency,
          sum: sql<string>`sum(${ledgerEntries.amount})`,
        })
        .from(ledgerEntries)
        .where(like(ledgerEntries.account, `${prefix.replace(/[%_\\]/g, '\\$&')}%`))
        .groupBy(ledgerEntries.account, ledgerEntries.currency)
        .having(sql`sum(${ledgerEntries.amount}) <> 0`);
      return rows.map((r) => ({ account: r.account, currency: r.currency, sum: Number(r.sum) }));
    },

    /** One account's entries, newest first, keyset-paginated on the entry id. */
    async entriesOf(account: string, opts: { beforeId?: number; limit: number }) {
      return db
        .select({
          id: ledgerEntries.id,
          currency: ledgerEntries.currency,
          amount: ledgerEntries.amount,
          line: ledgerEntries.line,
          createdAt: ledgerEntries.createdAt,
          kind: ledgerJournals.kind,
          bookingId: ledgerJournals.bookingId,
          memo: ledgerJournals.memo,
        })
        .from(ledgerEntries)
        .innerJoin(ledgerJournals, eq(ledgerJournals.id, ledgerEntries.journalId))
        .where(
          and(
            eq(ledgerEntries.account, account),
            opts.beforeId ? lt(ledgerEntries.id, opts.beforeId) : undefined,
          ),
        )
        .orderBy(desc(ledgerEntries.id))
        .limit(opts.limit);
    },

    async entriesOfJournal(journalId: number) {
      return db.select().from(ledgerEntries).where(eq(ledgerEntries.journalId, journalId));
    },

    /** Journals that do not sum to zero in some currency: always none (the database refuses them). */
    async unbalanced(): Promise<{ journalId: number; currency: string; sum: number }[]> {
      const rows = await queryRows<{ journal_id: string; currency: string; sum: string }>(
        db,
        sql`select journal_id, currency, sum(amount) as sum from ledger_entries
            group by journal_id, currency having sum(amount) <> 0`,
      );
      return rows.map((r) => ({ journalId: Number(r.journal_id), currency: r.currency, sum: Number(r.sum) }));
    },

    /** Per currency, the sum of every entry: always zero. */
    async totals(): Promise<{ currency: string; sum: number }[]> {
      const rows = await queryRows<{ currency: string; sum: string }>(
        db,
        sql`select currency, sum(amount) as sum from ledger_entries group by currency`,
      );
      return rows.map((r) => ({ currency: r.currency, sum: Number(r.sum) }));
    },
  };
}

export type LedgerRepo = ReturnType<typeof createLedgerRepo>;

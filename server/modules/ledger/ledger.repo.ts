import { and, desc, eq, like, lt, sql } from 'drizzle-orm';
import { type DbOrTx, queryRows, reusableByShape } from '../../../db/client';
import { ledgerEntries, ledgerJournals } from '../../../db/schema/money';

export type NewEntry = { account: string; currency: string; amount: number; line: string };
export type NewJournal = {
  key: string;
  kind: string;
  bookingId: string | null;
  paymentId: string | null;
  memo: string | null;
};

/**
 * A journal and its entries in one statement (issue 18: every completed job posts one; it was two
 * statements, the entries after the journal's id came back). Built once per shape (db/client.ts). No
 * entries are written when the key is taken (the journal was posted before): the CTE `j` returns no row.
 * The entries come as one JSON parameter, written in their order; the balance trigger
 * (`ledger_entries_balanced`, deferred) checks them at commit as before.
 */
const postJournal = reusableByShape<Array<{ id: number }>>('ledger_post', (db, columns) => {
  const j = db.$with('j').as(
    db
      .insert(ledgerJournals)
      .values(columns as typeof ledgerJournals.$inferInsert)
      .onConflictDoNothing({ target: ledgerJournals.key })
      .returning({ id: ledgerJournals.id }),
  );
  const e = db.$with('e', {}).as(
    sql`INSERT INTO ${ledgerEntries} (journal_id, account, currency, amount, line)
        SELECT j.id, x.account, x.currency, x.amount, x.line
          FROM j CROSS JOIN ROWS FROM (jsonb_to_recordset(${sql.placeholder('_entries')}::jsonb)
               AS (account text, currency text, amount bigint, line text))
               WITH ORDINALITY AS x(account, currency, amount, line, n)
         ORDER BY x.n`,
  );
  return db.with(j, e).select({ id: j.id }).from(j) as never;
});

export function createLedgerRepo(db: DbOrTx) {
  return {
    /**
     * The journal with its entries, one statement: the journal's id, or undefined when one with this key
     * exists already (the caller posted it before; then no entry is written).
     */
    async post(j: NewJournal, entries: readonly NewEntry[]): Promise<number | undefined> {
      const [row] = await postJournal(db, j, { _entries: JSON.stringify(entries) });
      return row?.id;
    },

    async journalByKey(key: string) {
      const [row] = await db.select().from(ledgerJournals).where(eq(ledgerJournals.key, key)).limit(1);
      return row;
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

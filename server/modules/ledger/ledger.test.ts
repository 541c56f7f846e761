import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../../db/client';
import { ledgerEntries, ledgerJournals } from '../../../db/schema';
import { pgErrorCode } from '../../lib/errors';
import { transactionsOf } from '../../test/fixtures';
import { testDatabase } from '../../test/harness';
import { createLedgerRepo } from './ledger.repo';
import { createLedger } from './ledger.service';

describe('ledger', () => {
  let database: Awaited<ReturnType<typeof testDatabase>>;
  const ledger = createLedger();
  beforeAll(async () => {
    database = await testDatabase();
  });
  afterAll(async () => {
    await database?.dispose();
  });

  it('posts a balanced journal once per key and derives balances', async () => {
    const t = randomUUID();
    const key = `test:${randomUUID()}`;
    const entries = [
      { account: `test:customer:${t}`, currency: 'NGN', amount: 10_000, line: 'charge' },
      { account: `test:technician:${t}`, currency: 'NGN', amount: -8_500, line: 'earnings' },
      { account: `test:commission:${t}`, currency: 'NGN', amount: -1_500, line: 'commission' },
    ];
    const first = await database.db.transaction((tx) => ledger.post(tx, { key, kind: 'job', entries }));
    const again = await database.db.transaction((tx) => ledger.post(tx, { key, kind: 'job', entries }));
    expect(first.created).toBe(true);
    expect(again).toEqual({ journalId: first.journalId, created: false });
    expect(await ledger.balance(database.db, `test:technician:${t}`, 'NGN')).toBe(-8_500);
    expect(await ledger.balance(database.db, `test:customer:${t}`, 'NGN')).toBe(10_000);
  });

  it('posts a journal and its entries in one statement, the entries in their order (issue 18)', async () => {
    const t = randomUUID();
    const key = `test:${randomUUID()}`;
    const entries = [
      { account: `test:customer:${t}`, currency: 'EGP', amount: 20_000, line: 'charge' },
      { account: `test:technician:${t}`, currency: 'EGP', amount: -17_000, line: 'earnings' },
      { account: `test:commission:${t}`, currency: 'EGP', amount: -3_000, line: 'commission' },
    ];
    const post = () => database.db.transaction((tx) => ledger.post(tx, { key, kind: 'job', entries }));
    let first: Awaited<ReturnType<typeof post>> | undefined;
    const transactions = await transactionsOf({ database }, async () => {
      first = await post();
    });
    expect(transactions.map((statements) => statements.length)).toEqual([1]);
    expect(transactions[0]![0]).toMatch(/insert into "ledger_journals"/i);
    const written = () =>
      queryRows<{ account: string; currency: string; amount: number; line: string }>(
        database.db,
        sql`select account, currency, amount::int as amount, line from ledger_entries where journal_id = ${first!.journalId} order by id`,
      );
    expect(await written()).toEqual(entries);
    // Posted again (the key is taken): the journal is found, and no entry is written twice.
    expect(await post()).toEqual({ journalId: first!.journalId, created: false });
    expect(await written()).toEqual(entries);
  });

  it('refuses an unbalanced journal in code', async () => {
    await expect(
      database.db.transaction((tx) =>
        ledger.post(tx, {
          key: `test:${randomUUID()}`,
          kind: 'x',
          entries: [
            { account: 'a', currency: 'NGN', amount: 5, line: 'l' },
            { account: 'b', currency: 'EGP', amount: -5, line: 'l' },
          ],
        }),
      ),
    ).rejects.toMatchObject({ code: 'INTERNAL' });
  });

  it('the database itself refuses entries that do not sum to zero per currency (code bypassed)', async () => {
    const insertJournal = async (tx: Pick<typeof database.db, 'insert'>) => {
      const [j] = await tx
        .insert(ledgerJournals)
        .values({ key: `raw:${randomUUID()}`, kind: 'raw' })
        .returning();
      return j!.id;
    };
    // One-sided.
    const attempt = (rows: { currency: string; amount: number }[]) =>
      database.db.transaction(async (tx) => {
        const id = await insertJournal(tx);
        await tx
          .insert(ledgerEntries)
          .values(rows.map((r, i) => ({ journalId: id, account: `raw:${i}`, line: 'raw', ...r })));
      });
    const refused = async (p: Promise<unknown>) => {
      try {
        await p;
        return 'accepted';
      } catch (e) {
        return pgErrorCode(e).code;
      }
    };
    expect(await refused(attempt([{ currency: 'NGN', amount: 100 }]))).toBe('23514');
    // Balanced in total, but not per currency.
    expect(
      await refused(
        attempt([
          { currency: 'NGN', amount: 100 },
          { currency: 'EGP', amount: -100 },
        ]),
      ),
    ).toBe('23514');
    // Entries inserted one by one are checked at commit, not per statement: a balanced pair passes.
    await database.db.transaction(async (tx) => {
      const id = await insertJournal(tx);
      await tx
        .insert(ledgerEntries)
        .values({ journalId: id, account: 'raw:a', currency: 'NGN', amount: 7, line: 'raw' });
      await tx
        .insert(ledgerEntries)
        .values({ journalId: id, account: 'raw:b', currency: 'NGN', amount: -7, line: 'raw' });
    });
    // Adding a one-sided entry to an already balanced journal later is refused too.
    const [j] = await queryRows<{ journal_id: string }>(
      database.db,
      sql`select journal_id from ledger_entries where account = 'raw:a' order by id desc limit 1`,
    );
    expect(
      await refused(
        database.db.transaction((tx) =>
          tx.insert(ledgerEntries).values({
            journalId: Number(j!.journal_id),
            account: 'raw:c',
            currency: 'NGN',
            amount: 1,
            line: 'raw',
          }),
        ),
      ),
    ).toBe('23514');
    // Entries are immutable.
    expect(
      await refused(
        database.db.execute(sql`update ledger_entries set amount = amount * 2 where account = 'raw:a'`),
      ),
    ).toBe('23001');
    expect(await refused(database.db.execute(sql`delete from ledger_entries where account = 'raw:a'`))).toBe(
      '23001',
    );
  });

  it('sums to zero, per journal and per currency, over the whole database', async () => {
    const repo = createLedgerRepo(database.db);
    expect(await repo.unbalanced()).toEqual([]);
    for (const t of await repo.totals()) expect(t.sum).toBe(0);
  });
});

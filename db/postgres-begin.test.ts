import net from 'node:net';
import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * Issue 18 §2: patches/postgres+3.4.9.patch sends a transaction's BEGIN together with its first
 * statement instead of waiting for BEGIN's answer first: one round trip less per transaction (a job is
 * about ten). Counted at the socket: a transaction of one statement is two writes (BEGIN + the
 * statement, then COMMIT), not three. The statements still run inside the transaction, and a failure
 * still rolls it back.
 */
const url = new URL(process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
let writes = 0;
// `socket` (a connected socket of one's own) is a documented option the typings leave out.
const sql = postgres(url.toString(), {
  max: 1,
  onnotice: () => {},
  socket: () => {
    const socket = net.connect(Number(url.port || 5432), url.hostname);
    const write = socket.write.bind(socket) as (...args: unknown[]) => boolean;
    socket.write = ((...args: unknown[]) => {
      writes++;
      return write(...args);
    }) as typeof socket.write;
    return socket;
  },
} as postgres.Options<Record<string, never>>);
afterAll(() => sql.end({ timeout: 5 }));

/** Socket writes made by `run` (the connection already open and the statement already prepared). */
async function writesOf<T>(run: () => Promise<T>): Promise<{ writes: number; result: T }> {
  await run();
  const before = writes;
  const result = await run();
  return { writes: writes - before, result };
}

describe('postgres.js: BEGIN goes out with the first statement', () => {
  it('a one-statement transaction is two writes, and the statement runs inside the transaction', async () => {
    const { writes: n, result } = await writesOf(() =>
      sql.begin(async (tx) => {
        // now() is the transaction's start: it differs from the statement's own start only inside one.
        const [row] = await tx`select now() <> statement_timestamp() as inside, txid_current() as xid`;
        return row!;
      }),
    );
    expect(result.inside).toBe(true);
    expect(n).toBe(2);
  });

  it('a failing statement still rolls the whole transaction back', async () => {
    await sql`create table if not exists begin_pipeline_probe (id int primary key)`;
    await sql`delete from begin_pipeline_probe`;
    await expect(
      sql.begin(async (tx) => {
        await tx`insert into begin_pipeline_probe values (1)`;
        await tx`insert into begin_pipeline_probe values (1)`; // unique violation
      }),
    ).rejects.toMatchObject({ code: '23505' });
    const [row] = await sql`select count(*)::int as n from begin_pipeline_probe`;
    await sql`drop table begin_pipeline_probe`;
    expect(row!.n).toBe(0);
  });

  it('other queries never run on a connection a transaction holds', async () => {
    const order: string[] = [];
    let inside = '';
    const tx = sql.begin(async (t) => {
      const [row] = await t`select txid_current()::text as xid`;
      inside = row!.xid;
      await t`select pg_sleep(0.2)`;
      order.push('tx');
    });
    // One connection (max: 1): this waits for the transaction to end, never slips into it.
    const outside = sql`select txid_current()::text as xid`.then(([r]) => {
      order.push('outside');
      return r!.xid as string;
    });
    await tx;
    expect(await outside).not.toBe(inside);
    expect(order).toEqual(['tx', 'outside']);
  });
});

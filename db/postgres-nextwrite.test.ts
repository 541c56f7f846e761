import { execFile } from 'node:child_process';
import { describe, expect, it } from 'vitest';

/**
 * Issue 15 §2: postgres.js 3.4.9 throws `TypeError: Cannot read properties of null (reading 'write')`
 * from `Immediate.nextWrite` when a connection's backend dies under a transaction: `begin()`'s own
 * ROLLBACK is a small write, buffered for a `setImmediate`, and `closed()` has already nulled the socket
 * (porsager/postgres#1208). Thrown from a timer, it kills the process. patches/postgres+3.4.9.patch
 * settles the queries instead. Deterministic: the transaction's backend is ended with
 * pg_terminate_backend (only that one backend, so a shared server is not disturbed), in a child process
 * so the crash, without the patch, is an exit code here and not an uncaught error in the test runner.
 * POSTGRES_JS_DIR points the child at another copy of the driver (e.g. an unpatched one) to see it fail.
 */
const url = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
// The driver as the app imports it (resolved from the repository), or the copy POSTGRES_JS_DIR names.
const driver = process.env.POSTGRES_JS_DIR ? `${process.env.POSTGRES_JS_DIR}/src/index.js` : 'postgres';

const repro = `
const { default: postgres } = await import(${JSON.stringify(driver)});
const url = process.env.REPRO_URL;
const sql = postgres(url, { max: 2, onnotice: () => {} });
const killer = postgres(url, { max: 1, onnotice: () => {} });
let pid = null;
const tx = sql.begin(async (t) => {
  const [row] = await t\`select pg_backend_pid() as pid\`;
  pid = row.pid;
  await t\`select pg_sleep(10)\`;
});
while (pid === null) await new Promise((r) => setTimeout(r, 20));
await killer\`select pg_terminate_backend(\${pid})\`;
const outcome = await tx.then(() => 'resolved', (e) => e.code ?? e.message);
// The scheduled write (the crash without the patch) runs on the next turn of the loop: give it several.
await new Promise((r) => setTimeout(r, 300));
const after = await sql\`select 1 as one\`.then((r) => r[0].one, (e) => e.code ?? e.message);
console.log(JSON.stringify({ outcome, after }));
await Promise.all([sql.end({ timeout: 1 }), killer.end({ timeout: 1 })]);
`;

function run(): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--input-type=module', '-e', repro],
      { cwd: process.cwd(), env: { ...process.env, REPRO_URL: url }, timeout: 30_000 },
      (error, stdout, stderr) =>
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('postgres.js: a backend dying under a transaction', () => {
  it('rejects the transaction with CONNECTION_CLOSED and the process lives on (no TypeError from nextWrite)', async () => {
    const r = await run();
    expect(r.stderr).not.toContain("Cannot read properties of null (reading 'write')");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '{}')).toEqual({
      outcome: 'CONNECTION_CLOSED',
      after: 1,
    });
  }, 40_000);
});

import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chmodSync, chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../db/client';
import { serviceId, until } from '../../test/fixtures';
import { httpClient, startTestServer, type TestServer, uniqueEmail } from '../../test/harness';

/**
 * A PostgreSQL server of this file's own (initdb into a temp dir, run as the `postgres` user), so it can
 * be stopped and started under a running Fundi without disturbing the other tests.
 */
const bin = '/usr/lib/postgresql/15/bin';
const asRoot = process.getuid?.() === 0;
let dir = '';
const port = 20_000 + Math.floor(Math.random() * 20_000);
const pg = (...args: string[]) =>
  execFileSync('runuser', ['-u', 'postgres', '--', `${bin}/pg_ctl`, '-D', path.join(dir, 'data'), ...args], {
    stdio: 'ignore',
  });
const startPg = () =>
  pg('-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`, '-w', '-t', '30', 'start');
const stopPg = () => pg('-m', 'immediate', '-w', 'stop');

let server: TestServer;

// It needs root (to run initdb as `postgres`), as on CI; elsewhere it says why it did not run.
describe.skipIf(!asRoot)('PostgreSQL restarting under a running node', () => {
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'fundi-pg-'));
    const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres']).toString().trim());
    chmodSync(dir, 0o700);
    chownSync(dir, id('-u'), id('-g'));
    execFileSync(
      'runuser',
      [
        '-u',
        'postgres',
        '--',
        `${bin}/initdb`,
        '-D',
        path.join(dir, 'data'),
        '-A',
        'trust',
        '-U',
        'postgres',
      ],
      { stdio: 'ignore' },
    );
    startPg();
    const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
    const database = await openDatabase({ databaseUrl: url, dataDir: '', poolSize: 5 });
    await database.migrate();
    server = await startTestServer({}, { database: { ...database, dispose: () => database.close() } });
  }, 120_000);
  afterAll(async () => {
    await server?.close();
    try {
      stopPg();
    } catch {
      // already down
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('while it is down requests fail cleanly; when it is back they work, and nothing was left half-done', async () => {
    const cust = await httpClient(server).auth.signUp.mutate({
      email: uniqueEmail('pg'),
      password: 'customer password',
      name: 'Restart',
      role: 'customer',
    });
    const api = httpClient(server, cust.token);
    const sid = await serviceId(server.services);
    const input = { serviceId: sid, lat: 6.5, lng: 3.4, address: '1 Outage Road, Yaba' };
    await api.booking.create.mutate({ ...input, idempotencyKey: randomUUID() });

    stopPg();
    const key = randomUUID();
    const started = Date.now();
    const failed = await api.booking.create.mutate({ ...input, idempotencyKey: key }).then(
      () => 'created',
      (e: { data?: { code?: string } }) => e.data?.code,
    );
    expect(failed).toBe('INTERNAL_SERVER_ERROR');
    expect(Date.now() - started).toBeLessThan(12_000);
    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(503);
    expect(await health.json()).toMatchObject({ db: 'down' });

    startPg();
    await until(async () => (await fetch(`${server.url}/healthz`)).status === 200, 30_000);
    // The retry of the failed request (same key) creates it once; nothing of the failed attempt remains.
    const retried = await api.booking.create.mutate({ ...input, idempotencyKey: key });
    const again = await api.booking.create.mutate({ ...input, idempotencyKey: key });
    expect(again.id).toBe(retried.id);
    const page = await api.booking.list.query();
    expect(page.items).toHaveLength(2);
  }, 90_000);
});

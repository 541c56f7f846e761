import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../db/client';
import { notificationDeliveries, notifications } from '../../../db/schema';
import { admin, approvedApplication, sleep, technician, uniqueSpot, until } from '../../test/fixtures';
import { httpClient, isolatedDatabase, startTestServer, type TestServer } from '../../test/harness';
import { startSmsStandin } from '../../test/standins/sms';

/*
 * Issue 11 §5: "kill the process between the change and the delivery; on restart the notification is
 * delivered exactly once", with real processes. A server (server/main.ts in a child process) makes a real
 * change that notifies (an admin verifies a technician over HTTP: the decision and its notification commit
 * together), and is SIGKILLed before its worker delivers (its worker waits a minute here). The next
 * server, and a second worker besides, deliver the SMS once.
 */
let database: Database & { url: string; dispose(): Promise<void> };
let sms: Awaited<ReturnType<typeof startSmsStandin>>;
/** Accounts are made through this one (its services never start: no worker of its own). */
let helper: TestServer;
const children: ChildProcess[] = [];

beforeAll(async () => {
  [database, sms] = await Promise.all([
    isolatedDatabase(),
    startSmsStandin({ termiiApiKey: 'termii-key', twilioSid: 'AC9', twilioToken: 'tok' }),
  ]);
  helper = await startTestServer(sms.env, {
    database: { ...database, dispose: async () => {} },
    dispatch: false,
  });
}, 60_000);
afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await helper?.close();
  await sms?.close();
  await database?.dispose();
});

/** server/main.ts in a child process on this file's database; resolves with its URL once it listens. */
async function startServer(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    env: {
      ...process.env,
      ...sms.env,
      DATABASE_URL: database.url,
      DATA_DIR: mkdtempSync(path.join(tmpdir(), 'fundi-outbox-proc-')),
      PORT: '0',
      HOST: '127.0.0.1',
      SEED_DEMO: 'false',
      LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    const onData = (d: Buffer) => {
      out += d;
      const m = /listening on (http:\/\/[^"\s]+)/.exec(out);
      if (m) resolve(m[1]!.replace('localhost', '127.0.0.1'));
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => reject(new Error(`server exited with ${code}: ${out}`)));
  });
  return { child, url, exited: new Promise((r) => child.on('exit', r)) };
}

describe('outbox across a SIGKILL', () => {
  it('a change committed by a process killed before delivery is delivered exactly once after restart', async () => {
    const t = await technician(helper.services, uniqueSpot(), {
      verified: false,
      online: false,
      listening: false,
    });
    // Verifying needs an approved application (issue 13 §4): the decision itself is what is notified here.
    await approvedApplication(helper.services, t.user.id);
    const phone = (await helper.services.phone.status(t.user.id)).phone!;
    const a = await admin(helper.services);

    // The first process: its worker would run a minute after the change (and its sweep every hour).
    const first = await startServer({ NOTIFY_BATCH_MS: '60000', NOTIFY_SWEEP_SECONDS: '3600' });
    const asAdmin = httpClient({ url: first.url } as TestServer, a.token);
    await asAdmin.admin.technicians.setVerification.mutate({ technicianId: t.user.id, status: 'verified' });
    first.child.kill('SIGKILL');
    await first.exited;

    // The change and its notification are in the database; nothing was sent.
    expect((await helper.services.technicians.me(t.user.id)).verification).toBe('verified');
    const [row] = await database.db.select().from(notifications).where(eq(notifications.userId, t.user.id));
    expect(row).toMatchObject({ kind: 'verification', dispatchedAt: null });
    expect(sms.messages.filter((m) => m.to === phone)).toEqual([]);

    // Restart (with a second worker racing it): delivered, once.
    const second = await startServer({ NOTIFY_BATCH_MS: '20', NOTIFY_SWEEP_SECONDS: '0.5' });
    await helper.services.notifications.runOnce();
    const text = await until(async () => sms.messages.find((m) => m.to === phone)?.text, 20_000);
    expect(text).toContain('You are verified');
    await helper.services.notifications.runOnce();
    await sleep(1_500);
    expect(sms.messages.filter((m) => m.to === phone)).toHaveLength(1);
    const deliveries = await database.db
      .select()
      .from(notificationDeliveries)
      .where(eq(notificationDeliveries.notificationId, row!.id));
    expect(deliveries.find((d) => d.channel === 'sms')).toMatchObject({ status: 'sent', attempts: 1 });
    second.child.kill('SIGTERM');
    await second.exited;
  }, 90_000);
});

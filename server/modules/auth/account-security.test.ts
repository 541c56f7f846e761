import { spawn } from 'node:child_process';
import { createTRPCClient, httpLink } from '@trpc/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../config';
import { codeOf } from '../../test/fixtures';
import {
  httpClient,
  isolatedDatabase,
  startTestServer,
  type TestServer,
  uniqueEmail,
} from '../../test/harness';
import type { AppRouter } from '../../trpc/root';

/** Issue 15 §3: account security (lockout by strangers, weak passwords, demo accounts in production). */
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({
    // One proxy hop trusted, so each request can come "from" its own address.
    TRUST_PROXY: '1',
    AUTH_RATE_LIMIT: '20',
    AUTH_BACKOFF_FREE_ATTEMPTS: '5',
    AUTH_BACKOFF_MAX_SECONDS: '1',
  });
});
afterAll(() => server.close());

let ipSeq = 0;
/** A client whose requests come from its own address (X-Forwarded-For through the trusted hop). */
const from = (ip = `203.0.113.${++ipSeq}`) =>
  createTRPCClient<AppRouter>({
    links: [httpLink({ url: `${server.url}/trpc`, headers: { 'x-forwarded-for': ip } })],
  });

async function account(password = 'a good long passphrase') {
  const email = uniqueEmail('owner');
  await from().auth.signUp.mutate({ email, password, name: 'Owner', role: 'customer' });
  return { email, password };
}

describe('sign-in: slow-down per account, not a lockout', () => {
  it('20 wrong passwords from 20 addresses delay the owner by at most AUTH_BACKOFF_MAX_SECONDS', async () => {
    const { email, password } = await account();
    const codes: string[] = [];
    for (let i = 0; i < 20; i++)
      codes.push(await codeOf(from().auth.signIn.mutate({ email, password: 'wrong guess 1' })));
    // The first ones are judged; once past the free attempts, attempts inside the wait are refused unjudged.
    expect(codes.slice(0, 5)).toEqual(Array(5).fill('UNAUTHORIZED'));
    expect(codes).toContain('TOO_MANY_REQUESTS');
    await new Promise((r) => setTimeout(r, 1_100));
    const signedIn = await from().auth.signIn.mutate({ email, password });
    expect(signedIn.user.email).toBe(email);
  });

  it('tells how long to wait, and a success clears the slow-down', async () => {
    const { email, password } = await account();
    for (let i = 0; i < 5; i++) await codeOf(from().auth.signIn.mutate({ email, password: 'wrong guess 2' }));
    const refused = await from()
      .auth.signIn.mutate({ email, password })
      .catch((e: { data?: { details?: { retryAfterSeconds?: number } } }) => e);
    expect(
      (refused as { data?: { details?: { retryAfterSeconds?: number } } }).data?.details?.retryAfterSeconds,
    ).toBe(1);
    await new Promise((r) => setTimeout(r, 1_100));
    await from().auth.signIn.mutate({ email, password });
    // Cleared: the next wrong one is judged again, not refused.
    expect(await codeOf(from().auth.signIn.mutate({ email, password: 'wrong guess 3' }))).toBe(
      'UNAUTHORIZED',
    );
  });

  it('keeps the per-address limit', async () => {
    const ip = '203.0.113.250';
    const codes: string[] = [];
    for (let i = 0; i < 21; i++)
      codes.push(
        await codeOf(from(ip).auth.signIn.mutate({ email: uniqueEmail('x'), password: 'whatever pass' })),
      );
    expect(codes.slice(0, 20)).toEqual(Array(20).fill('UNAUTHORIZED'));
    expect(codes[20]).toBe('TOO_MANY_REQUESTS');
  });
});

describe('weak passwords', () => {
  it('refuses the most common passwords and all-whitespace ones; the demo password stays valid', async () => {
    for (const password of [
      'password',
      '12345678',
      'Password',
      'qwertyuiop',
      '        ',
      '\t\t\t\t\t\t\t\t',
      'iloveyou',
    ]) {
      const code = await codeOf(
        httpClient(server).auth.signUp.mutate({
          email: uniqueEmail('weak'),
          password,
          name: 'Weak',
          role: 'customer',
        }),
      );
      expect(code, password).toBe('BAD_REQUEST');
    }
    const ok = await httpClient(server).auth.signUp.mutate({
      email: uniqueEmail('demo-like'),
      password: 'fundi-demo-2026',
      name: 'Fine',
      role: 'customer',
    });
    expect(ok.user.role).toBe('customer');
  });
});

describe('demo data never in production', () => {
  it('seeds demo data by default only for the embedded database outside production; never in production', () => {
    expect(loadConfig({}).seedDemo).toBe(true);
    expect(loadConfig({ DATABASE_URL: 'postgres://db/fundi' }).seedDemo).toBe(false);
    expect(loadConfig({ NODE_ENV: 'production' }).seedDemo).toBe(false);
    expect(loadConfig({ DATABASE_URL: 'postgres://db/fundi', SEED_DEMO: 'true' }).seedDemo).toBe(true);
    expect(() => loadConfig({ NODE_ENV: 'production', SEED_DEMO: 'true' })).toThrow(/SEED_DEMO/);
  });

  it('refuses to start in production on a database that has demo accounts', async () => {
    const db = await isolatedDatabase();
    try {
      await db.db.execute(
        "insert into users (email, password_hash, name, role) values ('admin@demo.fundi.app', 'x', 'Demo admin', 'admin')",
      );
      const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
        env: {
          ...process.env,
          NODE_ENV: 'production',
          DATABASE_URL: db.url,
          PORT: '0',
          HOST: '127.0.0.1',
          STATIC_DIR: '/nonexistent',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout.on('data', (d) => {
        out += d;
      });
      child.stderr.on('data', (d) => {
        out += d;
      });
      const code = await new Promise<number | null>((resolve) => {
        const timer = setTimeout(() => {
          child.kill('SIGKILL');
          resolve(null);
        }, 40_000);
        child.on('exit', (c) => {
          clearTimeout(timer);
          resolve(c);
        });
      });
      expect(out).not.toMatch(/listening on/);
      expect(code).toBe(1);
      expect(out).toMatch(/demo accounts/);
    } finally {
      await db.dispose();
    }
  }, 60_000);
});

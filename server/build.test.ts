import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildServer, serverOutfile } from '../scripts/build-server.mjs';
import { staleBuilds } from '../scripts/start.mjs';
import { isolatedDatabase } from './test/harness';

/**
 * Issue 15 §6: production runs JavaScript built once (no TypeScript loader in the server process), and
 * `npm start` rebuilds only what is missing or older than its sources.
 */
describe('the built server', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  it('npm start rebuilds only a missing or stale build (tests are not inputs)', () => {
    const base = mkdtempSync(path.join(tmpdir(), 'fundi-start-'));
    const file = (rel: string, at: number) => {
      mkdirSync(path.dirname(path.join(base, rel)), { recursive: true });
      writeFileSync(path.join(base, rel), rel);
      utimesSync(path.join(base, rel), at, at);
    };
    const t0 = Date.now() / 1000 - 1000;
    file('client/main.tsx', t0);
    file('server/main.ts', t0);
    file('db/migrations/0001.sql', t0);
    file('package-lock.json', t0);
    expect(staleBuilds(base).sort()).toEqual(['client', 'server']);
    file('dist/index.html', t0 + 10);
    file('build/server/.built', t0 + 10);
    expect(staleBuilds(base)).toEqual([]);
    file('server/booking.test.ts', t0 + 20);
    expect(staleBuilds(base)).toEqual([]);
    file('db/migrations/0002.sql', t0 + 20);
    expect(staleBuilds(base)).toEqual(['server']);
    file('build/server/.built', t0 + 30);
    file('client/App.tsx', t0 + 40);
    expect(staleBuilds(base)).toEqual(['client']);
    file('package-lock.json', t0 + 50);
    expect(staleBuilds(base).sort()).toEqual(['client', 'server']);
  });

  it('runs with plain node (no TypeScript loader): migrates, serves /healthz on native uWS, finds its files', async () => {
    const built = await buildServer();
    expect(built.outfile).toBe(serverOutfile);
    const db = await isolatedDatabase();
    cleanups.push(() => db.dispose());
    const child = spawn(process.execPath, [serverOutfile], {
      env: {
        ...process.env,
        NODE_OPTIONS: '',
        DATABASE_URL: db.url,
        PORT: '0',
        HOST: '127.0.0.1',
        SEED_DEMO: 'false',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    cleanups.push(async () => {
      if (child.exitCode === null) {
        child.kill('SIGKILL');
        await new Promise((r) => child.once('exit', r));
      }
    });
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
    const health = (await (await fetch(`${url}/healthz`)).json()) as Record<string, unknown>;
    expect(health).toMatchObject({ status: 'ok', db: 'ok', uws: 'native' });
    // A password check reads the common-passwords list found next to its source: the path rewrite works.
    const res = await fetch(`${url}/trpc/auth.signUp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'Built',
        email: 'built@test.fundi.app',
        password: 'password123',
        role: 'customer',
      }),
    });
    const text = await res.text();
    expect(res.status, text).toBe(400);
    expect(text.toLowerCase()).toContain('common');
  }, 120_000);
});

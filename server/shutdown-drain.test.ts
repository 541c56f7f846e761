import { type ChildProcess, spawn } from 'node:child_process';
import net from 'node:net';
import { describe, expect, inject, it } from 'vitest';

/**
 * Issue 15 §2: SIGTERM under load resets no in-flight HTTP request. Keep-alive clients keep the server
 * busy; on SIGTERM it stops accepting, answers what is in flight with `Connection: close` (so each client
 * sends its next request elsewhere), waits for the last one, then closes.
 */
async function startMain(): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    env: {
      ...process.env,
      DATABASE_URL: inject('databaseUrl'),
      PORT: '0',
      HOST: '127.0.0.1',
      SEED_DEMO: 'false',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const port = await new Promise<number>((resolve, reject) => {
    const onData = (d: Buffer) => {
      out += d;
      const m = /listening on http:\/\/[^:]+:(\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => reject(new Error(`server exited with ${code}: ${out}`)));
  });
  return { child, port };
}

type ClientStats = { answered: number; reset: number; closedByHeader: number };

/** One keep-alive connection sending GET /trpc/auth.me back to back until the server says close. */
function keepAliveClient(port: number, stats: ClientStats) {
  return new Promise<void>((resolve) => {
    const sock = net.connect(port, '127.0.0.1');
    let buffer = '';
    let waiting = false;
    let closing = false;
    const send = () => {
      waiting = true;
      sock.write('GET /trpc/auth.me HTTP/1.1\r\nHost: fundi\r\n\r\n');
    };
    sock.on('connect', send);
    sock.on('data', (d) => {
      buffer += d;
      for (;;) {
        const end = buffer.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buffer.slice(0, end);
        const length = Number(/content-length: *(\d+)/i.exec(head)?.[1] ?? 0);
        if (buffer.length < end + 4 + length) return;
        buffer = buffer.slice(end + 4 + length);
        waiting = false;
        stats.answered++;
        if (/\r\nconnection: *close/i.test(head)) {
          stats.closedByHeader++;
          closing = true;
          sock.end();
          return;
        }
        if (!closing) send();
      }
    });
    const done = () => {
      // Closed by the server with a request of ours unanswered: that request was reset.
      if (waiting) stats.reset++;
      waiting = false;
      resolve();
    };
    sock.on('error', done);
    sock.on('close', done);
  });
}

describe('SIGTERM under load', () => {
  it('answers every in-flight keep-alive request (Connection: close), then exits 0', async () => {
    const { child, port } = await startMain();
    const stats: ClientStats = { answered: 0, reset: 0, closedByHeader: 0 };
    const clients = Array.from({ length: 16 }, () => keepAliveClient(port, stats));
    await new Promise((r) => setTimeout(r, 1_000));
    expect(stats.answered).toBeGreaterThan(50);
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    await Promise.all(clients);
    expect(await exited).toBe(0);
    expect(stats.reset).toBe(0);
    expect(stats.closedByHeader).toBe(16);
  }, 60_000);
});

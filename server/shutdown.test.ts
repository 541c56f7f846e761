import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import { describe, expect, inject, it } from 'vitest';
import WebSocket from 'ws';

/** Starts the real entry point and resolves once it logs its URL. */
async function startMain(): Promise<{ child: ChildProcess; url: string; output: () => string }> {
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
  return { child, url, output: () => out };
}

describe('graceful shutdown on SIGTERM', () => {
  it('finishes in-flight requests, closes WebSockets with a reconnect notice, closes the DB and exits 0', async () => {
    const { child, url, output } = await startMain();
    const ws = new WebSocket(`${url.replace('http', 'ws')}/trpc`);
    await once(ws, 'open');
    const messages: string[] = [];
    ws.on('message', (m) => messages.push(String(m)));
    const closed = once(ws, 'close');

    // A request whose body is still arriving when SIGTERM lands must still get its answer.
    const body = JSON.stringify({ email: 'nobody@test.fundi.app', password: 'whatever password' });
    const sock = net.connect(Number(new URL(url).port), '127.0.0.1');
    await once(sock, 'connect');
    const chunks: Buffer[] = [];
    sock.on('data', (c) => chunks.push(c));
    sock.write(
      `POST /trpc/auth.signIn HTTP/1.1\r\nHost: x\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n${body.slice(0, 10)}`,
    );
    await new Promise((r) => setTimeout(r, 100));
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 100));
    sock.write(body.slice(10));
    await once(sock, 'close');
    expect(Buffer.concat(chunks).toString()).toMatch(/^HTTP\/1.1 401 Unauthorized/);

    const [code] = await closed;
    expect(code).toBe(1001);
    expect(messages).toContain(JSON.stringify({ id: null, method: 'reconnect' }));
    const [exitCode] = await exited;
    expect(exitCode).toBe(0);
    expect(output()).toContain('"msg":"bye"');
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
  });
});

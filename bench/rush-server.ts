// The server under test for bench/rush.ts: the real `server/main.ts` (as `npm run serve` starts it, so
// migrations, the catalog, the admin from ADMIN_EMAIL, dispatch sweeps and presence beats all run), in a
// child process pinned to CPU 0, on a free loopback port.
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { Pinning } from './cpu';

export type RushServer = { pid: number; port: number; url: string; wsUrl: string; child: ChildProcess };

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const address = s.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/** SIGTERM, then SIGKILL if it has not exited after 6 s. */
export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 6_000);
  await exited;
  clearTimeout(timer);
}

export async function spawnRushServer(opts: {
  root: string;
  databaseUrl: string;
  pinning: Pinning;
  env: Record<string, string>;
  cleanups: Array<() => Promise<void>>;
  /** Lines the server writes (warnings, errors). */
  onLine: (line: string) => void;
}): Promise<RushServer> {
  const port = await freePort();
  // The flags of `npm run serve`.
  const nodeArgs = [
    '--max-semi-space-size=32',
    '--no-allocation-site-pretenuring',
    // e.g. BENCH_RUSH_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/rush-prof" (written on exit).
    ...(process.env.BENCH_RUSH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean),
    '--import',
    'tsx',
    path.join(opts.root, 'server/main.ts'),
  ];
  // taskset execs node, so the child's pid is node's pid.
  const [command, args] = opts.pinning.enabled
    ? ['taskset', ['-c', '0', process.execPath, ...nodeArgs]]
    : [process.execPath, nodeArgs];
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.NODE_ID;
  const child = spawn(command, args, {
    cwd: opts.root,
    env: {
      ...env,
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: String(port),
      DATABASE_URL: opts.databaseUrl,
      SEED_DEMO: 'false',
      LOG_LEVEL: 'warn',
      STATIC_DIR: path.join(tmpdir(), 'fundi-rush-no-static'),
      // One process: never a node of somebody's cluster because of a REDIS_URL in the shell.
      REDIS_URL: '',
      // Simulated technicians cannot receive an SMS code (issue 11 §3).
      TECHNICIAN_PHONE_REQUIRED: 'false',
      ...opts.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  opts.cleanups.push(() => stopChild(child));
  createInterface({ input: child.stdout! }).on('line', opts.onLine);
  createInterface({ input: child.stderr! }).on('line', opts.onLine);
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code, signal) =>
      reject(new Error(`server exited during start-up (code ${code}, signal ${signal})`)),
    ),
  );
  exited.catch(() => {});
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    const ok = await Promise.race([
      fetch(`${url}/healthz`).then(
        (r) => r.ok,
        () => false,
      ),
      exited,
    ]);
    if (ok) break;
    if (Date.now() > deadline) throw new Error('server did not answer /healthz within 60 s');
    await new Promise((r) => setTimeout(r, 200));
  }
  return { pid: child.pid!, port, url, wsUrl: `ws://127.0.0.1:${port}/trpc`, child };
}

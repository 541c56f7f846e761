// CPU profile of Fundi's server under one API workload (issue 15 §7: "profile first").
//   node --import tsx bench/profile-api.ts [query|query-anon|mutation]   (default: query)
// Starts bench/servers.ts fundi with --cpu-prof on a throw-away database, signs a user up, runs
// autocannon for BENCH_DURATION seconds (default 10) and prints the server's CPU per request and its
// hottest functions by self time (bench/cpuprofile-summary.ts). The .cpuprofile stays in
// bench/results/profiles/ for Chrome DevTools or speedscope.
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { createCleanup } from './cleanup';
import { processCpuSeconds } from './cpu';
import { summariseProfile } from './cpuprofile-summary';
import { createMigratedDatabase } from './database';
import { call } from './verify';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const workload = process.argv[2] ?? 'query';
const seconds = Number(process.env.BENCH_DURATION ?? 10);

async function main() {
  const { cleanups, cleanup } = createCleanup();
  try {
    const database = await createMigratedDatabase('fundi_prof', cleanups);
    const dir = path.join(root, 'bench/results/profiles');
    mkdirSync(dir, { recursive: true });
    const before = new Set(readdirSync(dir));
    const child = spawn(
      process.execPath,
      [
        '--cpu-prof',
        `--cpu-prof-dir=${dir}`,
        '--import',
        'tsx',
        path.join(root, 'bench/servers.ts'),
        'fundi',
      ],
      {
        cwd: root,
        env: { ...process.env, BENCH_DATABASE_URL: database.url },
        stdio: ['pipe', 'pipe', 'inherit'],
      },
    );
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const ready = await new Promise<{ port: number; pid: number }>((resolve) => {
      createInterface({ input: child.stdout! }).on('line', (line) => {
        if (line.startsWith('{"ready"')) resolve(JSON.parse(line));
      });
    });
    const url = `http://127.0.0.1:${ready.port}`;
    const signUp = await call(url, {
      method: 'POST',
      path: '/trpc/auth.signUp',
      body: {
        email: `prof-${Date.now()}@example.com`,
        password: 'bench-password-1',
        name: 'Prof',
        role: 'customer',
      },
    });
    const token = (signUp.body as { result: { data: { token: string } } }).result.data.token;
    const auth = { authorization: `Bearer ${token}` };
    const request: autocannon.Request =
      workload === 'query'
        ? { method: 'GET', path: '/trpc/auth.me', headers: auth }
        : workload === 'query-anon'
          ? { method: 'GET', path: '/trpc/auth.me' }
          : {
              method: 'POST',
              path: '/trpc/auth.updateMe',
              headers: { ...auth, 'content-type': 'application/json' },
              body: JSON.stringify({ name: 'Prof' }),
            };
    const run = (duration: number) =>
      new Promise<autocannon.Result>((resolve, reject) =>
        autocannon({ url, connections: 50, duration, requests: [request] }, (e, r) =>
          e ? reject(e) : resolve(r),
        ),
      );
    await run(2);
    const cpu0 = processCpuSeconds(ready.pid)!;
    const result = await run(seconds);
    const cpu = processCpuSeconds(ready.pid)! - cpu0;
    console.log(
      `${workload}: ${result.requests.total} requests, ${(result.requests.total / seconds).toFixed(0)} req/s, ` +
        `server CPU ${((cpu * 1e6) / result.requests.total).toFixed(1)} µs/request (profiler on: inflated), non2xx ${result.non2xx}`,
    );
    child.kill('SIGTERM');
    await exited;
    const file = readdirSync(dir).find((f) => !before.has(f) && f.endsWith('.cpuprofile'));
    if (!file) throw new Error('no profile written');
    console.log(`profile: ${path.relative(root, path.join(dir, file))}`);
    summariseProfile(path.join(dir, file), Number(process.env.TOP ?? 40));
  } finally {
    await cleanup();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

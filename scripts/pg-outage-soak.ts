// Issue 15 §2: does the server survive PostgreSQL outages under load? A PostgreSQL of its own (initdb in a
// temp dir, run as `postgres`: needs root, as CI), the real entry point (server/main.ts) against it, clients
// calling the API without pause, and OUTAGES times: PostgreSQL stopped (immediate) for OUTAGE_SECONDS, then
// started. After each outage the process must still be alive and answer again. Prints one line per run and
// a summary; exits 1 if the server died in any run.
//
//   node --import tsx scripts/pg-outage-soak.ts            (20 outages of 8 s)
//   OUTAGES=5 OUTAGE_SECONDS=3 node --import tsx scripts/pg-outage-soak.ts
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const OUTAGES = Number(process.env.OUTAGES ?? 20);
const OUTAGE_MS = Number(process.env.OUTAGE_SECONDS ?? 8) * 1000;
const CLIENTS = Number(process.env.CLIENTS ?? 16);
const bin = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';
const port = 20_000 + Math.floor(Math.random() * 20_000);
const dir = mkdtempSync(path.join(tmpdir(), 'fundi-soak-'));
const data = path.join(dir, 'data');

const asPostgres = (cmd: string, ...args: string[]) =>
  execFileSync('runuser', ['-u', 'postgres', '--', `${bin}/${cmd}`, ...args], { stdio: 'ignore' });
const startPg = () =>
  asPostgres(
    'pg_ctl',
    '-D',
    data,
    '-o',
    `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`,
    '-w',
    '-t',
    '30',
    'start',
  );
const stopPg = () => asPostgres('pg_ctl', '-D', data, '-m', 'immediate', '-w', 'stop');

async function main() {
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres']).toString().trim());
  chmodSync(dir, 0o700);
  chownSync(dir, id('-u'), id('-g'));
  asPostgres('initdb', '-D', data, '-A', 'trust', '-U', 'postgres');
  startPg();

  let out = '';
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    env: {
      ...process.env,
      DATABASE_URL: `postgres://postgres@127.0.0.1:${port}/postgres`,
      PORT: '0',
      HOST: '127.0.0.1',
      SEED_DEMO: 'false',
      // Every client is 127.0.0.1: the per-address sign-up limit would turn the load into 429s.
      AUTH_RATE_LIMIT: '1000000000',
      STATIC_DIR: path.join(dir, 'no-static'),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let exit: string | null = null;
  child.on('exit', (code, signal) => {
    exit = `exited (${signal ?? code})`;
  });
  const url = await new Promise<string>((resolve, reject) => {
    const onData = (d: Buffer) => {
      out += d;
      const m = /listening on (http:\/\/[^"\s]+)/.exec(out);
      if (m) resolve(m[1]!.replace('localhost', '127.0.0.1'));
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', () => reject(new Error(`server exited before listening:\n${out}`)));
  });

  // Load: sign-ups (writes) and auth.me (reads) back to back; failures during outages are expected.
  let running = true;
  let ok = 0;
  let failed = 0;
  const loop = async (n: number) => {
    for (let i = 0; running; i++) {
      const res = await fetch(`${url}/trpc/auth.signUp`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': `10.0.${n}.${i % 250}` },
        body: JSON.stringify({
          email: `soak.${n}.${i}.${Date.now()}@test.fundi.app`,
          password: 'soak test passphrase',
          name: 'Soak',
          role: 'customer',
        }),
      }).catch(() => null);
      if (res?.ok) ok++;
      else failed++;
      await res?.arrayBuffer().catch(() => undefined);
    }
  };
  const clients = Array.from({ length: CLIENTS }, (_, n) => loop(n));

  let died = 0;
  for (let run = 1; run <= OUTAGES && !exit; run++) {
    await sleep(1_000);
    stopPg();
    await sleep(OUTAGE_MS);
    startPg();
    // Back: the server answers again within 20 s.
    const deadline = Date.now() + 20_000;
    let healthy = false;
    while (!exit && Date.now() < deadline) {
      const res = await fetch(`${url}/healthz`).catch(() => null);
      if (res?.status === 200) {
        healthy = true;
        break;
      }
      await sleep(250);
    }
    if (exit) died++;
    process.stdout.write(
      `outage ${run}/${OUTAGES}: ${exit ?? (healthy ? 'alive, healthy again' : 'alive, NOT healthy within 20 s')} (calls ok ${ok}, failed ${failed})\n`,
    );
  }
  running = false;
  await Promise.race([Promise.all(clients), sleep(5_000)]);
  if (!exit) child.kill('SIGTERM');
  await sleep(1_000);
  try {
    stopPg();
  } catch {
    // already down
  }
  rmSync(dir, { recursive: true, force: true });
  const crashed = exit && !/SIGTERM|0\)/.test(exit) ? 1 : died;
  const stray = out.split('\n').filter((l) => l.includes('unhandled promise rejection'));
  process.stdout.write(
    `${crashed ? 'FAILED' : 'passed'}: ${OUTAGES} outages of ${OUTAGE_MS / 1000} s, server ${crashed ? 'died' : 'survived every one'}; ${stray.length} stray rejections logged\n`,
  );
  for (const line of stray.slice(0, 3)) process.stdout.write(`  ${line.slice(0, 600)}\n`);
  if (crashed) process.stdout.write(`server output (tail):\n${out.slice(-3000)}\n`);
  process.exit(crashed ? 1 : 0);
}

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  rmSync(dir, { recursive: true, force: true });
  process.exit(1);
});

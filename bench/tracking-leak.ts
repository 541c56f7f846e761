// Regression check for memory retained per event on long-lived subscriptions:
//   node --import tsx bench/tracking-leak.ts [fundi|trpcws|socketio]
//
// One technician, 20 viewers on tracking.watch for its booking; the technician sends 20k fixes; the
// server child's JS heap (after GC) is read every 5k. Expected: flat (a few bytes per delivery).
// It found ~600 B per delivered event on Fundi's uWS adapter while tRPC's own adapter (the same
// tracking.watch generator) stayed flat: server/transport/ws.ts pump() awaited
// Promise.race([iterator.next(), aborted]) per event with `aborted` pending for the whole
// subscription, so every race left a reaction on it. Fixed in af330bf (Unpromise.race).
import { spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import { openDatabase } from '../db/client';
import { seedCatalog } from '../db/seed/catalog';
import { fixInput, fixMessage, Mover, openSocket, parseReply, sleep, watchMessage } from './tracking-load';
import { prng, seedJobs, seedTechnicians } from './tracking-setup';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const kind = process.argv[2] ?? 'fundi';
const VIEWERS = 20;
const FIXES_PER_ROUND = 5_000;
const ROUNDS = 4;

type Mem = { heapUsed: number; rss: number };

async function main() {
  const adminUrl =
    process.env.TEST_DATABASE_URL ??
    process.env.DATABASE_URL ??
    'postgres://postgres@127.0.0.1:5432/postgres';
  const name = `fundi_benchtrk_leak_${process.pid}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database "${name}"`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  let child: ReturnType<typeof spawn> | undefined;
  try {
    const database = await openDatabase({ databaseUrl: url.toString(), dataDir: 'unused', poolSize: 1 });
    await database.migrate();
    await seedCatalog(database.db);
    await database.close();
    const sql = postgres(url.toString(), { max: 2, onnotice: () => {} });
    const techs = await seedTechnicians(sql, {
      count: 1,
      tag: 'leak',
      centre: { lat: 6.5244, lng: 3.3792 },
      radiusMeters: 1_000,
      seed: 1,
    });
    const [job] = await seedJobs(sql, techs, { tag: 'leak', seed: 2 });
    await sql.end();

    child = spawn(
      process.execPath,
      ['--expose-gc', '--import', 'tsx', path.join(root, 'bench/tracking-servers.ts'), kind],
      {
        cwd: root,
        env: { ...process.env, BENCH_DATABASE_URL: url.toString() },
        stdio: ['pipe', 'pipe', 'inherit'],
      },
    );
    const server = child;
    const waiters: Array<(m: Mem) => void> = [];
    const { port } = await new Promise<{ port: number }>((resolve) => {
      createInterface({ input: server.stdout! }).on('line', (line) => {
        const msg = JSON.parse(line) as { ready?: boolean; port: number; mem?: Mem };
        if (msg.ready) resolve(msg);
        else if (msg.mem) waiters.shift()?.(msg.mem);
      });
    });
    const mem = () =>
      new Promise<Mem>((resolve) => {
        waiters.push(resolve);
        server.stdin!.write('mem\n');
      });

    const proto = kind === 'socketio' ? 'socketio' : 'trpc';
    let delivered = 0;
    for (let v = 0; v < VIEWERS; v++) {
      const ws = await openSocket(proto, port, job!.customerToken, (text) => {
        if (text.includes('"recordedAt"')) delivered++;
      });
      ws.send(watchMessage(proto, 1, job!.bookingId));
    }
    const mover = new Mover(techs[0]!.at, prng(1));
    let acked: () => void = () => {};
    const tech = await openSocket(proto, port, techs[0]!.token, (text) => {
      if (parseReply(proto, text)) acked();
    });
    let id = 0;
    const sendFix = () =>
      new Promise<void>((resolve) => {
        acked = resolve;
        const f = mover.next();
        tech.send(fixMessage(proto, ++id, fixInput(f.lat, f.lng, f.iso)));
      });
    await sleep(500);
    const start = await mem();
    const delivered0 = delivered;
    console.log(
      `${kind}: ${VIEWERS} viewers subscribed; JS heap ${(start.heapUsed / 2 ** 20).toFixed(1)} MiB`,
    );
    for (let round = 1; round <= ROUNDS; round++) {
      for (let i = 0; i < FIXES_PER_ROUND; i++) await sendFix();
      await sleep(300);
      const m = await mem();
      const n = delivered - delivered0;
      console.log(
        `${kind}: ${n} deliveries: JS heap +${((m.heapUsed - start.heapUsed) / 1024).toFixed(0)} KiB ` +
          `= ${((m.heapUsed - start.heapUsed) / n).toFixed(0)} B per delivery`,
      );
    }
  } finally {
    child?.kill('SIGTERM');
    await sleep(1_000);
    child?.kill('SIGKILL');
    await admin.unsafe(`drop database if exists "${name}" with (force)`);
    await admin.end({ timeout: 5 });
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);

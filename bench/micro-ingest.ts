// Scratch: per-fix cost of services.technicians.trackingUpdateNow in-process (no transport).
import postgres from 'postgres';
import { seedCatalog } from '../db/seed/catalog';
import { setLogLevel } from '../server/lib/log';
import { createServices } from '../server/services';
import { createMigratedDatabase } from './database';
import { benchConfig, openBenchDatabase } from './server-setup';
import { seedJobs, seedTechnicians } from './tracking-setup';

const cleanups: Array<() => Promise<void>> = [];
const db = await createMigratedDatabase('fundi_micro', cleanups, async (d) => {
  await seedCatalog(d.db);
});
const sql = postgres(db.url, { max: 2, onnotice: () => {} });
const techs = await seedTechnicians(sql, { count: 1000, tag: 'm', seed: 1, centre: { lat: 6.5244, lng: 3.3792 }, radiusMeters: 8000 });
await seedJobs(sql, techs, { tag: 'm', seed: 2 });
process.env.BENCH_DATABASE_URL = db.url;
const config = benchConfig();
setLogLevel('warn');
const database = await openBenchDatabase(config);
const services = createServices(database, config);
await services.start();
const pos = techs.map((t) => ({ ...t.at }));
let accepted = 0;
const rounds = Number(process.env.ROUNDS ?? 30);
const t0 = performance.now();
const cpu0 = process.cpuUsage();
for (let r = 0; r < rounds; r++) {
  const start = Date.now();
  for (let i = 0; i < techs.length; i++) {
    const p = pos[i]!;
    p.lat += 0.00001;
    const out = services.technicians.trackingUpdateNow(techs[i]!.id, {
      points: [{ lat: p.lat, lng: p.lng, accuracy: 10, recordedAt: new Date().toISOString() }],
    });
    if (out instanceof Promise) accepted += (await out).accepted;
    else accepted += out.accepted;
  }
  // about one fix per technician per 100 ms of wall time
  const wait = 100 - (Date.now() - start);
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
}
const cpu = process.cpuUsage(cpu0);
console.log(
  `${rounds * techs.length} calls, ${accepted} accepted, ${((cpu.user + cpu.system) / (rounds * techs.length)).toFixed(2)} µs CPU per call (user ${(cpu.user / (rounds * techs.length)).toFixed(2)}) in ${(performance.now() - t0).toFixed(0)} ms`,
);
await services.stop();
await database.close();
await sql.end();
for (const c of cleanups.reverse()) await c();

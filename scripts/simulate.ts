// Load simulator: demo technicians driving around a city, streaming fixes over the real tRPC API.
//
//   npm run simulate -- --technicians 200 --city lagos [--url http://localhost:3000] [--seconds N]
//                       [--admin-email admin@demo.fundi.app --admin-password fundi-demo-2026]
//                       [--interval 3] [--concurrency 4] [--report 5] [--sessions .data/sim-sessions.json]
//
// Each technician `sim-<i>@sim.fundi.app` signs in (or signs up, and is then verified by the admin
// account), sets its services, goes online and sends one fix every ~3 s with `tracking.update`, each
// over its own WebSocket: `createTRPCClient` + `wsLink` for every call (no HTTP, no back doors), so
// the load lands on the server's WebSocket path. Positions follow a random walk along a street grid
// at 15–40 km/h around the city centre. A line of counters every --report seconds (5); Ctrl-C (or
// --seconds, or SIGTERM) takes everyone offline and exits.
//
// The technicians are its own accounts, created through sign-up on first use, so any number works
// against the demo data: the only account it needs from the seed is the admin that verifies them.
//
// Sign-in and sign-up are rate limited per IP (AUTH_RATE_LIMIT, 20 per 10 minutes by default) and
// every simulated technician comes from 127.0.0.1: start the server with AUTH_RATE_LIMIT=100000 for
// more than a handful of technicians, or let the server run it (`npm start -- --simulate=N`), which
// allows for exactly that. Sessions are cached in --sessions, so later runs sign in nobody whose
// session is still valid.
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createTRPCClient, createWSClient, TRPCClientError, wsLink } from '@trpc/client';
import WebSocket from 'ws';
import { prng } from '../server/lib/prng';
import type { AppRouter } from '../server/trpc/root';
import { approveThroughOnboarding } from './approve-technician';

const cities = {
  lagos: { lat: 6.5244, lng: 3.3792 },
  cairo: { lat: 30.0444, lng: 31.2357 },
} as const;
type City = keyof typeof cities;

const SIM_PASSWORD = 'sim-technician-2026';
const STREET_SPACING_M = 160; // a block
const AREA_RADIUS_M = 7_000; // turn back towards the centre beyond this
const M_PER_DEG_LAT = 111_320;

// ---------------------------------------------------------------------------------------------
// Arguments.

function usage(message?: string): never {
  if (message) process.stderr.write(`${message}\n\n`);
  process.stderr.write(
    'usage: npm run simulate -- --technicians N [--city lagos|cairo] [--url http://localhost:3000]\n' +
      '                           [--seconds N] [--admin-email E --admin-password P] [--interval S] [--concurrency N]\n' +
      '                           [--report S] [--sessions FILE]\n',
  );
  process.exit(2);
}

function readOptions() {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      options: {
        technicians: { type: 'string', default: '20' },
        city: { type: 'string', default: 'lagos' },
        url: { type: 'string', default: 'http://localhost:3000' },
        seconds: { type: 'string' },
        'admin-email': { type: 'string', default: 'admin@demo.fundi.app' },
        'admin-password': { type: 'string', default: 'fundi-demo-2026' },
        interval: { type: 'string', default: '3' },
        concurrency: { type: 'string', default: '4' },
        report: { type: 'string', default: '5' },
        sessions: { type: 'string', default: path.join('.data', 'sim-sessions.json') },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (e) {
    usage(e instanceof Error ? e.message : String(e));
  }
  if (values.help) usage();
  const int = (name: string, min: number, max: number) => {
    const n = Number(values[name]);
    if (!Number.isInteger(n) || n < min || n > max)
      usage(`--${name} must be an integer from ${min} to ${max}`);
    return n;
  };
  const technicians = int('technicians', 1, 5_000);
  const concurrency = int('concurrency', 1, 64);
  const interval = Number(values.interval);
  if (!(interval >= 0.5 && interval <= 60)) usage('--interval must be 0.5–60 seconds');
  const report = Number(values.report);
  if (!(report >= 1 && report <= 3600)) usage('--report must be 1–3600 seconds');
  const seconds = values.seconds === undefined ? null : Number(values.seconds);
  if (seconds !== null && !(seconds > 0)) usage('--seconds must be a positive number');
  const city = String(values.city).toLowerCase();
  if (!(city in cities)) usage(`--city must be one of ${Object.keys(cities).join(', ')}`);

  let url: URL;
  try {
    url = new URL(String(values.url));
  } catch {
    usage(`--url is not a URL: ${values.url}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') usage('--url must be http:// or https://');
  // This generates load: never point it at someone else's server.
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (!(host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host))) {
    usage(`--url must be a loopback address (localhost, 127.x.x.x, ::1), not ${url.hostname}`);
  }
  return {
    technicians,
    city: city as City,
    url,
    seconds,
    adminEmail: String(values['admin-email']),
    adminPassword: String(values['admin-password']),
    intervalMs: interval * 1000,
    reportMs: report * 1000,
    concurrency,
    sessionsFile: path.resolve(String(values.sessions)),
  };
}

// ---------------------------------------------------------------------------------------------
// Clients: one WebSocket per technician, every call over it.

type Api = ReturnType<typeof createTRPCClient<AppRouter>>;
type Connection = { api: Api; close(): void; isOpen(): boolean };

function connect(wsUrl: string, token: () => string | null): Connection {
  const ws = createWSClient({
    url: wsUrl,
    WebSocket: WebSocket as unknown as typeof globalThis.WebSocket,
    connectionParams: () => {
      const t = token();
      return t ? { token: t } : {};
    },
    retryDelayMs: (attempt) => Math.min(500 * 2 ** attempt, 10_000),
  });
  const api = createTRPCClient<AppRouter>({ links: [wsLink({ client: ws })] });
  return {
    api,
    close: () => ws.close(),
    isOpen: () => ws.connection?.state === 'open',
  };
}

const appCode = (e: unknown): string | undefined =>
  e instanceof TRPCClientError ? (e.data as { appCode?: string } | undefined)?.appCode : undefined;

const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e));

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Runs `fn` over `items`, at most `limit` at a time. */
async function eachLimited<T>(items: T[], limit: number, fn: (item: T) => Promise<void>) {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await fn(items[next++]!);
  });
  await Promise.all(workers);
}

// ---------------------------------------------------------------------------------------------
// Cached sessions, so a second run signs in nobody (sign-in is rate limited per IP).

type SessionCache = Record<string, Record<string, string>>;

function readCache(cacheFile: string): SessionCache {
  try {
    return JSON.parse(readFileSync(cacheFile, 'utf8')) as SessionCache;
  } catch {
    return {};
  }
}

function writeCache(cacheFile: string, cache: SessionCache) {
  try {
    mkdirSync(path.dirname(cacheFile), { recursive: true });
    writeFileSync(cacheFile, `${JSON.stringify(cache, null, 1)}\n`, { mode: 0o600 });
    chmodSync(cacheFile, 0o600);
  } catch (e) {
    process.stderr.write(`could not write ${cacheFile}: ${errorText(e)}\n`);
  }
}

// ---------------------------------------------------------------------------------------------
// Movement: a random walk along a street grid, in metres east (x) / north (y) of the centre.

type Heading = 0 | 90 | 180 | 270;
const unit: Record<Heading, [number, number]> = { 0: [0, 1], 90: [1, 0], 180: [0, -1], 270: [-1, 0] };

class Walker {
  x: number;
  y: number;
  heading: Heading;
  /** This driver's cruising speed (m/s), 15–40 km/h. */
  readonly cruise: number;
  speed = 0;

  constructor(
    private readonly centre: { lat: number; lng: number },
    private readonly rand: () => number,
  ) {
    const r = Math.sqrt(rand()) * AREA_RADIUS_M * 0.8;
    const a = rand() * 2 * Math.PI;
    // Start on a street: snap one coordinate to the grid.
    this.x = Math.round((r * Math.cos(a)) / STREET_SPACING_M) * STREET_SPACING_M;
    this.y = r * Math.sin(a);
    this.heading = rand() < 0.5 ? 0 : 180;
    this.cruise = (15 + rand() * 25) / 3.6;
  }

  /** Drives for `seconds`: turns at junctions now and then, and back towards the centre when far out. */
  advance(seconds: number) {
    // Traffic: the speed wanders around the cruise speed, with the odd stop at a junction.
    const jam = this.rand() < 0.08;
    this.speed = jam ? 0 : this.cruise * (0.75 + this.rand() * 0.5);
    let left = this.speed * seconds;
    while (left > 0) {
      const [dx, dy] = unit[this.heading];
      const along = dx !== 0 ? this.x : this.y;
      const dir = dx !== 0 ? dx : dy;
      // Distance to the next junction in the direction of travel.
      const next =
        dir > 0
          ? (Math.floor(along / STREET_SPACING_M + 1e-9) + 1) * STREET_SPACING_M
          : (Math.ceil(along / STREET_SPACING_M - 1e-9) - 1) * STREET_SPACING_M;
      const toJunction = Math.abs(next - along);
      const step = Math.min(left, toJunction);
      this.x += dx * step;
      this.y += dy * step;
      left -= step;
      if (step === toJunction) this.turn();
    }
  }

  private turn() {
    const far = Math.hypot(this.x, this.y) > AREA_RADIUS_M;
    const options = ([0, 90, 180, 270] as Heading[]).filter((h) => h !== (this.heading + 180) % 360);
    if (far) {
      // The direction that closes most distance to the centre.
      const best = options.reduce((a, b) => {
        const score = (h: Heading) => -(unit[h][0] * this.x + unit[h][1] * this.y);
        return score(b) > score(a) ? b : a;
      });
      this.heading = best;
      return;
    }
    // Mostly straight on; sometimes left or right.
    const r = this.rand();
    if (r < 0.2) this.heading = ((this.heading + 90) % 360) as Heading;
    else if (r < 0.4) this.heading = ((this.heading + 270) % 360) as Heading;
  }

  position() {
    const lat = this.centre.lat + this.y / M_PER_DEG_LAT;
    const lng = this.centre.lng + this.x / (M_PER_DEG_LAT * Math.cos((this.centre.lat * Math.PI) / 180));
    return { lat, lng };
  }
}

// ---------------------------------------------------------------------------------------------

type Tech = {
  index: number;
  email: string;
  token: string | null;
  userId: string | null;
  conn: Connection | null;
  walker: Walker;
  online: boolean;
  timer?: NodeJS.Timeout;
  lastFixAt: number;
};

const counters = { sent: 0, acked: 0, accepted: 0, rejected: 0, errors: 0, inflight: 0, declined: 0 };
const errorKinds = new Map<string, number>();
const latencies: number[] = [];

function countError(kind: string) {
  counters.errors++;
  errorKinds.set(kind, (errorKinds.get(kind) ?? 0) + 1);
}

function percentile(sorted: number[], p: number) {
  if (!sorted.length) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function main() {
  const opts = readOptions();
  const centre = cities[opts.city];
  const wsUrl = `${opts.url.protocol === 'https:' ? 'wss' : 'ws'}://${opts.url.host}/trpc`;
  const cacheKey = opts.url.origin;
  const cache = readCache(opts.sessionsFile);
  const cached = cache[cacheKey] ?? {};
  cache[cacheKey] = cached;
  console.log(
    `Simulating ${opts.technicians} technicians in ${opts.city} against ${wsUrl}, one fix every ~${opts.intervalMs / 1000} s` +
      `${opts.seconds ? ` for ${opts.seconds} s` : process.send ? ' until the server stops' : ' until Ctrl-C'}.`,
  );

  let stopping = false;
  let stopRequested: () => void = () => {};
  const stopSignal = new Promise<void>((resolve) => {
    stopRequested = resolve;
  });
  process.on('SIGINT', () => {
    if (stopping) {
      process.stderr.write('\nsecond Ctrl-C: exiting without taking technicians offline\n');
      process.exit(130);
    }
    process.stderr.write('\nCtrl-C: taking technicians offline… (Ctrl-C again to quit at once)\n');
    stopping = true;
    stopRequested();
  });
  process.on('SIGTERM', () => {
    stopping = true;
    stopRequested();
  });
  // Started by the server (`npm start -- --simulate`): it stops us with SIGTERM before it closes. If the
  // IPC channel drops without that, the server is gone (crashed, killed), so there is nobody left to
  // tell that we are going offline: leave at once rather than linger, reconnecting to nothing.
  if (process.send) process.on('disconnect', () => process.exit(stopping ? 0 : 1));

  // Anonymous connection for sign-in/sign-up and the catalog.
  const anon = connect(wsUrl, () => null);
  let catalog: Array<{ id: string; slug: string }>;
  try {
    catalog = await anon.api.catalog.services.query();
  } catch (e) {
    anon.close();
    process.stderr.write(`Cannot reach the API at ${wsUrl}: ${errorText(e)}\nIs the server running?\n`);
    process.exit(1);
  }
  if (!catalog.length) throw new Error('the catalog has no services');

  let admin: Connection | null = null;
  async function adminApi(): Promise<Api> {
    if (admin) return admin.api;
    const { token } = await anon.api.auth.signIn.mutate({
      email: opts.adminEmail,
      password: opts.adminPassword,
    });
    admin = connect(wsUrl, () => token);
    return admin.api;
  }

  const techs: Tech[] = Array.from({ length: opts.technicians }, (_, index) => ({
    index,
    email: `sim-${index}@sim.fundi.app`,
    token: cached[`sim-${index}@sim.fundi.app`] ?? null,
    userId: null,
    conn: null,
    walker: new Walker(centre, prng(index * 7919 + (opts.city === 'cairo' ? 1 : 0))),
    online: false,
    lastFixAt: 0,
  }));

  /** A valid session for `t`: the cached one if the server still knows it, else sign in / sign up. */
  async function authenticate(t: Tech) {
    if (t.token) {
      t.conn = connect(wsUrl, () => t.token);
      const me = await t.conn.api.auth.me.query().catch(() => null);
      if (me && me.role === 'technician') {
        t.userId = me.id;
        return;
      }
      t.conn.close();
      t.conn = null;
      t.token = null;
    }
    let issued: { token: string; user: { id: string } };
    try {
      issued = await anon.api.auth.signIn.mutate({ email: t.email, password: SIM_PASSWORD });
    } catch (e) {
      if (appCode(e) !== 'INVALID_CREDENTIALS') throw e;
      issued = await anon.api.auth.signUp.mutate({
        email: t.email,
        password: SIM_PASSWORD,
        name: `Sim Technician ${t.index}`,
        role: 'technician',
      });
    }
    t.token = issued.token;
    t.userId = issued.user.id;
    cached[t.email] = issued.token;
    t.conn = connect(wsUrl, () => t.token);
  }

  /** Services set, verified (approved through onboarding by the admin when needed), online at its start. */
  async function prepare(t: Tech) {
    const api = t.conn!.api;
    const rand = prng(t.index * 31 + 17);
    const count = 2 + Math.floor(rand() * 3);
    const picked = new Set<string>();
    while (picked.size < Math.min(count, catalog.length))
      picked.add(catalog[Math.floor(rand() * catalog.length)]!.id);
    await api.technician.setServices.mutate({ services: [...picked].map((serviceId) => ({ serviceId })) });
    const me = await api.technician.me.query();
    if (me.verification !== 'verified') {
      await approveThroughOnboarding({
        baseUrl: opts.url.origin,
        tech: api,
        admin: await adminApi(),
        technicianId: t.userId!,
        market: opts.city,
        idNumber: `SIM${String(t.index).padStart(6, '0')}`,
      });
    }
    await api.technician.setOnline.mutate({ online: true, ...t.walker.position() });
    // Simulated technicians fill the map but decline every job at once, so real bookings in the demo
    // move on to the people signed in as technicians instead of waiting out an offer window each.
    api.technician.offers.subscribe(undefined, {
      onData: (e) => {
        if (e.type !== 'offer' || stopping) return;
        api.booking.decline.mutate({ id: e.offer.bookingId, reason: 'simulated technician' }).then(
          () => counters.declined++,
          (err) => countError(appCode(err) ?? errorText(err).slice(0, 60)),
        );
      },
    });
    t.online = true;
    t.lastFixAt = Date.now();
  }

  async function sendFix(t: Tech) {
    const now = Date.now();
    t.walker.advance(Math.max(0.1, (now - t.lastFixAt) / 1000));
    t.lastFixAt = now;
    const p = t.walker.position();
    const accuracy = 4 + Math.random() * 12;
    const point = {
      lat: Number(p.lat.toFixed(6)),
      lng: Number(p.lng.toFixed(6)),
      accuracy: Math.round(accuracy * 10) / 10,
      heading: t.walker.heading,
      speed: Math.round(t.walker.speed * 10) / 10,
      recordedAt: new Date(now).toISOString(),
    };
    counters.sent++;
    counters.inflight++;
    const started = performance.now();
    try {
      const r = await t.conn!.api.tracking.update.mutate({ points: [point] });
      counters.acked++;
      counters.accepted += r.accepted;
      counters.rejected += r.rejected;
      latencies.push(performance.now() - started);
    } catch (e) {
      countError(appCode(e) ?? errorText(e).slice(0, 60));
    } finally {
      counters.inflight--;
    }
  }

  function schedule(t: Tech) {
    // ±10 % jitter so the technicians do not report in lockstep.
    const delay = opts.intervalMs * (0.9 + Math.random() * 0.2);
    t.timer = setTimeout(() => {
      if (stopping) return;
      void sendFix(t);
      schedule(t);
    }, delay);
  }

  // --- Sign in, verify, go online (rate-limited sign-ins are retried in the background). ---
  const startedAt = Date.now();
  let pending = techs.slice();
  let rateLimitedNoticeShown = false;
  async function bringOnline(batch: Tech[]) {
    const failed: Tech[] = [];
    await eachLimited(batch, opts.concurrency, async (t) => {
      if (stopping) return;
      try {
        await authenticate(t);
        await prepare(t);
        // First fix soon, spread over one interval.
        t.timer = setTimeout(() => {
          if (stopping) return;
          void sendFix(t);
          schedule(t);
        }, Math.random() * opts.intervalMs);
      } catch (e) {
        const code = appCode(e);
        if (code === 'RATE_LIMITED') {
          if (!rateLimitedNoticeShown) {
            rateLimitedNoticeShown = true;
            process.stderr.write(
              'Sign-in is rate limited (AUTH_RATE_LIMIT per IP per 10 min): the rest are retried every 30 s.\n' +
                'Restart the server with AUTH_RATE_LIMIT=100000 (or let it run the simulator: npm start -- --simulate=N)\n' +
                'to bring everyone online at once.\n',
            );
          }
        } else {
          process.stderr.write(`${t.email}: ${code ?? ''} ${errorText(e)}\n`);
        }
        t.conn?.close();
        t.conn = null;
        failed.push(t);
      }
    });
    writeCache(opts.sessionsFile, cache);
    return failed;
  }

  const report = setInterval(() => printLine(), opts.reportMs);
  let lastSent = 0;
  function printLine() {
    const elapsed = Math.round((Date.now() - startedAt) / 1000);
    const sorted = latencies.splice(0).sort((a, b) => a - b);
    const open = techs.filter((t) => t.conn?.isOpen()).length;
    const online = techs.filter((t) => t.online).length;
    const errs = [...errorKinds].map(([k, n]) => `${k}×${n}`).join(' ');
    console.log(
      `[${String(elapsed).padStart(5)} s] online ${online}/${techs.length}  ws open ${open}  ` +
        `fixes sent ${counters.sent} (+${counters.sent - lastSent})  acked ${counters.acked}  ` +
        `accepted ${counters.accepted}  rejected ${counters.rejected}  errors ${counters.errors}${errs ? ` (${errs})` : ''}  ` +
        `offers declined ${counters.declined}  in flight ${counters.inflight}  ack p50 ${percentile(sorted, 50).toFixed(1)} ms p99 ${percentile(sorted, 99).toFixed(1)} ms`,
    );
    lastSent = counters.sent;
  }

  const retryLoop = (async () => {
    while (pending.length && !stopping) {
      pending = await bringOnline(pending);
      if (pending.length && !stopping) {
        console.log(`${techs.length - pending.length} online, ${pending.length} waiting to sign in…`);
        await Promise.race([sleep(30_000), stopSignal]);
      }
    }
  })();

  const deadline = opts.seconds ? sleep(opts.seconds * 1000) : new Promise<void>(() => {});
  await Promise.race([deadline, stopSignal]);
  stopping = true;
  stopRequested(); // wakes the sign-in retry loop from its wait
  await retryLoop.catch(() => undefined);

  // --- Stop: no new fixes, let the in-flight ones land, go offline, close. ---
  for (const t of techs) clearTimeout(t.timer);
  const drainUntil = Date.now() + 3_000;
  while (counters.inflight > 0 && Date.now() < drainUntil) await sleep(50);
  printLine();
  clearInterval(report);
  let wentOffline = 0;
  await eachLimited(
    techs.filter((t) => t.online && t.conn),
    16,
    async (t) => {
      try {
        await Promise.race([
          t.conn!.api.technician.setOnline.mutate({ online: false }),
          sleep(5_000).then(() => {
            throw new Error('timed out');
          }),
        ]);
        t.online = false;
        wentOffline++;
      } catch (e) {
        process.stderr.write(`${t.email}: could not go offline: ${errorText(e)}\n`);
      }
    },
  );
  for (const t of techs) t.conn?.close();
  (admin as Connection | null)?.close();
  anon.close();
  console.log(
    `Stopped: ${wentOffline} technicians offline; ${counters.sent} fixes sent, ${counters.acked} acked ` +
      `(${counters.accepted} accepted, ${counters.rejected} rejected), ${counters.errors} errors.`,
  );
  process.exit(counters.errors > 0 && counters.acked === 0 ? 1 : 0);
}

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});

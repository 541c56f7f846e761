/**
 * Several Fundi nodes behind a real load balancer (HAProxy), on this machine: what `npm run cluster`
 * runs, and what integration tests use to kill a node and watch clients move to another.
 *
 * Each node is the ordinary server, built to JavaScript as `npm start` runs it (build/server/main.js,
 * built first when missing or older than its sources), with its own PORT and
 * NODE_ID and the same DATABASE_URL and REDIS_URL. HAProxy balances round-robin with no stickiness,
 * checks GET /healthz every second (two failures: out; one success: back in), retries a refused
 * connection on another node (`option redispatch`) and keeps WebSocket tunnels open for an hour.
 */
import { type ChildProcess, execFile, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { accessSync, constants, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import postgres from 'postgres';
import { postgresTarget } from '../db/client';

const root = fileURLToPath(new URL('..', import.meta.url));
const NODE_FLAGS = ['--max-semi-space-size=32', '--no-allocation-site-pretenuring'];

/**
 * Issue 15 §6: nodes run the built server (build/server/main.js), never TypeScript through tsx. It is
 * built here when missing or older than its sources (scripts/start.mjs decides, as for `npm start`), one
 * build at a time under flock when several clusters start together (tests in parallel). Returns its path.
 */
export function ensureServerBuild(): string {
  const check = `const { staleBuilds } = await import(${JSON.stringify(path.join(root, 'scripts/start.mjs'))});
if (staleBuilds().includes('server')) {
  const { buildServer } = await import(${JSON.stringify(path.join(root, 'scripts/build-server.mjs'))});
  await buildServer();
}`;
  const build = [process.execPath, '--input-type=module', '-e', check];
  mkdirSync(path.join(root, 'build'), { recursive: true });
  let r = spawnSync('flock', [path.join(root, 'build/.server-build.lock'), ...build], {
    cwd: root,
    stdio: 'inherit',
  });
  if ((r.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') {
    r = spawnSync(build[0]!, build.slice(1), { cwd: root, stdio: 'inherit' });
  }
  if (r.status !== 0)
    throw new Error(`building the server failed (${r.error?.message ?? `exit ${r.status}`})`);
  return path.join(root, 'build/server/main.js');
}

export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/fundi_cluster';
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

/** What is missing for cluster mode, in words a person can act on. */
export class ClusterPrerequisiteError extends Error {}

export type ClusterLog = (source: string, line: string, stream: 'stdout' | 'stderr') => void;

export type ClusterOptions = {
  /** How many server nodes (1–32). */
  nodes: number;
  /** The load balancer's port; nodes listen on port+1 … port+N. 0: free ports chosen for all. */
  port: number;
  databaseUrl: string;
  redisUrl: string;
  /** Extra environment for every node (on top of this process's). */
  env?: NodeJS.ProcessEnv;
  /** The built PWA the nodes serve (STATIC_DIR); the server's default `./dist` when unset. */
  staticDir?: string;
  /** Where the load balancer listens: '0.0.0.0' (default, like `npm start`) or '127.0.0.1'. */
  host?: string;
  /** How long a node keeps serving with /healthz at 503 after SIGTERM (default 3: > 2 checks 1 s apart). */
  drainSeconds?: number;
  /** HAProxy binary (default $HAPROXY, else /usr/sbin/haproxy, else `haproxy` on PATH). */
  haproxy?: string;
  /** Every line the children print; default: to this process's stdout/stderr, prefixed `[node-1]`. */
  log?: ClusterLog;
  /**
   * Restart a node that exits on its own (a crash), after 1 s, doubling up to 30 s while it keeps dying
   * (issue 15 §2). `npm run cluster` does; tests that kill nodes on purpose leave it off.
   */
  supervise?: boolean;
};

export type ClusterNode = {
  id: string;
  port: number;
  /** The current process (it changes on restart). */
  readonly pid: number;
  readonly alive: boolean;
  /** Signal this node's process (SIGKILL to simulate a crash, SIGTERM to drain it). */
  kill(signal?: NodeJS.Signals): void;
  /** Stop it if it runs (SIGTERM, drained), start it again on the same port, resolve once healthy. */
  restart(): Promise<void>;
};

export type RunningCluster = {
  /** The load balancer, e.g. http://localhost:3000. */
  url: string;
  nodes: ClusterNode[];
  /** HAProxy's generated configuration (in a temporary directory, removed on stop). */
  haproxyConfig: string;
  /** Resolves when HAProxy exits, on stop() or on its own (then nothing reaches the nodes any more). */
  balancerExited: Promise<void>;
  /** Stop HAProxy, then SIGTERM every node and wait for them (SIGKILL after 20 s). */
  stop(): Promise<void>;
};

const color = process.stdout.isTTY && !process.env.NO_COLOR;
const palette = [36, 33, 35, 32, 34, 91, 92, 93, 94, 95, 96];
const paint = (code: number, text: string) => (color ? `\u001b[${code}m${text}\u001b[0m` : text);

export const consoleLog: ClusterLog = (source, line, stream) => {
  const n = Number(/\d+$/.exec(source)?.[0] ?? 0);
  const prefix = paint(source === 'haproxy' ? 90 : palette[n % palette.length]!, `[${source}]`);
  (stream === 'stderr' ? process.stderr : process.stdout).write(`${prefix} ${line}\n`);
};

const redact = (u: string) => u.replace(/\/\/([^:@/]+):[^@/]+@/, '//$1:***@');

/** The HAProxy binary to run, or a ClusterPrerequisiteError saying how to install it. */
export function findHaproxy(explicit = process.env.HAPROXY): string {
  const candidates = explicit
    ? [explicit]
    : [
        '/usr/sbin/haproxy',
        ...(process.env.PATH ?? '').split(path.delimiter).map((d) => path.join(d, 'haproxy')),
      ];
  for (const c of candidates) {
    try {
      accessSync(c, constants.X_OK);
      return c;
    } catch {
      // not this one; try the next
    }
  }
  throw new ClusterPrerequisiteError(
    explicit
      ? `HAProxy not found at ${explicit} (HAPROXY).`
      : 'HAProxy not found (/usr/sbin/haproxy or on PATH). Install it: apt-get install -y haproxy',
  );
}

/**
 * PostgreSQL reachable, the database created if missing (from the server's `postgres` database), PostGIS
 * available in it. Cluster mode has no embedded fallback: every node must see the same database.
 */
/** One connection for a check, over the Unix socket when the URL says `?host=<dir>` (as the nodes do). */
function connect(databaseUrl: string) {
  const { url, path: socket } = postgresTarget(databaseUrl);
  return postgres(url, {
    ...(socket ? { path: socket } : {}),
    max: 1,
    onnotice: () => {},
    connect_timeout: 5,
  });
}

export async function ensureDatabase(databaseUrl: string): Promise<void> {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (!name) throw new ClusterPrerequisiteError(`DATABASE_URL ${redact(databaseUrl)} names no database.`);
  const adminUrl = new URL(databaseUrl);
  adminUrl.pathname = '/postgres';
  const admin = connect(adminUrl.toString());
  try {
    const [exists] = await admin`select 1 from pg_database where datname = ${name}`;
    if (!exists) await admin.unsafe(`create database "${name.replaceAll('"', '""')}"`);
  } catch (e) {
    throw new ClusterPrerequisiteError(
      `PostgreSQL unreachable or refused at ${redact(adminUrl.toString())} (${e instanceof Error ? e.message : e}).\n` +
        '  Cluster mode needs a real PostgreSQL with PostGIS (apt-get install -y postgresql-15-postgis-3);\n' +
        '  set DATABASE_URL to it (the role must be allowed to create the database, or create it yourself).',
    );
  } finally {
    await admin.end();
  }
  const sql = connect(databaseUrl);
  try {
    const [postgis] = await sql`select 1 from pg_available_extensions where name = 'postgis'`;
    if (!postgis) {
      throw new ClusterPrerequisiteError(
        `PostgreSQL at ${redact(databaseUrl)} has no PostGIS. Install it: apt-get install -y postgresql-15-postgis-3`,
      );
    }
  } finally {
    await sql.end();
  }
}

/** A TCP connect and a PING, nothing else: Redis holds nothing the nodes need to find at start. */
export async function checkRedis(redisUrl: string): Promise<void> {
  let lastError: Error | undefined;
  const redis = new Redis(redisUrl, {
    lazyConnect: true,
    connectTimeout: 3_000,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  redis.on('error', (e: Error) => {
    lastError = e;
  });
  try {
    await redis.connect();
    const pong = await redis.ping();
    if (pong !== 'PONG') throw new Error(`PING answered ${pong}`);
  } catch (e) {
    const reason = (lastError ?? e) instanceof Error ? (lastError ?? (e as Error)).message : String(e);
    throw new ClusterPrerequisiteError(
      `Redis unreachable at ${redact(redisUrl)} (${reason}).\n` +
        '  Cluster mode needs Redis for cross-node events (apt-get install -y redis-server); set REDIS_URL to it.',
    );
  } finally {
    redis.disconnect();
  }
}

/** A port the OS says is free right now. */
async function freePort(): Promise<number> {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}

async function assertPortFree(port: number, host: string): Promise<void> {
  const server = net.createServer();
  server.listen(port, host);
  try {
    await Promise.race([
      once(server, 'listening'),
      once(server, 'error').then(([e]) => {
        throw e;
      }),
    ]);
  } catch (e) {
    throw new ClusterPrerequisiteError(
      `Port ${port} is in use (${e instanceof Error ? e.message : e}); pick another with --port.`,
    );
  }
  server.close();
  await once(server, 'close');
}

export function haproxyConfig(opts: {
  host: string;
  port: number;
  nodes: ReadonlyArray<{ id: string; port: number }>;
}): string {
  return `# Generated by scripts/cluster-lib.ts for \`npm run cluster\`; removed when the cluster stops.
global
  # maxconn: HAProxy derives it from the file-descriptor limit (ulimit -n).

defaults
  mode http
  option redispatch 1   # a refused connection is retried on another node, not reported to the client
  retries 3
  option forwardfor
  timeout connect 2s
  timeout http-request 10s
  timeout queue 5s
  timeout client 60s
  timeout server 60s
  timeout client-fin 5s
  timeout tunnel 1h     # an upgraded WebSocket is a tunnel: live subscriptions stay open for an hour
  timeout check 2s

frontend fundi
  bind ${opts.host}:${opts.port}
  default_backend nodes

backend nodes
  balance roundrobin    # no stickiness: any node serves any request and any WebSocket
  option httpchk
  http-check send meth GET uri /healthz ver HTTP/1.1 hdr Host localhost
  http-check expect status 200
  default-server inter 1s fall 2 rise 1
${opts.nodes.map((n) => `  server ${n.id} 127.0.0.1:${n.port} check`).join('\n')}
`;
}

function pipeLines(child: ChildProcess, source: string, log: ClusterLog) {
  if (child.stdout) createInterface({ input: child.stdout }).on('line', (l) => log(source, l, 'stdout'));
  if (child.stderr) createInterface({ input: child.stderr }).on('line', (l) => log(source, l, 'stderr'));
}

const exited = (child: ChildProcess) =>
  child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : once(child, 'exit').then(() => undefined);

async function stopChild(child: ChildProcess, signal: NodeJS.Signals, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill(signal);
  const force = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited(child);
  clearTimeout(force);
}

/** Resolves once GET /healthz answers 200; rejects if the process exits first or after timeoutMs. */
async function waitHealthy(url: string, child: ChildProcess | null, what: string, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  let died = false;
  const onExit = () => {
    died = true;
  };
  child?.once('exit', onExit);
  try {
    while (Date.now() < deadline) {
      if (died || (child && (child.exitCode !== null || child.signalCode !== null))) {
        throw new Error(`${what} exited before it was healthy (see its log above)`);
      }
      try {
        const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2_000) });
        await res.arrayBuffer();
        if (res.status === 200) return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`${what} not healthy at ${url}/healthz after ${Math.round(timeoutMs / 1000)} s`);
  } finally {
    child?.off('exit', onExit);
  }
}

export async function startCluster(options: ClusterOptions): Promise<RunningCluster> {
  const { nodes: count, databaseUrl, redisUrl } = options;
  if (!Number.isInteger(count) || count < 1 || count > 32) throw new Error('nodes must be 1 to 32');
  const host = options.host ?? '0.0.0.0';
  const log = options.log ?? consoleLog;
  const haproxyBin = findHaproxy(options.haproxy);
  await Promise.all([ensureDatabase(databaseUrl), checkRedis(redisUrl)]);

  let lbPort = options.port;
  const ports: number[] = [];
  if (lbPort === 0) {
    lbPort = await freePort();
    for (let i = 0; i < count; i++) {
      let p = await freePort();
      while (p === lbPort || ports.includes(p)) p = await freePort();
      ports.push(p);
    }
  } else {
    if (lbPort + count > 65535) throw new Error(`port ${lbPort} + ${count} nodes is beyond 65535`);
    for (let i = 1; i <= count; i++) ports.push(lbPort + i);
  }
  await assertPortFree(lbPort, host);
  for (const p of ports) await assertPortFree(p, '127.0.0.1');

  const baseEnv: NodeJS.ProcessEnv = {
    ...process.env,
    ...options.env,
    HOST: '127.0.0.1',
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl,
    // The nodes are reached only through HAProxy (`option forwardfor`): per-IP limits count the client
    // address it appends to X-Forwarded-For, not HAProxy's own.
    TRUST_PROXY: options.env?.TRUST_PROXY ?? '1',
    DRAIN_SECONDS: String(options.drainSeconds ?? options.env?.DRAIN_SECONDS ?? 3),
    ...(options.staticDir ? { STATIC_DIR: options.staticDir } : {}),
  };

  const serverMain = ensureServerBuild();
  let stopping = false;
  const children = new Set<ChildProcess>();

  const makeNode = (index: number, port: number) => {
    const id = `node-${index + 1}`;
    let child: ChildProcess | null = null;
    /** Set while we stop or restart it ourselves: that exit is no crash. */
    let deliberate = false;
    let backoffMs = 1_000;
    let startedAt = 0;
    const spawnNode = (seed: boolean) => {
      const env: NodeJS.ProcessEnv = { ...baseEnv, PORT: String(port), NODE_ID: id };
      // Only the first node seeds the demo data (and it migrates before anyone else starts).
      // (SEED_DEMO defaults to off with a DATABASE_URL: the demo cluster asks for it unless told not to.)
      env.SEED_DEMO = seed ? (env.SEED_DEMO ?? 'true') : 'false';
      const c = spawn(process.execPath, [...NODE_FLAGS, serverMain], {
        cwd: root,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      children.add(c);
      pipeLines(c, id, log);
      c.on('exit', (code, signal) => {
        children.delete(c);
        if (!stopping) log(id, `exited (${signal ?? `code ${code}`})`, 'stderr');
        if (stopping || deliberate || !options.supervise || child !== c) return;
        // A crash: start it again (not seeding), backing off while it keeps dying young.
        if (Date.now() - startedAt > 60_000) backoffMs = 1_000;
        const wait = backoffMs;
        backoffMs = Math.min(30_000, backoffMs * 2);
        log(id, `restarting in ${wait / 1000} s`, 'stderr');
        setTimeout(() => {
          if (stopping || deliberate || child !== c) return;
          const next = spawnNode(false);
          waitHealthy(url, next, id, 120_000).then(
            () => log(id, 'back (restarted after a crash)', 'stdout'),
            (e: Error) => log(id, `restart failed: ${e.message}`, 'stderr'),
          );
        }, wait).unref();
      });
      child = c;
      startedAt = Date.now();
      return c;
    };
    const url = `http://127.0.0.1:${port}`;
    const node: ClusterNode & { start(seed: boolean): Promise<void> } = {
      id,
      port,
      get pid() {
        return child?.pid ?? -1;
      },
      get alive() {
        return child !== null && child.exitCode === null && child.signalCode === null;
      },
      kill(signal: NodeJS.Signals = 'SIGTERM') {
        child?.kill(signal);
      },
      async restart() {
        deliberate = true;
        try {
          if (child) await stopChild(child, 'SIGTERM', 20_000);
        } finally {
          deliberate = false;
        }
        await node.start(false);
      },
      async start(seed: boolean) {
        const c = spawnNode(seed);
        await waitHealthy(url, c, id, 120_000);
      },
    };
    return node;
  };

  const nodes = ports.map((p, i) => makeNode(i, p));
  const dir = mkdtempSync(path.join(os.tmpdir(), 'fundi-cluster-'));
  const configFile = path.join(dir, 'haproxy.cfg');
  let haproxy: ChildProcess | null = null;

  const stop = async () => {
    if (stopping) return;
    stopping = true;
    if (haproxy) await stopChild(haproxy, 'SIGTERM', 5_000);
    await Promise.all([...children].map((c) => stopChild(c, 'SIGTERM', 20_000)));
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    // node-1 alone first: it applies the migrations and seeds; the others then find the schema ready.
    await nodes[0]!.start(options.env?.SEED_DEMO !== 'false');
    await Promise.all(nodes.slice(1).map((n) => n.start(false)));

    writeFileSync(configFile, haproxyConfig({ host, port: lbPort, nodes }));
    await new Promise<void>((resolve, reject) =>
      execFile(haproxyBin, ['-c', '-q', '-f', configFile], (error, _stdout, stderr) =>
        error ? reject(new Error(`HAProxy rejected ${configFile}:\n${stderr}`)) : resolve(),
      ),
    );
    haproxy = spawn(haproxyBin, ['-db', '-f', configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(haproxy);
    pipeLines(haproxy, 'haproxy', log);
    const lb = haproxy;
    lb.on('exit', (code, signal) => {
      children.delete(lb);
      if (!stopping) log('haproxy', `exited (${signal ?? `code ${code}`})`, 'stderr');
    });
    await waitHealthy(`http://127.0.0.1:${lbPort}`, haproxy, 'HAProxy', 15_000);
  } catch (e) {
    await stop();
    throw e;
  }

  return {
    url: `http://${host === '0.0.0.0' ? 'localhost' : host}:${lbPort}`,
    nodes,
    haproxyConfig: configFile,
    balancerExited: exited(haproxy!),
    stop,
  };
}

/**
 * `npm run cluster -- --nodes 3`: several server nodes (ports PORT+1 … PORT+N, NODE_ID node-1 …) sharing
 * one PostgreSQL and one Redis, behind HAProxy on PORT (round-robin, no stickiness, health checks on
 * /healthz). Serves the existing build in dist/ (run `npm run build` first). Ctrl-C stops it all.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  ClusterPrerequisiteError,
  DEFAULT_DATABASE_URL,
  DEFAULT_REDIS_URL,
  type RunningCluster,
  startCluster,
} from './cluster-lib';

const usage = `Usage: npm run cluster -- [--nodes N] [--port P]

  --nodes N   server nodes to start (default 3; 1–32)
  --port P    the load balancer's port (default $PORT or 3000); nodes listen on P+1 … P+N

Environment: DATABASE_URL (default ${DEFAULT_DATABASE_URL}, created if missing),
REDIS_URL (default ${DEFAULT_REDIS_URL}), DRAIN_SECONDS (default 3), HAPROXY (the binary),
and anything the server reads (passed to every node). Serves dist/: run \`npm run build\` first.
`;

function fail(message: string, code = 1): never {
  process.stderr.write(`\n✖ ${message}\n`);
  process.exit(code);
}

function parse() {
  try {
    const { values } = parseArgs({
      options: {
        nodes: { type: 'string', default: '3' },
        port: { type: 'string', default: process.env.PORT || '3000' },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
    });
    if (values.help) {
      process.stdout.write(usage);
      process.exit(0);
    }
    const nodes = Number(values.nodes);
    const port = Number(values.port);
    if (!Number.isInteger(nodes) || nodes < 1 || nodes > 32) throw new Error('--nodes must be 1 to 32');
    if (!Number.isInteger(port) || port < 1 || port + nodes > 65535) {
      throw new Error(`--port must leave room for ${nodes} node ports below 65536`);
    }
    return { nodes, port };
  } catch (e) {
    process.stderr.write(`${e instanceof Error ? e.message : e}\n\n${usage}`);
    process.exit(2);
  }
}

async function main() {
  const { nodes, port } = parse();
  const root = fileURLToPath(new URL('..', import.meta.url));
  const staticDir = path.resolve(root, process.env.STATIC_DIR || 'dist');
  if (!existsSync(path.join(staticDir, 'index.html'))) {
    fail(`No build in ${staticDir}. Run \`npm run build\` first (the cluster serves it, it does not build).`);
  }

  const starting = startCluster({
    nodes,
    port,
    databaseUrl: process.env.DATABASE_URL || DEFAULT_DATABASE_URL,
    redisUrl: process.env.REDIS_URL || DEFAULT_REDIS_URL,
    staticDir,
    // A node that crashes is started again (HAProxy routes around it meanwhile).
    supervise: true,
  });
  let stopping = false;
  const shutdown = async (why: string, code: number) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`\n${why}: stopping HAProxy, then draining every node …\n`);
    // Stopped while starting: startCluster stops what it started when it fails, wait for that too.
    const running = await starting.catch(() => undefined);
    await running?.stop();
    process.exit(code);
  };
  process.on('SIGINT', () => void shutdown('SIGINT', 0));
  process.on('SIGTERM', () => void shutdown('SIGTERM', 0));

  let cluster: RunningCluster;
  try {
    cluster = await starting;
  } catch (e) {
    if (stopping) return;
    fail(
      e instanceof ClusterPrerequisiteError
        ? e.message
        : e instanceof Error
          ? (e.stack ?? e.message)
          : String(e),
    );
  }
  if (stopping) return;

  const width = Math.max(...cluster.nodes.map((n) => n.id.length));
  process.stdout.write(
    `\nFundi cluster: ${cluster.url}  (HAProxy, round-robin, health checks on /healthz)\n` +
      cluster.nodes
        .map((n) => `  ${n.id.padEnd(width)}  http://127.0.0.1:${n.port}  pid ${n.pid}`)
        .join('\n') +
      `\n  HAProxy config: ${cluster.haproxyConfig}\nCtrl-C stops everything.\n\n`,
  );
  cluster.balancerExited.then(() => void shutdown('HAProxy exited', 1));
}

main().catch((e) => fail(e instanceof Error ? (e.stack ?? e.message) : String(e)));

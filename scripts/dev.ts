// `npm run dev`: the API server (port 3000) and the Vite dev server (port 5173, HMR, proxying /trpc
// including the WebSocket to the API) side by side, with prefixed output. Ctrl-C stops both; if either
// exits on its own, the other is stopped too.
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const API_PORT = '3000';
const color = process.stdout.isTTY && !process.env.NO_COLOR;
const paint = (code: number, text: string) => (color ? `\u001b[${code}m${text}\u001b[0m` : text);

type Service = { name: string; prefix: string; child: ChildProcess };

function start(name: string, colorCode: number, args: string[], env: NodeJS.ProcessEnv = {}): Service {
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const prefix = paint(colorCode, `[${name}]`);
  for (const [stream, out] of [
    [child.stdout, process.stdout],
    [child.stderr, process.stderr],
  ] as const) {
    if (stream) createInterface({ input: stream }).on('line', (line) => out.write(`${prefix} ${line}\n`));
  }
  return { name, prefix, child };
}

const services = [
  start('api', 36, ['--import', 'tsx', 'server/main.ts'], { PORT: API_PORT }),
  start('web', 35, [fileURLToPath(new URL('../node_modules/vite/bin/vite.js', import.meta.url))]),
];

let stopping = false;

function stopAll(exitCode: number): void {
  if (stopping) return;
  stopping = true;
  for (const { child } of services) if (child.exitCode === null) child.kill('SIGTERM');
  // Give the API its graceful shutdown (closing sockets, the database); don't hang forever on it.
  const force = setTimeout(() => {
    for (const { child } of services) if (child.exitCode === null) child.kill('SIGKILL');
  }, 5_000);
  force.unref();
  Promise.all(
    services.map(({ child }) =>
      child.exitCode === null ? new Promise((resolve) => child.once('exit', resolve)) : undefined,
    ),
  ).then(() => process.exit(exitCode));
}

for (const { name, prefix, child } of services) {
  child.on('exit', (code, signal) => {
    if (stopping) return;
    console.error(`${prefix} ${name} exited (${signal ?? `code ${code}`}); stopping the others.`);
    stopAll(code || 1);
  });
}

process.on('SIGINT', () => stopAll(0));
process.on('SIGTERM', () => stopAll(0));

// What an integrator does with the client package, shared by the Vitest test
// (server/modules/developer/client-sdk.test.ts) and the e2e spec (e2e/client-sdk.spec.ts): install the
// tarball in a directory with none of the server's sources, and run a plain JavaScript program that
// imports only @fundi/client, books a job and follows it to completion.
import { execFile } from 'node:child_process';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const repo = fileURLToPath(new URL('../..', import.meta.url));

/** `npm run build:client-sdk` (scripts/build-client-sdk.mjs): the path of the tarball it made. */
export async function buildClientPackage(): Promise<string> {
  const built = await run('node', [path.join(repo, 'scripts/build-client-sdk.mjs')], {
    cwd: repo,
    timeout: 420_000,
  });
  return path.join(repo, built.stdout.match(/client SDK: (\S+\.tgz)/)![1]!);
}

/** npm install of the tarball into `dir`; without a registry, its dependencies from this repo's node_modules. */
export async function installClientPackage(dir: string, tarball: string, timeout = 120_000) {
  await writeFile(path.join(dir, 'package.json'), JSON.stringify({ name: 'integrator', private: true }));
  try {
    await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', tarball], {
      cwd: dir,
      timeout,
    });
    return 'registry';
  } catch {
    const modules = path.join(dir, 'node_modules');
    await mkdir(path.join(modules, '@fundi/client'), { recursive: true });
    await run('tar', ['xzf', tarball, '-C', path.join(modules, '@fundi/client'), '--strip-components=1']);
    await mkdir(path.join(modules, '@trpc'), { recursive: true });
    for (const dep of ['@trpc/client', '@trpc/server', 'zod', 'typescript'])
      await symlink(path.join(repo, 'node_modules', dep), path.join(modules, dep), 'dir');
    return 'local';
  }
}

/**
 * The integrator's program: plain JavaScript importing only @fundi/client. It books SERVICE_ID (or the
 * first service of Lagos' catalog) at LAT, LNG, ADDRESS with FUNDI_KEY, follows the booking's events and,
 * once a technician is on the way, the technician live; it prints the statuses it saw and the fixes.
 */
const SCRIPT = `
import { closeFundiClient, createFundiClient } from '@fundi/client';

const { FUNDI_URL, FUNDI_KEY, SERVICE_ID, LAT, LNG, ADDRESS } = process.env;
const fundi = createFundiClient({ baseUrl: FUNDI_URL, apiKey: FUNDI_KEY });
const serviceId = SERVICE_ID || (await fundi.catalog.services.query({ market: 'lagos' }))[0].id;
const booking = await fundi.booking.create.mutate({
  serviceId,
  lat: Number(LAT),
  lng: Number(LNG),
  address: ADDRESS,
  siteContact: { name: 'Front desk', phone: '+2348031234567' },
  idempotencyKey: crypto.randomUUID(),
});
const statuses = [booking.status];
const fixes = [];
let watching = null;
await new Promise((resolve, reject) => {
  const timer = setTimeout(() => reject(new Error('not completed in time: ' + statuses.join(','))), 90_000);
  fundi.booking.events.subscribe(
    { id: booking.id },
    {
      onData: ({ data }) => {
        const s = data.change?.to ?? data.booking.status;
        if (statuses.at(-1) !== s) statuses.push(s);
        // Follow the technician live while they are on the way.
        if (!watching && (s === 'assigned' || s === 'en_route')) {
          watching = fundi.tracking.watch.subscribe(
            { bookingId: booking.id },
            { onData: (e) => fixes.push({ lat: e.data.lat, lng: e.data.lng }), onError: () => {} },
          );
        }
        if (s === 'completed') {
          clearTimeout(timer);
          resolve();
        }
      },
      onError: reject,
    },
  );
});
watching?.unsubscribe();
await closeFundiClient(fundi);
console.log(JSON.stringify({ id: booking.id, statuses, fixes }));
`;

/** Runs the program in `dir` (where the package is installed) with Node 20's WebSocket (behind a flag). */
export async function runIntegrator(
  dir: string,
  job: { url: string; key: string; serviceId?: string; lat: number; lng: number; address: string },
  timeout: number,
) {
  await writeFile(path.join(dir, 'book.mjs'), SCRIPT);
  const out = await run('node', ['--experimental-websocket', '--no-warnings', 'book.mjs'], {
    cwd: dir,
    timeout,
    env: {
      PATH: process.env.PATH,
      FUNDI_URL: job.url,
      FUNDI_KEY: job.key,
      SERVICE_ID: job.serviceId ?? '',
      LAT: String(job.lat),
      LNG: String(job.lng),
      ADDRESS: job.address,
    },
  });
  return JSON.parse(out.stdout.trim().split('\n').at(-1)!) as {
    id: string;
    statuses: string[];
    fixes: Array<{ lat: number; lng: number }>;
  };
}

/** The statuses a sandbox job goes through, in order. */
export const SANDBOX_STATUSES = ['searching', 'assigned', 'en_route', 'arrived', 'in_progress', 'completed'];

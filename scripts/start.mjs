// `npm start` (issue 15 §6): builds only when the build is missing or older than its sources, then runs
// the built server (`build/server/main.js`) in this process. A restart with nothing changed starts at once.
//
// Plain JavaScript on purpose: it must run before anything is built, with no TypeScript loader.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** What each build is made from: directories (walked) and files. Tests and benchmarks are not inputs. */
export const inputs = {
  client: ['client', 'shared', 'vite.config.ts', 'package-lock.json'],
  server: ['server', 'shared', 'db', 'package-lock.json'],
};
/** The newest file of each build's output: its completion marker. */
export const outputs = {
  client: 'dist/index.html',
  server: 'build/server/.built',
};

const SKIP = /(^|\/)(node_modules|\.git|test|standins)(\/|$)|\.test\.tsx?$/;

/** The newest modification time (ms) among `paths` under `base` (0 when none exists). */
export function newestMtime(base, paths) {
  let newest = 0;
  const visit = (p) => {
    const rel = path.relative(base, p);
    if (SKIP.test(rel)) return;
    let st;
    try {
      st = statSync(p);
    } catch {
      return;
    }
    if (st.isDirectory()) for (const name of readdirSync(p)) visit(path.join(p, name));
    else newest = Math.max(newest, st.mtimeMs);
  };
  for (const p of paths) visit(path.join(base, p));
  return newest;
}

/** The builds that are missing or older than one of their inputs. */
export function staleBuilds(base = root) {
  return Object.keys(outputs).filter((k) => {
    const out = path.join(base, outputs[k]);
    if (!existsSync(out)) return true;
    return newestMtime(base, inputs[k]) > statSync(out).mtimeMs;
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const stale = staleBuilds();
  if (stale.length > 0) {
    process.stdout.write(`Building (${stale.join(' and ')} out of date)…\n`);
    const r = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
    if (r.status !== 0) process.exit(r.status ?? 1);
  }
  await import(pathToFileURL(path.join(root, 'build/server/main.js')).href);
}

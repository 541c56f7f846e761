// Builds the typed client package (issue 17 §3): `npm run build:client-sdk` →
// build/client-sdk/fundi-client-<version>.tgz, an `npm pack` of sdk/ with
//   dist/index.js     sdk/src/index.ts bundled by esbuild (@trpc/client stays a dependency);
//   dist/index.d.ts   its declarations, and dist/types/… the declarations of AppRouter and of what its
//                     procedures' inputs and outputs name (server/contracts, shared/…), emitted by tsc.
// An integrator installs the tarball and needs none of the server's sources. The router's context type
// (the server's services: database, Redis, uWS) is cut from the declarations: a client never sees it, and
// the package then depends only on @trpc/client, @trpc/server and zod. The build fails if a declaration
// the client needs would import any other package.
//
// Plain JavaScript, like build-server.mjs: it needs no TypeScript loader.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const sdk = path.join(root, 'sdk');
const out = path.join(root, 'build/client-sdk');
const emit = path.join(out, 'emit');
const stage = path.join(out, 'package');
/** What the package's declarations may import: its dependencies (and Node's built-ins for types). */
const ALLOWED = new Set(['@trpc/client', '@trpc/server', 'zod']);

const exists = (p) =>
  stat(p).then(
    (s) => s.isFile(),
    () => false,
  );

async function declarations() {
  await rm(emit, { recursive: true, force: true });
  execFileSync(
    process.execPath,
    [
      path.join(root, 'node_modules/typescript/bin/tsc'),
      '-p',
      path.join(sdk, 'tsconfig.build.json'),
      '--outDir',
      emit,
    ],
    { stdio: 'inherit', cwd: root },
  );
  // The context (ctx) is the server's business: `object` for a client, and its import goes.
  const rootDts = path.join(emit, 'server/trpc/root.d.ts');
  const lines = (await readFile(rootDts, 'utf8'))
    .replaceAll(/\bctx: Context;/g, 'ctx: object;')
    .split('\n')
    .filter((l) => !/^import type \{ (FastPath|Context) \} from /.test(l));
  // `fastPaths` (the WebSocket adapter's table) goes, with its doc comment.
  const at = lines.findIndex((l) => l.startsWith('export declare const fastPaths'));
  if (at >= 0) {
    let from = at;
    if (lines[at - 1]?.trim().endsWith('*/')) {
      from = at - 1;
      while (from > 0 && !lines[from].trim().startsWith('/**')) from--;
    }
    lines.splice(from, at - from + 1);
  }
  const text = lines.join('\n');
  if (!/export type AppRouter = typeof appRouter;/.test(text)) throw new Error('root.d.ts lost AppRouter');
  if (/\bContext\b|FastPath/.test(text)) throw new Error('root.d.ts still names the server context');
  await writeFile(rootDts, text);
}

/** Copies index.d.ts and every declaration it reaches into the stage; refuses other packages' imports. */
async function copyTypes() {
  const seen = new Set();
  const foreign = new Map();
  const specifier = /(from\s+|import\(\s*)(["'])([^"']+)\2/g;
  async function visit(file) {
    if (seen.has(file)) return;
    seen.add(file);
    let text = await readFile(file, 'utf8');
    const jobs = [];
    text = text.replaceAll(specifier, (_whole, lead, q, spec) => {
      let target = spec;
      // The repo's `#shared/*` import map is not the package's: a relative path instead.
      if (spec.startsWith('#shared/')) {
        const rel = path.relative(
          path.dirname(file),
          path.join(emit, 'shared', spec.slice('#shared/'.length)),
        );
        target = rel.startsWith('.') ? rel : `./${rel}`;
      }
      if (target.startsWith('.')) {
        // Explicit `.js` extensions (Node16/NodeNext resolution requires them; bundlers accept them).
        const base = path.resolve(path.dirname(file), target);
        jobs.push(base);
        target = `${target}${existsSync(path.join(base, 'index.d.ts')) && !existsSync(`${base}.d.ts`) ? '/index' : ''}.js`;
      } else if (!target.startsWith('node:')) {
        const pkg = target.startsWith('@') ? target.split('/').slice(0, 2).join('/') : target.split('/')[0];
        if (!ALLOWED.has(pkg)) foreign.set(pkg, path.relative(emit, file));
      }
      return `${lead}${q}${target.split(path.sep).join('/')}${q}`;
    });
    const rel = path.relative(emit, file);
    const dest =
      rel === path.join('sdk', 'src', 'index.d.ts')
        ? path.join(stage, 'dist/index.d.ts')
        : path.join(stage, 'dist/types', rel);
    if (dest.endsWith(path.join('dist', 'index.d.ts')))
      text = text.replace("'../../server/trpc/root.js'", "'./types/server/trpc/root.js'");
    await mkdir(path.dirname(dest), { recursive: true });
    await writeFile(dest, text);
    for (const base of jobs) {
      const candidates = [`${base}.d.ts`, path.join(base, 'index.d.ts')];
      if (base.endsWith('.js')) candidates.unshift(`${base.slice(0, -3)}.d.ts`);
      let hit = null;
      for (const c of candidates) if (await exists(c)) hit ??= c;
      if (!hit) throw new Error(`declaration not found: ${base} (from ${rel})`);
      await visit(hit);
    }
  }
  await visit(path.join(emit, 'sdk/src/index.d.ts'));
  if (foreign.size) {
    const list = [...foreign].map(([p, f]) => `${p} (in ${f})`).join(', ');
    throw new Error(`the client's declarations would need packages it does not depend on: ${list}`);
  }
  return seen.size;
}

export async function buildClientSdk() {
  const started = Date.now();
  await rm(stage, { recursive: true, force: true });
  await mkdir(path.join(stage, 'dist'), { recursive: true });
  await declarations();
  const files = await copyTypes();
  await build({
    entryPoints: [path.join(sdk, 'src/index.ts')],
    outfile: path.join(stage, 'dist/index.js'),
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    external: ['@trpc/client', '@trpc/server', 'zod'],
    logLevel: 'warning',
  });
  await cp(path.join(sdk, 'package.json'), path.join(stage, 'package.json'));
  await cp(path.join(sdk, 'README.md'), path.join(stage, 'README.md'));
  const packed = execFileSync('npm', ['pack', '--json', '--pack-destination', out], {
    cwd: stage,
    encoding: 'utf8',
  });
  const tarball = path.join(out, JSON.parse(packed)[0].filename);
  console.log(
    `client SDK: ${path.relative(root, tarball)} (${files} declaration files, ${Date.now() - started} ms)`,
  );
  return tarball;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await buildClientSdk();
}

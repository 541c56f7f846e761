// Builds the server to JavaScript once (issue 15 §6): `build/server/main.js`, an ES module bundle of
// server/main.ts and everything it imports from this repo, with npm packages left as imports (they are
// resolved from node_modules at run time, as before). Production then runs `node` on it: no TypeScript
// compiler in the running process, and a restart does not rebuild anything.
//
// Plain JavaScript on purpose: it runs before anything else is built, with no TypeScript loader.
//
// `import.meta.url` in a bundled module would name the bundle, not the source file, and a few modules
// find files next to themselves (db/migrations, the common-passwords list, uWS through createRequire).
// Each source file's `import.meta.url` is therefore rewritten to its own source location, relative to the
// bundle, so the output keeps working wherever the checkout is moved (it needs the repo's layout, as npm
// start always had).
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const serverEntry = path.join(root, 'server/main.ts');
export const serverOutfile = path.join(root, 'build/server/main.js');
/** Written last: when present, the bundle is complete (an interrupted build is not mistaken for one). */
export const serverStamp = path.join(root, 'build/server/.built');

/** @type {import('esbuild').Plugin} */
const sourceRelativeMetaUrl = {
  name: 'source-relative-import-meta-url',
  setup(b) {
    b.onLoad({ filter: /\.ts$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      if (!source.includes('import.meta.url')) return undefined;
      const rel = path.relative(path.dirname(serverOutfile), args.path).split(path.sep).join('/');
      const url = `new URL(${JSON.stringify(rel)}, import.meta.url).href`;
      return { contents: source.replaceAll('import.meta.url', url), loader: 'ts' };
    });
  },
};

export async function buildServer() {
  const started = Date.now();
  const result = await build({
    entryPoints: [serverEntry],
    outfile: serverOutfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    sourcemap: true,
    logLevel: 'warning',
    metafile: true,
    plugins: [sourceRelativeMetaUrl],
  });
  await writeFile(serverStamp, `${new Date().toISOString()}\n`);
  const inputs = Object.keys(result.metafile.inputs).length;
  return { ms: Date.now() - started, inputs, outfile: serverOutfile };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const r = await buildServer();
  process.stdout.write(
    `server built: ${path.relative(root, r.outfile)} from ${r.inputs} source files in ${r.ms} ms\n`,
  );
}

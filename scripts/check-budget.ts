// Performance budget for the first screen on low-end phones: the JavaScript that index.html loads
// eagerly (entry chunk + everything it statically imports, not lazy screens) must stay under 150 kB
// gzipped. Runs after `vite build` (npm run build) and reads Vite's build manifest. Also printed (not
// budgeted): the eager CSS, and each language's dictionary, which the first screen loads before it
// renders (only the user's language: see client/src/i18n/I18nProvider.tsx).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const BUDGET_BYTES = 150 * 1000;
const distDir = fileURLToPath(new URL('../dist/', import.meta.url));
const manifestPath = path.join(distDir, '.vite', 'manifest.json');

type ManifestChunk = {
  file: string;
  isEntry?: boolean;
  imports?: string[];
  dynamicImports?: string[];
  css?: string[];
};
type Manifest = Record<string, ManifestChunk>;

function fail(message: string): never {
  console.error(`\n✗ ${message}`);
  process.exit(1);
}

function readManifest(): Manifest {
  try {
    return JSON.parse(readFileSync(manifestPath, 'utf8')) as Manifest;
  } catch (error) {
    fail(
      `Cannot read ${path.relative(process.cwd(), manifestPath)} (run vite build first): ${String(error)}`,
    );
  }
}

/** Files loaded before the first render: the entry's own chunk and its static imports, transitively. */
function eagerFiles(manifest: Manifest): Set<string> {
  const entryKey = Object.keys(manifest).find((key) => manifest[key]?.isEntry && key.endsWith('index.html'));
  if (!entryKey) fail('The build manifest has no index.html entry.');
  return staticClosure(manifest, entryKey);
}

/** A chunk's file, its static imports' files (transitively) and the CSS files of all of them. */
function staticClosure(manifest: Manifest, entryKey: string): Set<string> {
  const files = new Set<string>();
  const seen = new Set<string>();
  const visit = (key: string) => {
    if (seen.has(key)) return;
    seen.add(key);
    const chunk = manifest[key];
    if (!chunk) fail(`The build manifest references a missing chunk: ${key}`);
    files.add(chunk.file);
    for (const css of chunk.css ?? []) files.add(css);
    for (const imported of chunk.imports ?? []) visit(imported);
  };
  visit(entryKey);
  return files;
}

function jsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return name === '.vite' ? [] : jsFiles(full);
    return name.endsWith('.js') ? [path.relative(distDir, full).split(path.sep).join('/')] : [];
  });
}

const kB = (bytes: number) => `${(bytes / 1000).toFixed(2)} kB`;

const manifest = readManifest();
const eager = eagerFiles(manifest);
const gzipOf = (file: string) => gzipSync(readFileSync(path.join(distDir, file)), { level: 9 }).length;
const rows = jsFiles(distDir)
  .map((file) => {
    const body = readFileSync(path.join(distDir, file));
    return { file, raw: body.length, gzip: gzipSync(body, { level: 9 }).length, eager: eager.has(file) };
  })
  .sort((a, b) => Number(b.eager) - Number(a.eager) || b.gzip - a.gzip);

const width = Math.max(...rows.map((row) => row.file.length), 'chunk'.length);
console.log(`\n${'chunk'.padEnd(width)}  ${'raw'.padStart(10)}  ${'gzip'.padStart(10)}  load`);
for (const row of rows) {
  const load = row.eager ? 'eager' : row.file === 'sw.js' ? 'worker' : 'lazy';
  console.log(
    `${row.file.padEnd(width)}  ${kB(row.raw).padStart(10)}  ${kB(row.gzip).padStart(10)}  ${load}`,
  );
}

const eagerGzip = rows.filter((row) => row.eager).reduce((sum, row) => sum + row.gzip, 0);
const summary = `Eager JS for the first screen: ${kB(eagerGzip)} gzip (budget ${kB(BUDGET_BYTES)})`;
if (eagerGzip > BUDGET_BYTES) {
  fail(
    `${summary} — over budget by ${kB(eagerGzip - BUDGET_BYTES)}. ` +
      'Lazy-load what the first screen does not need (React.lazy / dynamic import) or drop a dependency.',
  );
}
const eagerCss = [...eager].filter((file) => file.endsWith('.css'));
console.log(
  `\nEager CSS for the first screen: ${kB(eagerCss.reduce((sum, file) => sum + gzipOf(file), 0))} gzip (${eagerCss.join(', ')})`,
);
// Each dictionary with what it imports but the eager files already hold: what the first screen adds
// before it renders in that language.
for (const locale of ['en', 'ar']) {
  const key = Object.keys(manifest).find((name) => name.endsWith(`i18n/${locale}.ts`));
  if (!key) fail(`The build manifest has no dictionary chunk for "${locale}" (is it imported statically?).`);
  const own = [...staticClosure(manifest, key)].filter((file) => !eager.has(file));
  const gzip = own.reduce((sum, file) => sum + gzipOf(file), 0);
  console.log(
    `Dictionary "${locale}" loaded before the first render: ${kB(gzip)} gzip (${own.join(', ')}); ` +
      `first screen in ${locale}: ${kB(eagerGzip + gzip)} JS gzip`,
  );
}
console.log(`\n✓ ${summary}`);

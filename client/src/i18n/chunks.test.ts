// Each language's dictionary is its own chunk holding only its own strings: the first screen loads the
// user's language alone (I18nProvider's loaders), so the English module graph must not reach Arabic
// text, nor the Arabic one English-only parts. Checked on the sources, as the bundler follows them.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const dir = path.dirname(fileURLToPath(import.meta.url));
const ARABIC_LETTER = /[\u0621-\u064A]/;

/** The files a module imports at run time (type-only imports are erased), transitively within i18n/. */
function runtimeGraph(file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return seen;
  seen.add(file);
  const source = readFileSync(file, 'utf8');
  for (const [, specifier] of source.matchAll(/^import (?!type )[^;]*? from '(\.[^']+)';/gm)) {
    runtimeGraph(path.resolve(path.dirname(file), `${specifier}.ts`), seen);
  }
  return seen;
}

describe('dictionary chunks', () => {
  it('English reaches no Arabic string', () => {
    const graph = runtimeGraph(path.join(dir, 'en.ts'));
    expect(graph.size).toBeGreaterThan(5);
    for (const file of graph) {
      expect(path.basename(file), file).not.toMatch(/\.ar\.ts$|^ar\.ts$/);
      expect(ARABIC_LETTER.test(readFileSync(file, 'utf8')), file).toBe(false);
    }
  });

  it('Arabic reaches none of the English parts at run time', () => {
    const graph = runtimeGraph(path.join(dir, 'ar.ts'));
    expect(graph.size).toBeGreaterThan(5);
    for (const file of graph) expect(path.basename(file), file).not.toMatch(/\.en\.ts$|^en\.ts$/);
  });

  it('every part is split by language', () => {
    const parts = readdirSync(path.join(dir, 'parts'));
    for (const part of parts) expect(part).toMatch(/\.(en|ar)\.ts$/);
    const names = (suffix: string) => parts.filter((p) => p.endsWith(suffix)).map((p) => p.split('.')[0]);
    expect(names('.ar.ts')).toEqual(names('.en.ts'));
  });
});

import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { migrationsFolder } from './client';

describe('committed migrations', () => {
  const files = readdirSync(migrationsFolder).filter((f) => f.endsWith('.sql'));

  it('start by creating the postgis and btree_gist extensions', () => {
    const first = readFileSync(path.join(migrationsFolder, files.sort()[0]!), 'utf8');
    expect(first).toMatch(/CREATE EXTENSION IF NOT EXISTS postgis/);
    expect(first).toMatch(/CREATE EXTENSION IF NOT EXISTS btree_gist/);
  });

  it('never quote the geography type (drizzle-kit quotes custom types; fix the generated SQL by hand)', () => {
    for (const f of files)
      expect(readFileSync(path.join(migrationsFolder, f), 'utf8'), f).not.toContain('"geography(');
  });
});

import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { INDEXES } from '../bench/analytics-indexes';
import { migrationsFolder } from './client';

/** One CREATE INDEX statement with drizzle's quoting, IF NOT EXISTS and spacing taken out. */
const normal = (ddl: string) =>
  ddl
    .replace(/--> statement-breakpoint/g, '')
    .replace(/"/g, '')
    .replace(/\bIF NOT EXISTS\b/i, '')
    .replace(/\s+/g, ' ')
    .replace(/\( /g, '(')
    .replace(/ \)/g, ')')
    .replace(/;\s*$/, '')
    .trim();

/** Each index's definition as the last migration (in order) that creates it leaves it. */
function migrated(): Map<string, string> {
  const out = new Map<string, string>();
  const files = readdirSync(migrationsFolder)
    .filter((f) => f.endsWith('.sql'))
    .sort();
  for (const f of files)
    for (const statement of readFileSync(path.join(migrationsFolder, f), 'utf8').split(
      '--> statement-breakpoint',
    )) {
      const sql = statement
        .split('\n')
        .filter((l) => !l.trim().startsWith('--'))
        .join('\n');
      const m = /CREATE INDEX(?: IF NOT EXISTS)? "?(\w+)"?[^;]*/i.exec(sql);
      if (m) out.set(m[1]!, normal(m[0]));
    }
  return out;
}

describe('the analytics benchmark’s indexes', () => {
  it('are the ones the migrations build (the sandbox flag covered since 0035)', () => {
    const built = migrated();
    for (const [name, ddl] of Object.entries(INDEXES)) expect(normal(ddl), name).toBe(built.get(name));
    expect(INDEXES.bookings_created_analytics_idx).toMatch(/INCLUDE \([^)]*\bsandbox\b/);
  });
});

import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { unaccent } from '@electric-sql/pglite/contrib/unaccent';
import { afterAll, describe, expect, it } from 'vitest';

/** What the README says of the embedded database: PGlite ships pg_trgm and unaccent as contrib extensions. */
describe('PGlite contrib extensions', () => {
  let pg: PGlite | undefined;
  afterAll(() => pg?.close());

  it('loads pg_trgm and unaccent', async () => {
    pg = await PGlite.create({ extensions: { pg_trgm, unaccent } });
    await pg.exec('CREATE EXTENSION pg_trgm; CREATE EXTENSION unaccent;');
    const { rows } = await pg.query<{ s: number; u: string }>(
      `SELECT similarity('plumber', 'plumbr') AS s, unaccent('électricien') AS u`,
    );
    expect(rows[0]!.s).toBeGreaterThan(0.4);
    expect(rows[0]!.u).toBe('electricien');
  });
});

import { sql } from 'drizzle-orm';
import { pgTable, serial, text } from 'drizzle-orm/pg-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabase } from '../server/test/harness';
import { geographyPoint } from './schema/columns';

const places = pgTable('test_places', {
  id: serial('id').primaryKey(),
  name: text('name').notNull(),
  at: geographyPoint('at').notNull(),
});
let database: Awaited<ReturnType<typeof testDatabase>>;

beforeAll(async () => {
  database = await testDatabase();
  await database.db.execute(sql`drop table if exists test_places`);
  await database.db.execute(
    sql`create table test_places (id serial primary key, name text not null, at geography(Point,4326) not null)`,
  );
  await database.db.execute(sql`create index on test_places using gist (at)`);
});
afterAll(async () => {
  await database.db.execute(sql`drop table if exists test_places`);
  await database.dispose();
});

describe('geography(Point,4326) column', () => {
  it('round-trips points and measures distances in metres, nearest first by KNN', async () => {
    await database.db.insert(places).values([
      { name: 'Yaba', at: { lng: 3.3792, lat: 6.5158 } },
      { name: 'Ikeja', at: { lng: 3.3515, lat: 6.6018 } },
      { name: 'Lekki', at: { lng: 3.4746, lat: 6.4474 } },
    ]);
    const rows = await database.db.select().from(places);
    expect(rows.find((r) => r.name === 'Yaba')!.at).toEqual({ lng: 3.3792, lat: 6.5158 });

    const here = sql`ST_GeogFromText('SRID=4326;POINT(3.3800 6.5100)')`;
    const nearest = await database.db
      .select({ name: places.name, metres: sql<number>`ST_Distance(${places.at}, ${here})`.mapWith(Number) })
      .from(places)
      .orderBy(sql`${places.at} <-> ${here}`)
      .limit(2);
    expect(nearest.map((n) => n.name)).toEqual(['Yaba', 'Ikeja']);
    // Yaba is ~650 m away on the ground; a degree-based (geometry) distance would be ~0.006.
    expect(nearest[0]!.metres).toBeGreaterThan(500);
    expect(nearest[0]!.metres).toBeLessThan(800);
  });
});

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { eq, sql } from 'drizzle-orm';
import { integer, pgTable, serial, text, timestamp } from 'drizzle-orm/pg-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { testDatabase } from '../server/test/harness';

/**
 * patches/drizzle-orm+0.45.4.patch (issue 18): a statement's row mapper is worked out once, the second
 * time its columns are seen, and reused. The rows it makes must be the ones Drizzle made before: decoded
 * values, nested selections, and a left-joined table with no row given as null (not an object of nulls).
 */
const owners = pgTable('test_row_owners', {
  id: serial('id').primaryKey(),
  name: text('name').notNull(),
});
const pets = pgTable('test_row_pets', {
  id: serial('id').primaryKey(),
  ownerId: integer('owner_id'),
  name: text('name').notNull(),
  bornAt: timestamp('born_at', { withTimezone: true }).notNull(),
});
let database: Awaited<ReturnType<typeof testDatabase>>;

beforeAll(async () => {
  database = await testDatabase();
  await database.db.execute(sql`drop table if exists test_row_pets, test_row_owners`);
  await database.db.execute(sql`create table test_row_owners (id serial primary key, name text not null)`);
  await database.db.execute(
    sql`create table test_row_pets (id serial primary key, owner_id int, name text not null, born_at timestamptz not null)`,
  );
  await database.db.insert(owners).values({ id: 1, name: 'Ada' });
  await database.db.insert(pets).values([
    { id: 1, ownerId: 1, name: 'Rex', bornAt: new Date('2020-01-02T03:04:05.678Z') },
    { id: 2, ownerId: null, name: 'Stray', bornAt: new Date('2021-06-07T08:09:10.000Z') },
  ]);
});
afterAll(async () => {
  await database.db.execute(sql`drop table if exists test_row_pets, test_row_owners`);
  await database.dispose();
});

it('a statement run again maps its rows as the first run did (nested, decoded, null joins)', async () => {
  const query = database.db
    .select({
      pet: { id: pets.id, name: pets.name, bornAt: pets.bornAt },
      owner: owners,
      label: sql<string>`upper(${pets.name})`,
      age: sql<number>`extract(year from ${pets.bornAt})`.mapWith(Number),
    })
    .from(pets)
    .leftJoin(owners, eq(owners.id, pets.ownerId))
    .orderBy(pets.id)
    .prepare('test_rows_mapped');
  const expected = [
    {
      pet: { id: 1, name: 'Rex', bornAt: new Date('2020-01-02T03:04:05.678Z') },
      owner: { id: 1, name: 'Ada' },
      label: 'REX',
      age: 2020,
    },
    {
      pet: { id: 2, name: 'Stray', bornAt: new Date('2021-06-07T08:09:10.000Z') },
      owner: null,
      label: 'STRAY',
      age: 2021,
    },
  ];
  // First run (mapped as Drizzle does), second (the mapper worked out), third (the mapper reused).
  for (let run = 0; run < 3; run++) expect(await query.execute()).toEqual(expected);
  // The same statement built anew each time (its columns never seen twice) maps the same way.
  for (let run = 0; run < 2; run++)
    expect(
      await database.db
        .select({ pet: { id: pets.id }, owner: owners })
        .from(pets)
        .leftJoin(owners, eq(owners.id, pets.ownerId))
        .orderBy(pets.id),
    ).toEqual([
      { pet: { id: 1 }, owner: { id: 1, name: 'Ada' } },
      { pet: { id: 2 }, owner: null },
    ]);
});

it('the row-mapper patch is applied (npm ci runs patch-package)', () => {
  const index = fileURLToPath(import.meta.resolve('drizzle-orm'));
  const utils = readFileSync(path.join(path.dirname(index), 'utils.js'), 'utf8');
  expect(utils).toContain('function mapResultRowPlanned(');
});

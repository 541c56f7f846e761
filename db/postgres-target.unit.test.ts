import { expect, it } from 'vitest';
import { postgresTarget } from './client';

it('a libpq-style ?host=/dir URL is a Unix socket in that directory; the parameter leaves the URL', () => {
  expect(postgresTarget('postgres://app@127.0.0.1:5432/fundi?host=/var/run/postgresql')).toEqual({
    url: 'postgres://app@127.0.0.1:5432/fundi',
    path: '/var/run/postgresql/.s.PGSQL.5432',
  });
  expect(postgresTarget('postgres://app@localhost:6543/fundi?host=/tmp/&sslmode=disable')).toEqual({
    url: 'postgres://app@localhost:6543/fundi?sslmode=disable',
    path: '/tmp/.s.PGSQL.6543',
  });
  expect(postgresTarget('postgresql://app@db/fundi?host=%2Frun%2Fpg')).toEqual({
    url: 'postgresql://app@db/fundi',
    path: '/run/pg/.s.PGSQL.5432',
  });
});

it('any other URL is left as it is', () => {
  for (const url of [
    'postgres://app:secret@db.internal:5432/fundi',
    'postgres://app@db/fundi?sslmode=require',
    'postgres://app@db/fundi?host=db2',
    'not a url',
  ])
    expect(postgresTarget(url)).toEqual({ url });
});

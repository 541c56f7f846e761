import { afterAll, expect } from 'vitest';
import { txGuardViolations } from '../../db/client';

// Every test file on PostgreSQL: no statement went to the pool from inside a transaction (db/client.ts
// txGuard), even one thrown in a background task whose error only reached a log.
afterAll(() => {
  expect(txGuardViolations, 'statements on the pool from inside a transaction').toEqual([]);
});

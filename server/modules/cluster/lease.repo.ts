import { sql } from 'drizzle-orm';
import { type Db, queryRows } from '../../../db/client';

/**
 * Row leases in PostgreSQL: `acquire` takes (or keeps) the named lease for `ttlMs` when it is free,
 * expired, or already ours, in one statement, so two nodes can never both hold it.
 */
export function createLeaseRepo(db: Db) {
  return {
    async acquire(name: string, holder: string, ttlMs: number): Promise<boolean> {
      const rows = await queryRows<{ holder: string }>(
        db,
        sql`INSERT INTO leases (name, holder, expires_at)
            VALUES (${name}, ${holder}, now() + ${`${ttlMs} milliseconds`}::interval)
            ON CONFLICT (name) DO UPDATE SET holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at
              WHERE leases.holder = EXCLUDED.holder OR leases.expires_at < now()
            RETURNING holder`,
      );
      return rows.length === 1;
    },
    async release(name: string, holder: string) {
      await db.execute(sql`DELETE FROM leases WHERE name = ${name} AND holder = ${holder}`);
    },
  };
}

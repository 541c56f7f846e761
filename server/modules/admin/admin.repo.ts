import { count } from 'drizzle-orm';
import type { DbOrTx } from '../../../db/client';
import { users } from '../../../db/schema';

export function createAdminRepo(db: DbOrTx) {
  return {
    countUsersByRole: () => db.select({ role: users.role, count: count() }).from(users).groupBy(users.role),
  };
}

import { randomUUID } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../db/client';
import { auditLog, sessions, userRestrictions, users } from '../../../db/schema';
import { pgErrorCode } from '../../lib/errors';
import { testDatabase, uniqueEmail } from '../../test/harness';

// The two database guarantees of the console, on both drivers (PostgreSQL and the embedded PGlite):
// audit rows are append-only, and no session can be created while a suspension or ban is in force.
let database: Database & { dispose(): Promise<void> };
beforeAll(async () => {
  database = await testDatabase();
}, 300_000);
afterAll(() => database.dispose());

const codeOf = async (p: Promise<unknown>) => {
  try {
    await p;
    return 'OK';
  } catch (e) {
    return pgErrorCode(e).code ?? String(e);
  }
};

describe('database guarantees', () => {
  it('audit_log refuses UPDATE, DELETE and TRUNCATE', async () => {
    const db = database.db;
    const [row] = await db
      .insert(auditLog)
      .values({ action: 'core.probe', subject: 'test:core' })
      .returning();
    expect(await codeOf(db.update(auditLog).set({ action: 'forged' }).where(eq(auditLog.id, row!.id)))).toBe(
      '42501',
    );
    expect(await codeOf(db.delete(auditLog).where(eq(auditLog.id, row!.id)))).toBe('42501');
    expect(await codeOf(db.execute(sql`truncate audit_log`))).toBe('42501');
    const [still] = await db.select().from(auditLog).where(eq(auditLog.id, row!.id));
    expect(still?.action).toBe('core.probe');
  });

  it('sessions are refused (FB001) while a restriction is in force, allowed once it is lifted or over', async () => {
    const db = database.db;
    const [u] = await db
      .insert(users)
      .values({ email: uniqueEmail('core'), passwordHash: 'x', name: 'Core' })
      .returning();
    const session = (id: string) =>
      db.insert(sessions).values({ id, userId: u!.id, expiresAt: new Date(Date.now() + 3600_000) });
    const [r] = await db
      .insert(userRestrictions)
      .values({ userId: u!.id, kind: 'ban', reason: 'core test' })
      .returning();
    expect(await codeOf(session(randomUUID()))).toBe('FB001');
    await db.update(userRestrictions).set({ liftedAt: new Date() }).where(eq(userRestrictions.id, r!.id));
    expect(await codeOf(session(randomUUID()))).toBe('OK');
    // An ended suspension blocks nothing either.
    await db
      .insert(userRestrictions)
      .values({ userId: u!.id, kind: 'suspend', reason: 'over', until: new Date(Date.now() - 1000) });
    expect(await codeOf(session(randomUUID()))).toBe('OK');
  });
});

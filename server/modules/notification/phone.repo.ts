import { and, count, desc, eq, gt, isNull, sql } from 'drizzle-orm';
import { type DbOrTx, xactLock } from '../../../db/client';
import { phoneCodes, phoneVerifications, users } from '../../../db/schema';

export function createPhoneRepo(db: DbOrTx) {
  return {
    /** Serialises code requests for this number, then for this account (inside a transaction). */
    async lockRequests(userId: string, phone: string) {
      await xactLock(db, `phone-code:phone:${phone}`);
      await xactLock(db, `phone-code:user:${userId}`);
    },

    /** Codes sent since `since`: to this number (by anyone), and to this account (any number). */
    async sentSince(userId: string, phone: string, since: Date) {
      const [byPhone] = await db
        .select({ n: count() })
        .from(phoneCodes)
        .where(and(eq(phoneCodes.phone, phone), gt(phoneCodes.createdAt, since)));
      const [byUser] = await db
        .select({ n: count() })
        .from(phoneCodes)
        .where(and(eq(phoneCodes.userId, userId), gt(phoneCodes.createdAt, since)));
      return { byPhone: Number(byPhone?.n ?? 0), byUser: Number(byUser?.n ?? 0) };
    },

    async insertCode(v: { userId: string; phone: string; codeHash: string; expiresAt: Date }) {
      await db.insert(phoneCodes).values(v);
    },

    /** The newest unused code for this account and number, locked (tries are counted one at a time). */
    async latestCode(userId: string, phone: string) {
      const [row] = await db
        .select()
        .from(phoneCodes)
        .where(and(eq(phoneCodes.userId, userId), eq(phoneCodes.phone, phone), isNull(phoneCodes.usedAt)))
        .orderBy(desc(phoneCodes.createdAt), desc(phoneCodes.id))
        .limit(1)
        .for('update');
      return row;
    },

    async countTry(id: number) {
      await db
        .update(phoneCodes)
        .set({ attempts: sql`${phoneCodes.attempts} + 1` })
        .where(eq(phoneCodes.id, id));
    },

    async consumeCode(id: number) {
      await db.update(phoneCodes).set({ usedAt: sql`now()` }).where(eq(phoneCodes.id, id));
    },

    async markVerified(userId: string, phone: string) {
      await db
        .insert(phoneVerifications)
        .values({ userId, phone })
        .onConflictDoUpdate({ target: phoneVerifications.userId, set: { phone, verifiedAt: sql`now()` } });
      await db.update(users).set({ phone }).where(eq(users.id, userId));
    },

    async verified(userId: string) {
      const [row] = await db.select().from(phoneVerifications).where(eq(phoneVerifications.userId, userId));
      return row;
    },
  };
}

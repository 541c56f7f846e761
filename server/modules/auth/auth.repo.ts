import { and, eq, inArray, lt, sql } from 'drizzle-orm';
import { type DbOrTx, reusable } from '../../../db/client';
import { type SessionRow, sessions, technicianProfiles, type UserRow, users } from '../../../db/schema';

export type NewUser = typeof users.$inferInsert;

/** Every authenticated call not in the session cache runs this: its SQL is built once (db/client.ts). */
const sessionWithUser = reusable<Array<{ session: SessionRow; user: UserRow }>>('session_with_user', (db) =>
  db
    .select({ session: sessions, user: users })
    .from(sessions)
    .innerJoin(users, eq(sessions.userId, users.id))
    .where(eq(sessions.id, sql.placeholder('id')))
    .limit(1),
);

export function createAuthRepo(db: DbOrTx) {
  return {
    /** A new account; technicians get their (pending) profile in the same transaction. */
    async insertUser(values: NewUser): Promise<UserRow> {
      return db.transaction(async (tx) => {
        const [row] = await tx.insert(users).values(values).returning();
        if (row!.role === 'technician') await tx.insert(technicianProfiles).values({ userId: row!.id });
        return row!;
      });
    },

    async findUserByEmail(email: string): Promise<UserRow | undefined> {
      const [row] = await db
        .select()
        .from(users)
        .where(sql`lower(${users.email}) = lower(${email})`)
        .limit(1);
      return row;
    },

    /** E-mails of accounts at a domain (the demo accounts' check before a production start). */
    async emailsAtDomain(domain: string): Promise<string[]> {
      const rows = await db
        .select({ email: users.email })
        .from(users)
        .where(sql`lower(${users.email}) like ${`%@${domain.toLowerCase()}`}`)
        .limit(20);
      return rows.map((r) => r.email);
    },

    async findUserById(id: string): Promise<UserRow | undefined> {
      const [row] = await db.select().from(users).where(eq(users.id, id)).limit(1);
      return row;
    },

    async updateUser(id: string, patch: Partial<Pick<UserRow, 'name' | 'phone' | 'locale' | 'timeZone'>>) {
      const [row] = await db.update(users).set(patch).where(eq(users.id, id)).returning();
      return row;
    },

    async updatePasswordHash(id: string, passwordHash: string) {
      await db.update(users).set({ passwordHash }).where(eq(users.id, id));
    },

    async insertSession(values: SessionRow | Omit<SessionRow, 'createdAt'>) {
      await db.insert(sessions).values(values);
    },

    async findSessionWithUser(
      sessionId: string,
    ): Promise<{ session: SessionRow; user: UserRow } | undefined> {
      const [row] = await sessionWithUser(db, { id: sessionId });
      return row;
    },

    /** Several sessions with their users at once (the session cache's background refresh). */
    sessionsWithUsers(sessionIds: string[]): Promise<Array<{ session: SessionRow; user: UserRow }>> {
      if (sessionIds.length === 0) return Promise.resolve([]);
      return db
        .select({ session: sessions, user: users })
        .from(sessions)
        .innerJoin(users, eq(sessions.userId, users.id))
        .where(inArray(sessions.id, sessionIds));
    },

    async extendSession(sessionId: string, expiresAt: Date) {
      await db.update(sessions).set({ expiresAt }).where(eq(sessions.id, sessionId));
    },

    async deleteSession(sessionId: string) {
      await db.delete(sessions).where(eq(sessions.id, sessionId));
    },

    async deleteUserSessions(userId: string) {
      await db.delete(sessions).where(eq(sessions.userId, userId));
    },

    async deleteExpiredSessions(now: Date) {
      await db.delete(sessions).where(and(lt(sessions.expiresAt, now)));
    },
  };
}

export type AuthRepo = ReturnType<typeof createAuthRepo>;

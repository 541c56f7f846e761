import { randomBytes } from 'node:crypto';
import { and, asc, eq, inArray, like, notExists } from 'drizzle-orm';
import { ACTIVE_JOB_STATUSES } from '#shared/booking';
import type { DbOrTx } from '../../../db/client';
import { bookings, technicianProfiles, users } from '../../../db/schema';

/** Simulated technicians' accounts: never sign in (no password verifies against '!'), offer no service. */
export const SANDBOX_TECH_DOMAIN = '@sandbox.fundi.invalid';

export function createSandboxRepo(db: DbOrTx) {
  return {
    /** The oldest simulated technician without an active job (null: all busy, make another). */
    async idleTechnician() {
      const [row] = await db
        .select({ id: users.id, role: users.role, name: users.name, phone: users.phone })
        .from(users)
        .where(
          and(
            like(users.email, `sandbox-tech-%${SANDBOX_TECH_DOMAIN}`),
            notExists(
              db
                .select({ one: bookings.id })
                .from(bookings)
                .where(
                  and(
                    eq(bookings.technicianId, users.id),
                    inArray(bookings.status, [...ACTIVE_JOB_STATUSES]),
                  ),
                ),
            ),
          ),
        )
        .orderBy(asc(users.createdAt), asc(users.id))
        .limit(1);
      return row ?? null;
    },

    /** A new simulated technician: verified (the job's steps check it), offline, with no services. */
    async createTechnician() {
      return db.transaction(async (tx) => {
        const [u] = await tx
          .insert(users)
          .values({
            email: `sandbox-tech-${randomBytes(6).toString('hex')}${SANDBOX_TECH_DOMAIN}`,
            passwordHash: '!',
            name: 'Sandbox technician',
            role: 'technician',
          })
          .returning({ id: users.id, role: users.role, name: users.name, phone: users.phone });
        await tx.insert(technicianProfiles).values({ userId: u!.id, verification: 'verified' });
        return u!;
      });
    },

    /** Sandbox bookings still open (a restart resumes driving them). */
    async openBookings() {
      const rows = await db
        .select({ id: bookings.id })
        .from(bookings)
        .where(
          and(eq(bookings.sandbox, true), inArray(bookings.status, ['searching', ...ACTIVE_JOB_STATUSES])),
        );
      return rows.map((r) => r.id);
    },
  };
}

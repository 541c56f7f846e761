import type { Db, DbOrTx } from '../../../db/client';
import type { VerificationStatus } from '../../contracts/technician';
import { createTechnicianRepo } from './technician.repo';

/** `tx`: inside the caller's transaction; without it, on its own. */
type In = { tx?: DbOrTx };

/**
 * Technicians as other modules' services read and change them (bookings, dispatch, onboarding, the
 * console, earnings): they call this, not technician.repo. Each takes the caller's transaction where the
 * change must commit with theirs. No dependencies, so services.ts makes it first.
 */
export function createTechnicianRecords(db: Db) {
  const repo = (o?: In) => createTechnicianRepo(o?.tx ?? db);
  return {
    /** The technician's profile with name and e-mail, or undefined. */
    profile: (userId: string, o?: In) => repo(o).profile(userId),
    /** The services a technician offers, with their own price and the service's currency. */
    servicesOf: (userId: string, o?: In) => repo(o).servicesOf(userId),
    /** Ends every open offer of the technician (suspended, banned, deleted); returns them. */
    withdrawOpenOffers: (technicianId: string, o?: In) => repo(o).withdrawOpenOffers(technicianId),
    /** See technician.repo `setVerification` (its own transaction, nested in `tx` when given). */
    setVerification: (
      userId: string,
      status: VerificationStatus,
      note: string | null,
      opts: In & { actorId?: string; decided?: (tx: DbOrTx) => Promise<void> } = {},
    ) => repo(opts).setVerification(userId, status, note, opts.actorId, opts.decided),
  };
}

export type TechnicianRecords = ReturnType<typeof createTechnicianRecords>;

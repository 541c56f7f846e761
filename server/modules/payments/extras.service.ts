import type { z } from 'zod';
import type { Db } from '../../../db/client';
import type { UserRow } from '../../../db/schema';
import type { BookingExtraRow } from '../../../db/schema/money';
import type { addExtraInput, Extra, respondExtraInput } from '../../contracts/payment';
import { DomainError } from '../../lib/errors';
import { createPaymentsRepo, type PaymentsRepo } from './payments.repo';

type Caller = Pick<UserRow, 'id' | 'role'>;

export const toExtra = (e: BookingExtraRow): Extra => ({
  id: e.id,
  bookingId: e.bookingId,
  label: e.label,
  amount: { amount: e.amount, currency: e.currency },
  status: e.status,
  createdAt: e.createdAt.toISOString(),
  respondedAt: e.respondedAt?.toISOString() ?? null,
});

/** Statuses in which extras may be added and answered: the technician is there, the bill is not made. */
const WORKING = new Set(['arrived', 'in_progress']);

/**
 * Extras (parts, materials) during a job: the assigned technician adds them, the customer approves or
 * rejects them, and only approved ones reach the bill made at completion. Both run under the booking's
 * row lock, as completion does, so an approval either lands before the bill is made or is refused.
 */
/** The booking, its row locked; NOT_FOUND to anyone but its parties and admins (existence never leaks). */
async function lockedBooking(repo: PaymentsRepo, id: string, user: Caller) {
  const b = (await repo.booking(id, { forUpdate: true }))?.booking;
  if (!b || (user.role !== 'admin' && b.customerId !== user.id && b.technicianId !== user.id))
    throw new DomainError('NOT_FOUND', 'Booking not found.');
  return b;
}

export function createExtrasService(db: Db) {
  return {
    async add(user: Caller, input: z.output<typeof addExtraInput>): Promise<Extra> {
      return db.transaction(async (tx) => {
        const repo = createPaymentsRepo(tx);
        const b = await lockedBooking(repo, input.id, user);
        if (b.technicianId !== user.id)
          throw new DomainError('FORBIDDEN_ROLE', 'Only the assigned technician can add extras.');
        if (!WORKING.has(b.status))
          throw new DomainError(
            'CONFLICT',
            'Extras can be added once you have arrived, until the job is done.',
          );
        return toExtra(
          await repo.insertExtra({
            bookingId: b.id,
            label: input.label,
            amount: input.amount,
            currency: b.currency,
            addedBy: user.id,
          }),
        );
      });
    },

    async respond(user: Caller, input: z.output<typeof respondExtraInput>): Promise<Extra> {
      return db.transaction(async (tx) => {
        const repo = createPaymentsRepo(tx);
        const b = await lockedBooking(repo, input.id, user);
        if (b.customerId !== user.id)
          throw new DomainError('FORBIDDEN_ROLE', 'Only the customer can approve or reject extras.');
        const extra = await repo.extra(b.id, input.extraId);
        if (!extra) throw new DomainError('NOT_FOUND', 'Extra not found.');
        if (extra.status !== 'pending') {
          // The same answer again is a retry, not a conflict.
          if (extra.status === (input.approve ? 'approved' : 'rejected')) return toExtra(extra);
          throw new DomainError('CONFLICT', `This extra was already ${extra.status}.`);
        }
        if (!WORKING.has(b.status))
          throw new DomainError('CONFLICT', 'The job is finished: extras can no longer be approved.');
        const updated = await repo.respondExtra(b.id, extra.id, input.approve ? 'approved' : 'rejected');
        return toExtra(updated!);
      });
    },
  };
}

export type ExtrasService = ReturnType<typeof createExtrasService>;

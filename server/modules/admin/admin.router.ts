import { listPayoutsInput, markPayoutPaidInput, refundInput } from '../../contracts/payment';
import { listTechniciansInput, setVerificationInput } from '../../contracts/technician';
import { adminProcedure, router } from '../../trpc/procedures';

export const adminRouter = router({
  /** Accounts per role, for the admin home. */
  stats: adminProcedure.query(({ ctx }) => ctx.services.admin.stats()),
  technicians: router({
    list: adminProcedure
      .input(listTechniciansInput)
      .query(({ ctx, input }) => ctx.services.technicians.list(input)),
    setVerification: adminProcedure
      .input(setVerificationInput)
      .mutation(({ ctx, input }) =>
        ctx.services.technicians.setVerification(input.technicianId, input.status, input.note ?? null),
      ),
  }),
  payments: router({
    refund: adminProcedure
      .input(refundInput)
      .mutation(({ ctx, input }) => ctx.services.payments.refund(ctx.user, input)),
  }),
  payouts: router({
    list: adminProcedure
      .input(listPayoutsInput)
      .query(({ ctx, input }) => ctx.services.earnings.listPayouts(input ?? {})),
    markPaid: adminProcedure
      .input(markPayoutPaidInput)
      .mutation(({ ctx, input }) => ctx.services.earnings.markPaid(ctx.user, input)),
  }),
});

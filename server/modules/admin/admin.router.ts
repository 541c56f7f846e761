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
});

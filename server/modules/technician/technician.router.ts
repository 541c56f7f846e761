import { setOnlineInput, setServicesInput, updateProfileInput } from '../../contracts/technician';
import { roleProcedure, router } from '../../trpc/procedures';

const technicianProcedure = roleProcedure('technician');

export const technicianRouter = router({
  me: technicianProcedure.query(({ ctx }) => ctx.services.technicians.me(ctx.user.id)),
  updateProfile: technicianProcedure
    .input(updateProfileInput)
    .mutation(({ ctx, input }) => ctx.services.technicians.updateProfile(ctx.user.id, input)),
  setServices: technicianProcedure
    .input(setServicesInput)
    .mutation(({ ctx, input }) => ctx.services.technicians.setServices(ctx.user.id, input)),
  setOnline: technicianProcedure
    .input(setOnlineInput)
    .mutation(({ ctx, input }) => ctx.services.technicians.setOnline(ctx.user.id, input)),
  /** Offers pushed to this technician: open ones first, then new and closed ones live. */
  offers: technicianProcedure.subscription(({ ctx, signal }) =>
    ctx.services.dispatch.offers(ctx.user.id, signal),
  ),
});

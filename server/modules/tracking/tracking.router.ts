import { trackingUpdateInput } from '../../contracts/technician';
import { roleProcedure, router } from '../../trpc/procedures';

export const trackingRouter = router({
  update: roleProcedure('technician')
    .input(trackingUpdateInput)
    .mutation(({ ctx, input }) => ctx.services.technicians.trackingUpdate(ctx.user.id, input)),
});

import { z } from 'zod';
import { trackingUpdateInput } from '../../contracts/technician';
import { nearbyInput, watchInput } from '../../contracts/tracking';
import { authedProcedure, roleProcedure, router } from '../../trpc/procedures';

export const trackingRouter = router({
  /** A technician's fixes (oldest first is fine; any order is sorted). */
  update: roleProcedure('technician')
    .input(trackingUpdateInput)
    .mutation(({ ctx, input }) => ctx.services.technicians.trackingUpdate(ctx.user.id, input)),
  /** The assigned technician's live position, for the booking's customer while they are on the way. */
  watch: authedProcedure
    .input(watchInput)
    .subscription(({ ctx, input, signal }) =>
      ctx.services.tracking.watch(input.bookingId, ctx.user, input.lastEventId, signal),
    ),
  trail: authedProcedure
    .input(z.object({ bookingId: z.uuid() }))
    .query(({ ctx, input }) => ctx.services.tracking.trail(input.bookingId, ctx.user)),
  /** Available technicians around a point, coarsened (no identities) for the map before booking. */
  nearby: authedProcedure
    .input(nearbyInput)
    .query(({ ctx, input }) => ctx.services.tracking.nearby(input, input.serviceId)),
});

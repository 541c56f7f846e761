import { z } from 'zod';
import { trackingUpdateInput } from '../../contracts/technician';
import { type LivePosition, nearbyInput, watchInput } from '../../contracts/tracking';
import { fastFeed, fastMutation, feedEvents } from '../../trpc/fast';
import { authedProcedure, roleProcedure, router } from '../../trpc/procedures';

/**
 * The two hot procedures, defined once: mounted below as ordinary procedures, and by the uWS WebSocket
 * adapter as fast paths (server/trpc/fast.ts) with the same schema, roles and handler.
 */
export const trackingFast = {
  update: fastMutation({
    input: trackingUpdateInput,
    roles: ['technician'],
    handle: (ctx, input) => ctx.services.technicians.trackingUpdate(ctx.user.id, input),
  }),
  watch: fastFeed({
    input: watchInput,
    roles: null,
    open: (ctx, input) => ctx.services.tracking.openFeed(input.bookingId, ctx.user, input.lastEventId),
  }),
};

export const trackingRouter = router({
  /** A technician's fixes (oldest first is fine; any order is sorted). */
  update: roleProcedure(...trackingFast.update.roles)
    .input(trackingFast.update.input)
    .mutation(({ ctx, input }) => trackingFast.update.handle(ctx, input)),
  /** The assigned technician's live position, for the booking's customer while they are on the way. */
  watch: authedProcedure.input(trackingFast.watch.input).subscription(async function* ({
    ctx,
    input,
    signal,
  }) {
    yield* feedEvents<LivePosition>(await trackingFast.watch.open(ctx, input), signal);
  }),
  trail: authedProcedure
    .input(z.object({ bookingId: z.uuid() }))
    .query(({ ctx, input }) => ctx.services.tracking.trail(input.bookingId, ctx.user)),
  /** Available technicians around a point, coarsened (no identities) for the map before booking. */
  nearby: authedProcedure
    .input(nearbyInput)
    .query(({ ctx, input }) => ctx.services.tracking.nearby(input, input.serviceId)),
});

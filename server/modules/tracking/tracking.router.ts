import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { quickTrackingUpdate, trackingUpdateInput } from '../../contracts/technician';
import {
  type LivePosition,
  livePositionSchema,
  nearbyInput,
  trailSchema,
  watchInput,
} from '../../contracts/tracking';
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
    quick: quickTrackingUpdate,
    handle: (ctx, input) => ctx.services.technicians.trackingUpdateNow(ctx.user.id, input),
  }),
  watch: fastFeed({
    input: watchInput,
    roles: null,
    open: (ctx, input) => ctx.services.tracking.openFeed(input.bookingId, ctx.user, input.lastEventId),
  }),
};

/** How often the admin's live map gets a new snapshot. */
export const ONLINE_EVERY_MS = 2_000;

export const trackingRouter = router({
  /** A technician's fixes (oldest first is fine; any order is sorted). */
  update: roleProcedure(...trackingFast.update.roles)
    .input(trackingFast.update.input)
    .mutation(({ ctx, input }) => trackingFast.update.handle(ctx, input)),
  /** The assigned technician's live position, for the booking's customer while they are on the way. */
  watch: authedProcedure
    .meta({
      description:
        "The assigned technician's live position while they are on the way to the booking; resumable with lastEventId.",
      events: livePositionSchema,
      errors: ['NOT_FOUND', 'CONFLICT'],
    })
    .input(trackingFast.watch.input)
    .subscription(async function* ({ ctx, input, signal }) {
      yield* feedEvents<LivePosition>(await trackingFast.watch.open(ctx, input), signal);
    }),
  trail: authedProcedure
    .meta({
      description: "The technician's route so far on a booking, oldest first.",
      errors: ['NOT_FOUND', 'CONFLICT'],
    })
    .input(z.object({ bookingId: z.uuid() }))
    .output(trailSchema)
    .query(({ ctx, input }) => ctx.services.tracking.trail(input.bookingId, ctx.user)),
  /**
   * Admins: every online technician and where they are, a fresh snapshot every ONLINE_EVERY_MS (positions
   * from memory, so it costs no query once names are known).
   */
  online: roleProcedure('admin').subscription(async function* ({ ctx, signal }) {
    for (;;) {
      yield await ctx.services.tracking.online();
      try {
        await sleep(ONLINE_EVERY_MS, undefined, { signal });
      } catch {
        return; // The viewer left.
      }
    }
  }),
  /** Available technicians around a point, coarsened (no identities) for the map before booking. */
  nearby: authedProcedure
    .input(nearbyInput)
    .query(({ ctx, input }) => ctx.services.tracking.nearby(input, input.serviceId)),
});

import { authedProcedure, router } from '../../trpc/procedures';

export const meRouter = router({
  /** What changed for the signed-in user (their bookings, their verification, chat, the admin queue). */
  events: authedProcedure.subscription(({ ctx, signal }) => ctx.services.me.events(ctx.user, signal)),
});

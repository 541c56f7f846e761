import { on } from 'node:events';
import { publicProcedure, router } from '../../trpc/procedures';

export const systemRouter = router({
  /** A beat every few seconds: clients show from it whether the live connection is up. */
  heartbeat: publicProcedure.subscription(async function* ({ ctx, signal }) {
    yield { serverTime: new Date().toISOString() };
    for await (const _ of on(ctx.services.clock, 'tick', { signal })) {
      yield { serverTime: new Date().toISOString() };
    }
  }),
});

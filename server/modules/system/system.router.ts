import { on } from 'node:events';
import { publicProcedure, router } from '../../trpc/procedures';

export const systemRouter = router({
  /** A beat every few seconds: clients show from it whether the live connection is up. */
  /**
   * `node`: which server node this connection is on; `ready`: that node can reach everything it shares
   * with the others (Redis), so live events from users on other nodes arrive.
   */
  heartbeat: publicProcedure.subscription(async function* ({ ctx, signal }) {
    const beat = () => ({
      serverTime: new Date().toISOString(),
      node: ctx.config.nodeId,
      ready: ctx.services.bus.healthy(),
    });
    yield beat();
    for await (const _ of on(ctx.services.clock, 'tick', { signal })) yield beat();
  }),
});

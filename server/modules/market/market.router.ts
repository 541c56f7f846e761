import { zonesInput } from '../../contracts/area';
import { locateInput } from '../../contracts/market';
import { publicProcedure, router } from '../../trpc/procedures';

export const marketRouter = router({
  /** Every market with its outline: where Fundi works (before sign-up too). */
  list: publicProcedure.query(({ ctx }) => ctx.services.markets.list()),
  /** The market containing a point, or null (outside every market). */
  locate: publicProcedure.input(locateInput).query(({ ctx, input }) => ctx.services.markets.locate(input)),
  /** A market's named zones (service areas technicians can pick; some carry a surcharge). */
  zones: publicProcedure.input(zonesInput).query(({ ctx, input }) => ctx.services.areas.zones(input.market)),
});

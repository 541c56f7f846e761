import { z } from 'zod';
import { zoneSchema, zonesInput } from '../../contracts/area';
import { locateInput, marketSchema } from '../../contracts/market';
import { publicProcedure, router } from '../../trpc/procedures';

export const marketRouter = router({
  /** Every market with its outline: where Fundi works (before sign-up too). */
  list: publicProcedure
    .meta({ description: 'Every market Fundi works in, with its currency, time zone and outline.' })
    .output(z.array(marketSchema))
    .query(({ ctx }) => ctx.services.markets.list()),
  /** The market containing a point, or null (outside every market). */
  locate: publicProcedure
    .meta({ description: 'The market containing a point, or null outside every market.' })
    .input(locateInput)
    .output(marketSchema.nullable())
    .query(({ ctx, input }) => ctx.services.markets.locate(input)),
  /** A market's named zones (service areas technicians can pick; some carry a surcharge). */
  zones: publicProcedure
    .meta({ description: "A market's named zones (some carry a surcharge)." })
    .input(zonesInput)
    .output(z.array(zoneSchema))
    .query(({ ctx, input }) => ctx.services.areas.zones(input.market)),
});

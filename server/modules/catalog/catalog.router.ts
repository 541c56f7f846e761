import { z } from 'zod';
import { categorySchema, serviceSchema, servicesInput } from '../../contracts/catalog';
import { publicProcedure, router } from '../../trpc/procedures';

export const catalogRouter = router({
  categories: publicProcedure
    .meta({ description: 'Every service category, with English and Arabic names and an icon name.' })
    .output(z.array(categorySchema))
    .query(({ ctx }) => ctx.services.catalog.categories()),
  services: publicProcedure
    .meta({ description: "A market's bookable services (optionally of one category), with list prices." })
    .input(servicesInput)
    .output(z.array(serviceSchema))
    .query(({ ctx, input }) => ctx.services.catalog.services(input?.categoryId, input?.market)),
});

import { z } from 'zod';
import { categoriesInput, categorySchema, serviceSchema, servicesInput } from '../../contracts/catalog';
import { publicProcedure, router } from '../../trpc/procedures';

export const catalogRouter = router({
  /** With `market`: only the categories that have an active service in that market. */
  categories: publicProcedure
    .meta({
      description:
        'Service categories, with English and Arabic names and descriptions and an icon name; with `market`, only those with an active service there.',
    })
    .input(categoriesInput)
    .output(z.array(categorySchema))
    .query(({ ctx, input }) => ctx.services.catalog.categories(input?.market)),
  services: publicProcedure
    .meta({ description: "A market's bookable services (optionally of one category), with list prices." })
    .input(servicesInput)
    .output(z.array(serviceSchema))
    .query(({ ctx, input }) => ctx.services.catalog.services(input?.categoryId, input?.market)),
});

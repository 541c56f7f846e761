import { categoriesInput, servicesInput } from '../../contracts/catalog';
import { publicProcedure, router } from '../../trpc/procedures';

export const catalogRouter = router({
  /** With `market`: only the categories that have an active service in that market. */
  categories: publicProcedure
    .input(categoriesInput)
    .query(({ ctx, input }) => ctx.services.catalog.categories(input?.market)),
  services: publicProcedure
    .input(servicesInput)
    .query(({ ctx, input }) => ctx.services.catalog.services(input?.categoryId, input?.market)),
});

import { servicesInput } from '../../contracts/catalog';
import { publicProcedure, router } from '../../trpc/procedures';

export const catalogRouter = router({
  categories: publicProcedure.query(({ ctx }) => ctx.services.catalog.categories()),
  services: publicProcedure
    .input(servicesInput)
    .query(({ ctx, input }) => ctx.services.catalog.services(input?.categoryId, input?.market)),
});

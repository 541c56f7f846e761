import {
  catalogListInput,
  createCategoryInput,
  createServiceInput,
  idInput,
  updateCategoryInput,
  updateServiceInput,
} from '../../contracts/console';
import { adminProcedure, router } from '../../trpc/procedures';

/** admin.catalog.* (issue 14 §4): categories and per-market services; changes reach new quotes only. */
export const adminCatalogRouter = router({
  list: adminProcedure
    .input(catalogListInput)
    .query(({ ctx, input }) => ctx.services.adminConsole.catalog.list(input)),
  categories: router({
    create: adminProcedure
      .input(createCategoryInput)
      .mutation(({ ctx, input }) => ctx.services.adminConsole.catalog.createCategory(ctx.user, input)),
    update: adminProcedure
      .input(updateCategoryInput)
      .mutation(({ ctx, input }) => ctx.services.adminConsole.catalog.updateCategory(ctx.user, input)),
    delete: adminProcedure
      .input(idInput)
      .mutation(({ ctx, input }) => ctx.services.adminConsole.catalog.deleteCategory(ctx.user, input)),
  }),
  services: router({
    create: adminProcedure
      .input(createServiceInput)
      .mutation(({ ctx, input }) => ctx.services.adminConsole.catalog.createService(ctx.user, input)),
    update: adminProcedure
      .input(updateServiceInput)
      .mutation(({ ctx, input }) => ctx.services.adminConsole.catalog.updateService(ctx.user, input)),
    /** Deactivates (past bookings keep pointing at the service). */
    delete: adminProcedure
      .input(idInput)
      .mutation(({ ctx, input }) => ctx.services.adminConsole.catalog.deleteService(ctx.user, input)),
  }),
});

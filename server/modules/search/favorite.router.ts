import { favoriteInput, listFavoritesInput } from '../../contracts/discovery';
import { authedProcedure, router } from '../../trpc/procedures';

/** A signed-in user's saved technicians. */
export const favoriteRouter = router({
  add: authedProcedure
    .input(favoriteInput)
    .mutation(({ ctx, input }) => ctx.services.search.addFavorite(ctx.user, input.technicianId)),
  remove: authedProcedure
    .input(favoriteInput)
    .mutation(({ ctx, input }) => ctx.services.search.removeFavorite(ctx.user, input.technicianId)),
  list: authedProcedure
    .input(listFavoritesInput)
    .query(({ ctx, input }) => ctx.services.search.favorites(ctx.user, input?.cursor)),
  /** Whether this technician is saved (the profile's heart). */
  has: authedProcedure
    .input(favoriteInput)
    .query(({ ctx, input }) => ctx.services.search.isFavorite(ctx.user, input.technicianId)),
});

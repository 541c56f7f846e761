import { setAreasInput } from '../../contracts/area';
import { technicianProcedure } from '../../trpc/procedures';

/** Merged into the `technician` router: where they work (issue 13 §2). */
export const technicianAreaProcedures = {
  /** Their service areas (polygons they drew or zones they picked). */
  areas: technicianProcedure.query(({ ctx }) => ctx.services.areas.areas(ctx.user.id)),
  /** Replaces their service areas: each valid, inside a market, at most 2,000 km²; at most 10. */
  setAreas: technicianProcedure
    .input(setAreasInput)
    .mutation(({ ctx, input }) => ctx.services.areas.set(ctx.user.id, input)),
};

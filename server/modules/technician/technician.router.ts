import { searchTechniciansInput, setLanguagesInput, technicianProfileInput } from '../../contracts/discovery';
import { setOnlineInput, setServicesInput, updateProfileInput } from '../../contracts/technician';
import { publicProcedure, router, technicianProcedure } from '../../trpc/procedures';
import { technicianAreaProcedures } from '../area/area.router';
import { technicianScheduleProcedures } from '../schedule/schedule.router';
import { technicianPhotoProcedures } from '../upload/upload.router';

export const technicianRouter = router({
  ...technicianAreaProcedures,
  ...technicianScheduleProcedures,
  me: technicianProcedure.query(({ ctx }) => ctx.services.technicians.me(ctx.user.id)),
  updateProfile: technicianProcedure
    .input(updateProfileInput)
    .mutation(({ ctx, input }) => ctx.services.technicians.updateProfile(ctx.user.id, input)),
  setServices: technicianProcedure
    .input(setServicesInput)
    .mutation(({ ctx, input }) => ctx.services.technicians.setServices(ctx.user.id, input)),
  setOnline: technicianProcedure
    .input(setOnlineInput)
    .mutation(({ ctx, input }) => ctx.services.technicians.setOnline(ctx.user.id, input)),
  /** Languages they speak, shown on their public profile. */
  setLanguages: technicianProcedure
    .input(setLanguagesInput)
    .mutation(({ ctx, input }) => ctx.services.search.setLanguages(ctx.user.id, input.languages)),
  /** A technician's public profile (anyone, signed in or not): never their live position. */
  profile: publicProcedure
    .input(technicianProfileInput)
    .query(({ ctx, input }) => ctx.services.search.profile(input.technicianId, ctx.user)),
  /** Verified technicians near a point: filters, sort and cursor pagination (anyone, signed in or not). */
  search: publicProcedure
    .input(searchTechniciansInput)
    .query(({ ctx, input }) => ctx.services.search.search(input)),
  /** Their photo is this stored profile_photo upload (issue 13 §3); answers the profile. */
  ...technicianPhotoProcedures,
  /** Offers pushed to this technician: open ones first, then new and closed ones live. */
  offers: technicianProcedure.subscription(({ ctx, signal }) =>
    ctx.services.dispatch.offers(ctx.user.id, signal),
  ),
});

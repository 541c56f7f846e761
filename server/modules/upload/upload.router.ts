import { bookingIdInput } from '../../contracts/booking';
import { addJobPhotoInput, createUploadInput, uploadIdInput } from '../../contracts/upload';
import { authedProcedure, router, technicianProcedure } from '../../trpc/procedures';

export const uploadRouter = router({
  /** A short-lived signed slot: PUT the bytes to `url` (the type is checked on the bytes, images re-encoded). */
  create: authedProcedure
    .input(createUploadInput)
    .mutation(({ ctx, input }) => ctx.services.uploads.create(ctx.user, input)),
  /** Where to load a stored upload: public link, or a signed one that expires; NOT_FOUND for strangers. */
  url: authedProcedure
    .input(uploadIdInput)
    .query(({ ctx, input }) => ctx.services.uploads.url(ctx.user, input.uploadId)),
  /** The caller's profile photo (customers and technicians alike) becomes this profile_photo upload. */
  setProfilePhoto: authedProcedure
    .input(uploadIdInput)
    .mutation(({ ctx, input }) => ctx.services.uploads.setProfilePhoto(ctx.user, input.uploadId)),
  /** The caller's profile photo, or null. */
  profilePhoto: authedProcedure.query(({ ctx }) => ctx.services.uploads.profilePhoto(ctx.user.id)),
});

/** `booking.addPhoto` / `booking.photos`, spread into the booking router. */
export const bookingPhotoProcedures = {
  /** A before/after photo of the job (assigned technician, while arrived or in progress). */
  addPhoto: technicianProcedure
    .input(addJobPhotoInput)
    .mutation(({ ctx, input }) => ctx.services.uploads.addJobPhoto(ctx.user, input)),
  /** The job's before/after photos with short-lived URLs, for its customer, technician and admins. */
  photos: authedProcedure
    .input(bookingIdInput)
    .query(({ ctx, input }) => ctx.services.uploads.jobPhotos(ctx.user, input.id)),
};

/** `technician.setPhoto`, spread into the technician router: answers the updated profile. */
export const technicianPhotoProcedures = {
  setPhoto: technicianProcedure.input(uploadIdInput).mutation(async ({ ctx, input }) => {
    await ctx.services.uploads.setProfilePhoto(ctx.user, input.uploadId);
    return ctx.services.technicians.me(ctx.user.id);
  }),
};

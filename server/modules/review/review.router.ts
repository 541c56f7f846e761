import {
  createReviewInput,
  listReviewsInput,
  rateCustomerInput,
  replyReviewInput,
  reportReviewInput,
  reviewForBookingInput,
} from '../../contracts/review';
import {
  authedProcedure,
  customerProcedure,
  publicProcedure,
  router,
  technicianProcedure,
} from '../../trpc/procedures';

export const reviewRouter = router({
  /** The customer reviews a completed job of theirs, once, within the review window. */
  create: customerProcedure
    .input(createReviewInput)
    .mutation(({ ctx, input }) => ctx.services.reviews.create(ctx.user, input)),
  /** The technician answers a published review of theirs, once. */
  reply: technicianProcedure
    .input(replyReviewInput)
    .mutation(({ ctx, input }) => ctx.services.reviews.reply(ctx.user, input)),
  /** The technician rates the customer of a completed job (private: admins only); publishes the review. */
  rateCustomer: technicianProcedure
    .input(rateCustomerInput)
    .mutation(({ ctx, input }) => ctx.services.reviews.rateCustomer(ctx.user, input)),
  /** A technician's published reviews, newest first (public). */
  list: publicProcedure.input(listReviewsInput).query(async ({ ctx, input }) => {
    await ctx.services.search.assertVisible(input.technicianId, ctx.user);
    return ctx.services.reviews.list(input);
  }),
  report: authedProcedure
    .input(reportReviewInput)
    .mutation(({ ctx, input }) => ctx.services.reviews.report(ctx.user, input)),
  /** The review side of one booking, for its customer or its technician. */
  forBooking: authedProcedure
    .input(reviewForBookingInput)
    .query(({ ctx, input }) => ctx.services.reviews.forBooking(ctx.user, input.bookingId)),
});

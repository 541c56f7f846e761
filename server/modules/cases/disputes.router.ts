import {
  adminDisputeMessageInput,
  adminDisputesListInput,
  disputeForBookingInput,
  disputeIdInput,
  disputeMessageInput,
  openDisputeInput,
  reportCustomerInput,
  resolveDisputeInput,
} from '../../contracts/cases';
import { adminProcedure, authedProcedure, roleProcedure, router } from '../../trpc/procedures';

/** admin.disputes.* (issue 14 §2): the queue, a case with its evidence, messages, outcome, close. */
export const adminDisputesRouter = router({
  list: adminProcedure
    .input(adminDisputesListInput)
    .query(({ ctx, input }) => ctx.services.disputes.admin.list(input)),
  get: adminProcedure
    .input(disputeIdInput)
    .query(({ ctx, input }) => ctx.services.disputes.admin.get(ctx.user, input.id)),
  message: adminProcedure
    .input(adminDisputeMessageInput)
    .mutation(({ ctx, input }) => ctx.services.disputes.admin.message(ctx.user, input)),
  resolve: adminProcedure
    .input(resolveDisputeInput)
    .mutation(({ ctx, input }) => ctx.services.disputes.admin.resolve(ctx.user, input)),
  close: adminProcedure
    .input(disputeIdInput)
    .mutation(({ ctx, input }) => ctx.services.disputes.admin.close(ctx.user, input.id)),
});

/** dispute.* for customers and technicians (issue 14 §2); NOT_FOUND for anyone not a party. */
export const disputeRouter = router({
  /** A customer disputes a completed booking (within 48 hours): a case opens, the booking is `disputed`. */
  open: roleProcedure('customer')
    .input(openDisputeInput)
    .mutation(({ ctx, input }) => ctx.services.disputes.open(ctx.user, input)),
  /** A technician reports the customer of one of their jobs. */
  reportCustomer: roleProcedure('technician')
    .input(reportCustomerInput)
    .mutation(({ ctx, input }) => ctx.services.disputes.reportCustomer(ctx.user, input)),
  get: authedProcedure
    .input(disputeIdInput)
    .query(({ ctx, input }) => ctx.services.disputes.get(ctx.user, input.id)),
  /** The newest case on a booking of yours, or null. */
  forBooking: authedProcedure
    .input(disputeForBookingInput)
    .query(({ ctx, input }) => ctx.services.disputes.forBooking(ctx.user, input.bookingId)),
  message: authedProcedure
    .input(disputeMessageInput)
    .mutation(({ ctx, input }) => ctx.services.disputes.message(ctx.user, input)),
});

import {
  adminBookingIdInput,
  adminBookingsListInput,
  adminCancelBookingInput,
  adminReassignInput,
} from '../../contracts/cases';
import { adminProcedure, router } from '../../trpc/procedures';

/** admin.bookings.* (issue 14 §1): the bookings board and the actions on a booking (each audited). */
export const adminBookingsRouter = router({
  /** Newest first; filters by status, market, service, creation time, customer, technician. */
  list: adminProcedure
    .input(adminBookingsListInput)
    .query(({ ctx, input }) => ctx.services.adminBookings.list(input)),
  /** The whole picture: timeline, offers, trail, payments, ledger, photos, both contacts; chat while a case is open (audited). */
  get: adminProcedure
    .input(adminBookingIdInput)
    .query(({ ctx, input }) => ctx.services.adminBookings.detail(ctx.user, input.id, 'admin.bookings.get')),
  cancel: adminProcedure
    .input(adminCancelBookingInput)
    .mutation(({ ctx, input }) => ctx.services.adminBookings.cancel(ctx.user, input)),
  redispatch: adminProcedure
    .input(adminBookingIdInput)
    .mutation(({ ctx, input }) => ctx.services.adminBookings.redispatch(ctx.user, input)),
  reassign: adminProcedure
    .input(adminReassignInput)
    .mutation(({ ctx, input }) => ctx.services.adminBookings.reassign(ctx.user, input)),
});

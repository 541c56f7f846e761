import {
  adminBookingIdInput,
  adminBookingsListInput,
  adminCancelBookingInput,
  adminEligibleInput,
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
  /** Who may be given it: verified, offering its service, not suspended/banned/deleted; search by name. */
  eligible: adminProcedure
    .input(adminEligibleInput)
    .query(({ ctx, input }) => ctx.services.adminBookings.eligible(input)),
  reassign: adminProcedure
    .input(adminReassignInput)
    .mutation(({ ctx, input }) => ctx.services.adminBookings.reassign(ctx.user, input)),
});

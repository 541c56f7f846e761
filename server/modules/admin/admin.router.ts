import { listPayoutsInput, markPayoutPaidInput, refundInput } from '../../contracts/payment';
import { customerRatingInput, hideReviewInput, reportedReviewsInput } from '../../contracts/review';
import { listTechniciansInput, setVerificationInput } from '../../contracts/technician';
import { adminProcedure, router } from '../../trpc/procedures';
import { adminAnalyticsRouter } from '../analytics/analytics.router';
import { adminBookingsRouter } from '../cases/bookings.router';
import { adminDisputesRouter } from '../cases/disputes.router';
import { adminAuditRouter } from '../console/audit.router';
import { adminCatalogRouter } from '../console/catalog.router';
import { adminUsersRouter } from '../console/users.router';
import { adminOnboardingRouter } from '../onboarding/onboarding.router';

export const adminRouter = router({
  /** Accounts per role, for the admin home. */
  stats: adminProcedure.query(({ ctx }) => ctx.services.admin.stats()),
  technicians: router({
    list: adminProcedure
      .input(listTechniciansInput)
      .query(({ ctx, input }) => ctx.services.technicians.list(input)),
    setVerification: adminProcedure
      .input(setVerificationInput)
      .mutation(({ ctx, input }) =>
        ctx.services.technicians.setVerification(
          input.technicianId,
          input.status,
          input.note ?? null,
          ctx.user,
        ),
      ),
  }),
  reviews: router({
    /** Reported reviews, most recently reported first, with every report. */
    reported: adminProcedure
      .input(reportedReviewsInput)
      .query(({ ctx, input }) => ctx.services.reviews.reported(input)),
    /** Hides a review (out of lists and averages) with a reason; an audit_log row records who and why. */
    hide: adminProcedure
      .input(hideReviewInput)
      .mutation(({ ctx, input }) => ctx.services.reviews.hide(ctx.user, input)),
    /** A customer's private rating by the technicians who worked for them. */
    customerRating: adminProcedure
      .input(customerRatingInput)
      .query(({ ctx, input }) => ctx.services.reviews.customerRating(input.customerId)),
  }),
  payments: router({
    refund: adminProcedure
      .input(refundInput)
      .mutation(({ ctx, input }) => ctx.services.payments.refund(ctx.user, input)),
  }),
  payouts: router({
    list: adminProcedure
      .input(listPayoutsInput)
      .query(({ ctx, input }) => ctx.services.earnings.listPayouts(input ?? {})),
    markPaid: adminProcedure
      .input(markPayoutPaidInput)
      .mutation(({ ctx, input }) => ctx.services.earnings.markPaid(ctx.user, input)),
  }),
  audit: adminAuditRouter,
  users: adminUsersRouter,
  catalog: adminCatalogRouter,
  bookings: adminBookingsRouter,
  disputes: adminDisputesRouter,
  analytics: adminAnalyticsRouter,
  onboarding: adminOnboardingRouter,
});

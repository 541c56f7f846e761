import { analyticsInput } from '../../contracts/analytics';
import { adminProcedure, router } from '../../trpc/procedures';

/**
 * admin.analytics.* (issue 14 §6): each card alone, or `dashboard` for all of them in one call. Every
 * procedure takes `{ market, from?, to? }` (ISO timestamps; the last 30 days by default).
 */
export const adminAnalyticsRouter = router({
  dashboard: adminProcedure
    .input(analyticsInput)
    .query(({ ctx, input }) => ctx.services.analytics.dashboard(input)),
  bookingsPerHour: adminProcedure
    .input(analyticsInput)
    .query(({ ctx, input }) => ctx.services.analytics.bookingsPerHour(input)),
  fulfilment: adminProcedure
    .input(analyticsInput)
    .query(({ ctx, input }) => ctx.services.analytics.fulfilment(input)),
  timeToAssignment: adminProcedure
    .input(analyticsInput)
    .query(({ ctx, input }) => ctx.services.analytics.timeToAssignment(input)),
  offers: adminProcedure
    .input(analyticsInput)
    .query(({ ctx, input }) => ctx.services.analytics.offers(input)),
  cancellations: adminProcedure
    .input(analyticsInput)
    .query(({ ctx, input }) => ctx.services.analytics.cancellations(input)),
  money: adminProcedure.input(analyticsInput).query(({ ctx, input }) => ctx.services.analytics.money(input)),
  supplyDemand: adminProcedure
    .input(analyticsInput)
    .query(({ ctx, input }) => ctx.services.analytics.supplyDemand(input)),
  ratings: adminProcedure
    .input(analyticsInput)
    .query(({ ctx, input }) => ctx.services.analytics.ratings(input)),
  heatmap: adminProcedure
    .input(analyticsInput)
    .query(({ ctx, input }) => ctx.services.analytics.heatmap(input)),
});

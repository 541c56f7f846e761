import { adminRouter } from '../modules/admin/admin.router';
import { authRouter } from '../modules/auth/auth.router';
import { bookingRouter } from '../modules/booking/booking.router';
import { disputeRouter } from '../modules/cases/disputes.router';
import { catalogRouter } from '../modules/catalog/catalog.router';
import { chatRouter } from '../modules/chat/chat.router';
import { apiKeyRouter, orgRouter, webhookRouter } from '../modules/developer/developer.router';
import { earningsRouter } from '../modules/earnings/earnings.router';
import { marketRouter } from '../modules/market/market.router';
import { meRouter } from '../modules/me/me.router';
import { notificationRouter } from '../modules/notification/notification.router';
import { onboardingRouter } from '../modules/onboarding/onboarding.router';
import { paymentRouter } from '../modules/payments/payment.router';
import { reviewRouter } from '../modules/review/review.router';
import { availabilityRouter } from '../modules/schedule/availability.router';
import { favoriteRouter } from '../modules/search/favorite.router';
import { systemRouter } from '../modules/system/system.router';
import { technicianRouter } from '../modules/technician/technician.router';
import { trackingFast, trackingRouter } from '../modules/tracking/tracking.router';
import { uploadRouter } from '../modules/upload/upload.router';
import type { FastPath } from '../transport/ws';
import type { Context } from './context';
import { router } from './procedures';

export const appRouter = router({
  auth: authRouter,
  catalog: catalogRouter,
  market: marketRouter,
  technician: technicianRouter,
  tracking: trackingRouter,
  booking: bookingRouter,
  chat: chatRouter,
  me: meRouter,
  payment: paymentRouter,
  earnings: earningsRouter,
  review: reviewRouter,
  favorite: favoriteRouter,
  upload: uploadRouter,
  dispute: disputeRouter,
  notification: notificationRouter,
  onboarding: onboardingRouter,
  availability: availabilityRouter,
  org: orgRouter,
  apiKey: apiKeyRouter,
  webhook: webhookRouter,
  admin: adminRouter,
  system: systemRouter,
});

/** The public API's type: clients import only this (and the pure schemas in server/contracts). */
export type AppRouter = typeof appRouter;

/** Procedures our uWS WebSocket adapter serves without tRPC's per-call middleware (see ./fast.ts). */
export const fastPaths: Record<string, FastPath<Context>> = {
  'tracking.update': trackingFast.update,
  'tracking.watch': trackingFast.watch,
};

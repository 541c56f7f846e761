import {
  listNotificationsInput,
  markReadInput,
  pushSubscribeInput,
  pushUnsubscribeInput,
  setPreferencesInput,
  streamNotificationsInput,
} from '../../contracts/notification';
import { authedProcedure, publicProcedure, router } from '../../trpc/procedures';
import { trackedStream } from '../../trpc/tracked';

/** notification.* (issue 11 §2): the in-app feed, Web Push subscriptions, preferences. */
export const notificationRouter = router({
  /** Newest first; `cursor` (a previous page's `nextCursor`) pages back. `unread` is the badge. */
  list: authedProcedure
    .input(listNotificationsInput)
    .query(({ ctx, input }) => ctx.services.notifications.list(ctx.user.id, input?.cursor, input?.limit)),

  markRead: authedProcedure
    .input(markReadInput)
    .mutation(({ ctx, input }) => ctx.services.notifications.markRead(ctx.user.id, input.ids)),

  /** New notifications and unread counts, live; resumable with `lastEventId` (no gap, no duplicate). */
  stream: authedProcedure
    .input(streamNotificationsInput)
    .subscription(({ ctx, input, signal }) =>
      trackedStream(ctx.services.notifications.stream(ctx.user.id, input?.lastEventId, signal)),
    ),

  /** The VAPID public key browsers subscribe with (`applicationServerKey`). */
  vapidPublicKey: publicProcedure.query(({ ctx }) => ({ key: ctx.services.notifications.vapidPublicKey() })),

  /** Stores this browser's subscription (endpoint only on WEB_PUSH_ALLOWED_ORIGINS). */
  pushSubscribe: authedProcedure
    .input(pushSubscribeInput)
    .mutation(({ ctx, input }) =>
      ctx.services.notifications.pushSubscribe(ctx.user.id, input, ctx.session?.id ?? null),
    ),

  pushUnsubscribe: authedProcedure
    .input(pushUnsubscribeInput)
    .mutation(({ ctx, input }) => ctx.services.notifications.pushUnsubscribe(ctx.user.id, input.endpoint)),

  /** Per event and channel (push, sms, email): the user's choices over the defaults. */
  preferences: authedProcedure.query(({ ctx }) => ctx.services.notifications.preferences(ctx.user.id)),

  setPreferences: authedProcedure
    .input(setPreferencesInput)
    .mutation(({ ctx, input }) => ctx.services.notifications.setPreferences(ctx.user.id, input)),
});

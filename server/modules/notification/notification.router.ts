import { router } from '../../trpc/procedures';

/** notification.* (issue 11 §2). */
export const notificationRouter = router({});

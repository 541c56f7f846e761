import { router } from '../../trpc/procedures';

/** admin.analytics.* (issue 14 §6). */
export const adminAnalyticsRouter = router({});

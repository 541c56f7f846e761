import { router } from '../../trpc/procedures';

/** org.* (issue 17 §1). */
export const orgRouter = router({});

/** apiKey.* (issue 17 §1). */
export const apiKeyRouter = router({});

/** webhook.* (issue 17 §2). */
export const webhookRouter = router({});

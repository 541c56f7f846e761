import { router } from '../../trpc/procedures';

/** availability.* (issue 12 §5). */
export const availabilityRouter = router({});

import { router } from '../../trpc/procedures';

/** admin.users.* (issue 14 §3). */
export const adminUsersRouter = router({});

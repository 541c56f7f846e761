import { router } from '../../trpc/procedures';

/** admin.audit.* (issue 14 §5). */
export const adminAuditRouter = router({});

import { auditListInput } from '../../contracts/console';
import { adminProcedure, router } from '../../trpc/procedures';

/** admin.audit.* (issue 14 §5): the append-only trail, newest first, filtered. */
export const adminAuditRouter = router({
  list: adminProcedure
    .input(auditListInput)
    .query(({ ctx, input }) => ctx.services.adminConsole.audit.list(input)),
});

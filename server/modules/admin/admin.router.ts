import { adminProcedure, router } from '../../trpc/procedures';

export const adminRouter = router({
  /** Accounts per role, for the admin home. */
  stats: adminProcedure.query(({ ctx }) => ctx.services.admin.stats()),
});

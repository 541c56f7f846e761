import {
  banUserInput,
  deleteUserInput,
  suspendUserInput,
  userIdInput,
  userSearchInput,
} from '../../contracts/console';
import { adminProcedure, router } from '../../trpc/procedures';

/** admin.users.* (issue 14 §3): search, a user's file, suspensions and bans, data rights. */
export const adminUsersRouter = router({
  search: adminProcedure
    .input(userSearchInput)
    .query(({ ctx, input }) => ctx.services.adminConsole.users.search(input)),
  /** Bookings, reviews, payments, reports, restrictions and risk flags (the read is audited). */
  get: adminProcedure
    .input(userIdInput)
    .query(({ ctx, input }) => ctx.services.adminConsole.users.get(ctx.user, input.id)),
  /** Ends every session and socket of the user at once, on every node; sign-in refused until `until`. */
  suspend: adminProcedure
    .input(suspendUserInput)
    .mutation(({ ctx, input }) => ctx.services.adminConsole.users.suspend(ctx.user, input)),
  ban: adminProcedure
    .input(banUserInput)
    .mutation(({ ctx, input }) => ctx.services.adminConsole.users.ban(ctx.user, input)),
  unban: adminProcedure
    .input(userIdInput)
    .mutation(({ ctx, input }) => ctx.services.adminConsole.users.unban(ctx.user, input)),
  /** A JSON archive of the user's data (a mutation: it is audited and never cached). */
  export: adminProcedure
    .input(userIdInput)
    .mutation(({ ctx, input }) => ctx.services.adminConsole.users.exportData(ctx.user, input)),
  /** Erases or anonymises personal data; bookings and ledger rows stay. */
  delete: adminProcedure
    .input(deleteUserInput)
    .mutation(({ ctx, input }) => ctx.services.adminConsole.users.erase(ctx.user, input)),
});

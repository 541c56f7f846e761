import { router } from '../../trpc/procedures';

/** admin.disputes.* (issue 14 §2). */
export const adminDisputesRouter = router({});

/** dispute.* for customers and technicians (issue 14 §2). */
export const disputeRouter = router({});

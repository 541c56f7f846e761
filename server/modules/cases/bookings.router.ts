import { router } from '../../trpc/procedures';

/** admin.bookings.* (issue 14 §1). */
export const adminBookingsRouter = router({});

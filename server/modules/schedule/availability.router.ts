import { slotsInput } from '../../contracts/schedule';
import { publicProcedure, router } from '../../trpc/procedures';

/** availability.* (issue 12 §5). */
export const availabilityRouter = router({
  /**
   * Bookable start times for a service at a pin, with a named technician or any suitable one: only where
   * they work, are not off, and can drive from the job before (and on to the job after) in time.
   */
  slots: publicProcedure.input(slotsInput).query(({ ctx, input }) => ctx.services.schedule.slots(input)),
});

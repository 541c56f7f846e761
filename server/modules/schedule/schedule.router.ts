import { addTimeOffInput, removeTimeOffInput, setHoursInput } from '../../contracts/schedule';
import { technicianProcedure } from '../../trpc/procedures';

/** technician.setHours / hours / addTimeOff / removeTimeOff / timeOff (issue 12 §5), spread into technician.*. */
export const technicianScheduleProcedures = {
  /** Their weekly hours (`set: false`: none set, so they are available whenever online). */
  hours: technicianProcedure.query(({ ctx }) => ctx.services.schedule.hours(ctx.user.id)),
  /** Replaces the week's hours (several ranges a day, in a market's time zone); `clear: true` removes them. */
  setHours: technicianProcedure
    .input(setHoursInput)
    .mutation(({ ctx, input }) => ctx.services.schedule.setHours(ctx.user.id, input)),
  /** Upcoming time off (not yet over), soonest first. */
  timeOff: technicianProcedure.query(({ ctx }) => ctx.services.schedule.timeOff(ctx.user.id)),
  addTimeOff: technicianProcedure
    .input(addTimeOffInput)
    .mutation(({ ctx, input }) => ctx.services.schedule.addTimeOff(ctx.user.id, input)),
  removeTimeOff: technicianProcedure
    .input(removeTimeOffInput)
    .mutation(({ ctx, input }) => ctx.services.schedule.removeTimeOff(ctx.user.id, input.id)),
};

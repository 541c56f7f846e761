import {
  advanceBookingInput,
  bookingEventsInput,
  bookingIdInput,
  cancelBookingInput,
  createBookingInput,
  declineInput,
  disputeBookingInput,
  listBookingsInput,
  quoteInput,
} from '../../contracts/booking';
import { addExtraInput, respondExtraInput } from '../../contracts/payment';
import { authedProcedure, roleProcedure, router } from '../../trpc/procedures';
import { trackedStream } from '../../trpc/tracked';
import { bookingPhotoProcedures } from '../upload/upload.router';

const customerProcedure = roleProcedure('customer');
const technicianProcedure = roleProcedure('technician');

export const bookingRouter = router({
  quote: authedProcedure.input(quoteInput).query(({ ctx, input }) => ctx.services.bookings.quote(input)),
  create: customerProcedure.input(createBookingInput).mutation(({ ctx, input }) =>
    ctx.services.bookings.create(ctx.user, input, {
      organisation: Boolean(ctx.apiKey),
      sandbox: ctx.apiKey?.mode === 'test',
    }),
  ),
  get: authedProcedure
    .input(bookingIdInput)
    .query(({ ctx, input }) => ctx.services.bookings.get(input.id, ctx.user)),
  history: authedProcedure
    .input(bookingIdInput)
    .query(({ ctx, input }) => ctx.services.bookings.history(input.id, ctx.user)),
  list: authedProcedure.input(listBookingsInput).query(({ ctx, input }) =>
    ctx.services.bookings.list(ctx.user, input, {
      sandbox: ctx.apiKey ? ctx.apiKey.mode === 'test' : undefined,
    }),
  ),
  cancel: authedProcedure
    .input(cancelBookingInput)
    .mutation(({ ctx, input }) => ctx.services.bookings.cancel(input.id, ctx.user, input.reason)),
  advance: technicianProcedure.input(advanceBookingInput).mutation(({ ctx, input }) =>
    ctx.services.bookings.advance(input.id, ctx.user, input.to, {
      confirmFar: input.confirmFar,
      billedMinutes: input.billedMinutes,
    }),
  ),
  /** Opens a dispute case (issue 14 §2: the same path as `dispute.open`, reason "other"). */
  dispute: customerProcedure.input(disputeBookingInput).mutation(async ({ ctx, input }) => {
    await ctx.services.disputes.open(ctx.user, {
      bookingId: input.id,
      reason: 'other',
      details: input.reason,
    });
    return ctx.services.bookings.get(input.id, ctx.user);
  }),
  accept: technicianProcedure
    .input(bookingIdInput)
    .mutation(({ ctx, input }) => ctx.services.dispatch.accept(input.id, ctx.user.id)),
  decline: technicianProcedure
    .input(declineInput)
    .mutation(({ ctx, input }) => ctx.services.dispatch.decline(input.id, ctx.user.id, input.reason ?? null)),
  /** Parts or materials added during the job (assigned technician, while arrived or in progress). */
  addExtra: technicianProcedure
    .input(addExtraInput)
    .mutation(({ ctx, input }) => ctx.services.extras.add(ctx.user, input)),
  /** The customer approves or rejects an extra; only approved ones are billed. */
  respondExtra: customerProcedure
    .input(respondExtraInput)
    .mutation(({ ctx, input }) => ctx.services.extras.respond(ctx.user, input)),
  /** Before/after photos of the job (issue 13 §5): addPhoto, photos. */
  ...bookingPhotoProcedures,
  /** Status changes of one booking for its participants, resumable with lastEventId. */
  events: authedProcedure
    .input(bookingEventsInput)
    .subscription(({ ctx, input, signal }) =>
      trackedStream(ctx.services.bookings.events(input.id, ctx.user, input.lastEventId, signal)),
    ),
});

import { z } from 'zod';
import {
  advanceBookingInput,
  bookingEventSchema,
  bookingEventsInput,
  bookingHistoryEntrySchema,
  bookingIdInput,
  bookingPageSchema,
  bookingSchema,
  cancelBookingInput,
  createBookingInput,
  declineInput,
  disputeBookingInput,
  listBookingsInput,
  quoteInput,
  quoteSchema,
} from '../../contracts/booking';
import { addExtraInput, extraSchema, respondExtraInput } from '../../contracts/payment';
import { authedProcedure, customerProcedure, router, technicianProcedure } from '../../trpc/procedures';
import { trackedStream } from '../../trpc/tracked';
import { bookingPhotoProcedures } from '../upload/upload.router';

export const bookingRouter = router({
  quote: authedProcedure
    .meta({
      description: 'The price of a service at a place (and time), and how many technicians are near.',
      errors: ['OUT_OF_AREA', 'NOT_FOUND'],
    })
    .input(quoteInput)
    .output(quoteSchema)
    .query(({ ctx, input }) => ctx.services.bookings.quote(input)),
  create: customerProcedure
    .meta({
      description:
        'Books a service at a place, now or scheduled; dispatch offers it to technicians. Idempotent per idempotencyKey.',
      errors: ['OUT_OF_AREA', 'WRONG_MARKET', 'NOT_FOUND', 'CONFLICT', 'OVERLOADED'],
    })
    .input(createBookingInput)
    .output(bookingSchema)
    .mutation(({ ctx, input }) =>
      ctx.services.bookings.create(ctx.user, input, {
        organisation: Boolean(ctx.apiKey),
        sandbox: ctx.apiKey?.mode === 'test',
      }),
    ),
  get: authedProcedure
    .meta({ description: 'One booking as its caller may see it.', errors: ['NOT_FOUND'] })
    .input(bookingIdInput)
    .output(bookingSchema)
    .query(({ ctx, input }) => ctx.services.bookings.get(input.id, ctx.user)),
  history: authedProcedure
    .meta({ description: "A booking's status changes, oldest first.", errors: ['NOT_FOUND'] })
    .input(bookingIdInput)
    .output(z.array(bookingHistoryEntrySchema))
    .query(({ ctx, input }) => ctx.services.bookings.history(input.id, ctx.user)),
  list: authedProcedure
    .meta({ description: "The caller's bookings, newest first, a page at a time (cursor)." })
    .input(listBookingsInput)
    .output(bookingPageSchema)
    .query(({ ctx, input }) =>
      ctx.services.bookings.list(ctx.user, input, {
        sandbox: ctx.apiKey ? ctx.apiKey.mode === 'test' : undefined,
      }),
    ),
  cancel: authedProcedure
    .meta({
      description:
        'Cancels a booking (a fee may apply once a technician is on the way: payment.cancellationQuote).',
      errors: ['NOT_FOUND', 'CONFLICT'],
    })
    .input(cancelBookingInput)
    .output(bookingSchema)
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
    .meta({
      description: 'Approves or rejects an extra the technician added; only approved ones are billed.',
      errors: ['NOT_FOUND', 'CONFLICT'],
    })
    .input(respondExtraInput)
    .output(extraSchema)
    .mutation(({ ctx, input }) => ctx.services.extras.respond(ctx.user, input)),
  /** Before/after photos of the job (issue 13 §5): addPhoto, photos. */
  ...bookingPhotoProcedures,
  /** Status changes of one booking for its participants, resumable with lastEventId. */
  events: authedProcedure
    .meta({
      description:
        'The booking now, then after each status change; resumable with lastEventId (the id of the latest history row).',
      events: bookingEventSchema,
      errors: ['NOT_FOUND'],
    })
    .input(bookingEventsInput)
    .subscription(({ ctx, input, signal }) =>
      trackedStream(ctx.services.bookings.events(input.id, ctx.user, input.lastEventId, signal)),
    ),
});

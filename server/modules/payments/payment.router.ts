import { z } from 'zod';
import type { BookingRow } from '../../../db/schema';
import {
  bookingPaymentInput,
  bookingPaymentViewSchema,
  type CancellationQuote,
  cancellationQuoteSchema,
  checkoutInput,
  checkoutResultSchema,
  confirmCashInput,
  methodsInput,
  paymentMethodsSchema,
  receiptSchema,
} from '../../contracts/payment';
import { authedProcedure, customerProcedure, router, technicianProcedure } from '../../trpc/procedures';
import { trackedStream } from '../../trpc/tracked';

export const paymentRouter = router({
  /** Methods the booking's market offers (or this deployment's market without a booking). */
  methods: authedProcedure
    .meta({ description: "The payment methods the booking's market offers.", errors: ['NOT_FOUND'] })
    .input(methodsInput)
    .output(paymentMethodsSchema)
    .query(({ ctx, input }) => ctx.services.payments.methods(input?.bookingId, ctx.user)),
  /**
   * Starts paying for a finished booking. An API key (bookings:write) pays for its organisation's
   * bookings: the organisation's account is the payer (README: Organisation billing).
   */
  checkout: customerProcedure
    .meta({
      description:
        "Starts paying a finished booking: online methods answer with the provider's hosted page (redirectUrl).",
      errors: ['NOT_FOUND', 'CONFLICT'],
    })
    .input(checkoutInput)
    .output(checkoutResultSchema)
    .mutation(({ ctx, input }) => ctx.services.payments.checkout(ctx.user, input)),
  get: authedProcedure
    .meta({
      description:
        "A booking's bill and payment: what is due, paid and refunded, line by line, and its extras.",
      errors: ['NOT_FOUND'],
    })
    .input(bookingPaymentInput)
    .output(bookingPaymentViewSchema)
    .query(({ ctx, input }) => ctx.services.payments.get(input.bookingId, ctx.user)),
  /** Back from the hosted checkout: asks the gateway now rather than waiting for its webhook. */
  verify: customerProcedure
    .meta({
      description: "Asks the provider now about a pending online payment; answers with the booking's bill.",
      errors: ['NOT_FOUND'],
    })
    .input(bookingPaymentInput)
    .output(bookingPaymentViewSchema)
    .mutation(({ ctx, input }) => ctx.services.payments.verify(input.bookingId, ctx.user)),
  confirmCash: technicianProcedure
    .input(confirmCashInput)
    .mutation(({ ctx, input }) => ctx.services.payments.confirmCash(ctx.user, input)),
  /**
   * What cancelling now would cost (the cancel dialog states it before the customer confirms). Only a
   * customer's own cancellation is charged, so everyone else (and a free cancellation) gets null.
   * Computed by the same policy the cancel transaction applies, from the booking as its customer sees it.
   */
  cancellationQuote: authedProcedure
    .meta({
      description: 'What cancelling the booking now would cost its customer; null when it is free.',
      errors: ['NOT_FOUND'],
    })
    .input(bookingPaymentInput)
    .output(cancellationQuoteSchema)
    .query(async ({ ctx, input }): Promise<CancellationQuote> => {
      const b = await ctx.services.bookings.get(input.bookingId, ctx.user);
      if (b.customer.id !== ctx.user.id || !['assigned', 'en_route', 'arrived'].includes(b.status))
        return null;
      const date = (iso: string | null) => (iso ? new Date(iso) : null);
      // The fields the fee depends on (status, technician, when assigned and set off, the quote).
      const row = {
        id: b.id,
        status: b.status,
        technicianId: b.technician?.id ?? null,
        assignedAt: date(b.assignedAt),
        enRouteAt: date(b.enRouteAt),
        priceTotal: b.price.total.amount,
        currency: b.price.total.currency,
      } satisfies Partial<BookingRow>;
      const f = await ctx.services.payments.cancellationFee(row as BookingRow);
      if (f.fee <= 0) return null;
      return {
        fee: { amount: f.fee, currency: f.currency },
        technicianShare: { amount: f.technicianShare, currency: f.currency },
      };
    }),
  /** The payment as it changes (pending → paid), resumable with lastEventId. */
  events: authedProcedure
    .input(z.object({ bookingId: z.uuid(), lastEventId: z.string().max(50).nullish() }))
    .subscription(({ ctx, input, signal }) =>
      trackedStream(ctx.services.payments.events(input.bookingId, ctx.user, input.lastEventId, signal)),
    ),
  receipt: authedProcedure
    .meta({ description: "A paid booking's receipt.", errors: ['NOT_FOUND', 'CONFLICT'] })
    .input(bookingPaymentInput)
    .output(receiptSchema)
    .query(({ ctx, input }) => ctx.services.payments.receipt(input.bookingId, ctx.user)),
});

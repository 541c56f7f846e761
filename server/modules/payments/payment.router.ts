import { bookingPaymentInput, checkoutInput, confirmCashInput, methodsInput } from '../../contracts/payment';
import { authedProcedure, roleProcedure, router } from '../../trpc/procedures';

const customerProcedure = roleProcedure('customer');
const technicianProcedure = roleProcedure('technician');

export const paymentRouter = router({
  /** Methods the booking's market offers (or this deployment's market without a booking). */
  methods: authedProcedure
    .input(methodsInput)
    .query(({ ctx, input }) => ctx.services.payments.methods(input?.bookingId, ctx.user)),
  checkout: customerProcedure
    .input(checkoutInput)
    .mutation(({ ctx, input }) => ctx.services.payments.checkout(ctx.user, input)),
  get: authedProcedure
    .input(bookingPaymentInput)
    .query(({ ctx, input }) => ctx.services.payments.get(input.bookingId, ctx.user)),
  /** Back from the hosted checkout: asks the gateway now rather than waiting for its webhook. */
  verify: customerProcedure
    .input(bookingPaymentInput)
    .mutation(({ ctx, input }) => ctx.services.payments.verify(input.bookingId, ctx.user)),
  confirmCash: technicianProcedure
    .input(confirmCashInput)
    .mutation(({ ctx, input }) => ctx.services.payments.confirmCash(ctx.user, input)),
  receipt: authedProcedure
    .input(bookingPaymentInput)
    .query(({ ctx, input }) => ctx.services.payments.receipt(input.bookingId, ctx.user)),
});

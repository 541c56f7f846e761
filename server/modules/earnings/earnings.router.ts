import { z } from 'zod';
import { earningsEntriesInput } from '../../contracts/payment';
import { router, technicianProcedure } from '../../trpc/procedures';

export const earningsRouter = router({
  summary: technicianProcedure
    .input(
      z
        .object({
          currency: z
            .string()
            .regex(/^[A-Z]{3}$/)
            .optional(),
        })
        .optional(),
    )
    .query(({ ctx, input }) => ctx.services.earnings.summary(ctx.user, input?.currency)),
  entries: technicianProcedure
    .input(earningsEntriesInput)
    .query(({ ctx, input }) => ctx.services.earnings.entries(ctx.user, input?.cursor, input?.limit)),
});

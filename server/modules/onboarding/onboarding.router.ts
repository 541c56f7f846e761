import {
  decideInput,
  queueInput,
  setCertificateInput,
  setIdDocumentInput,
  technicianIdInput,
} from '../../contracts/onboarding';
import { adminProcedure, router, technicianProcedure } from '../../trpc/procedures';

/** onboarding.* for technicians (issue 13 §4). */
export const onboardingRouter = router({
  /** The checklist with progress, documents (signed URLs), and the last decision (what to fix). */
  status: technicianProcedure.query(({ ctx }) => ctx.services.onboarding.status(ctx.user)),
  /** The national ID: front/back (`id_document` uploads), its number (encrypted at rest), its expiry date. */
  setIdDocument: technicianProcedure
    .input(setIdDocumentInput)
    .mutation(({ ctx, input }) => ctx.services.onboarding.setIdDocument(ctx.user, input)),
  /** A certificate (a `certificate` upload) of a kind one of their services requires. */
  setCertificate: technicianProcedure
    .input(setCertificateInput)
    .mutation(({ ctx, input }) => ctx.services.onboarding.setCertificate(ctx.user, input)),
  /** Sends the completed checklist for review (VALIDATION lists what is missing). */
  submit: technicianProcedure.mutation(({ ctx }) => ctx.services.onboarding.submit(ctx.user)),
});

/** admin.onboarding.* (issue 13 §4). */
export const adminOnboardingRouter = router({
  /** Applications in a status (default `submitted`), oldest first. */
  queue: adminProcedure.input(queueInput).query(({ ctx, input }) => ctx.services.onboarding.queue(input)),
  /** One application: documents via short-lived signed URLs, the decrypted ID number (audited), services, areas. */
  get: adminProcedure
    .input(technicianIdInput)
    .query(({ ctx, input }) => ctx.services.onboarding.get(ctx.user, input.technicianId)),
  /** approve | reject | request_changes, with a reason from the list and a note; audited. */
  decide: adminProcedure
    .input(decideInput)
    .mutation(({ ctx, input }) => ctx.services.onboarding.decide(ctx.user, input)),
});

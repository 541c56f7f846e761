import { signInInput, signUpInput, updateMeInput } from '../../contracts/auth';
import { requestPhoneCodeInput, verifyPhoneInput } from '../../contracts/notification';
import { blankSessionCookie, sessionCookie } from '../../modules/auth/session';
import type { Context } from '../../trpc/context';
import { authedProcedure, publicProcedure, router } from '../../trpc/procedures';
import { type Issued, toPublicUser } from './auth.service';

function respond(ctx: Context, issued: Issued) {
  ctx.req.setCookie(sessionCookie(issued.token, issued.expiresAt, ctx.config.secureCookies));
  return { user: issued.user, token: issued.token, expiresAt: issued.expiresAt.toISOString() };
}

export const authRouter = router({
  signUp: publicProcedure
    .input(signUpInput)
    .mutation(async ({ ctx, input }) => respond(ctx, await ctx.services.auth.signUp(input, ctx.req.ip))),

  signIn: publicProcedure
    .input(signInInput)
    .mutation(async ({ ctx, input }) => respond(ctx, await ctx.services.auth.signIn(input, ctx.req.ip))),

  signOut: publicProcedure.mutation(async ({ ctx }) => {
    if (ctx.session) await ctx.services.auth.signOut(ctx.session.id);
    ctx.req.setCookie(blankSessionCookie(ctx.config.secureCookies));
    return { ok: true as const };
  }),

  me: publicProcedure.query(({ ctx }) => (ctx.user ? toPublicUser(ctx.user) : null)),

  /** Sends a 6-digit code by SMS to `phone` (E.164); rate-limited per number and per account. */
  requestPhoneCode: authedProcedure
    .input(requestPhoneCodeInput)
    .mutation(({ ctx, input }) => ctx.services.phone.requestCode(ctx.user.id, input.phone, ctx.user.locale)),

  /** The code sent to `phone`: the number becomes the account's verified phone. */
  verifyPhone: authedProcedure
    .input(verifyPhoneInput)
    .mutation(({ ctx, input }) => ctx.services.phone.verify(ctx.user.id, input.phone, input.code)),

  /** The account's verified phone, if any. */
  phoneStatus: authedProcedure.query(({ ctx }) => ctx.services.phone.status(ctx.user.id)),

  updateMe: authedProcedure
    .input(updateMeInput)
    .mutation(({ ctx, input }) => ctx.services.auth.updateMe(ctx.user.id, input)),
});

import { signInInput, signUpInput, updateMeInput } from '../../contracts/auth';
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

  updateMe: authedProcedure
    .input(updateMeInput)
    .mutation(({ ctx, input }) => ctx.services.auth.updateMe(ctx.user.id, input)),
});

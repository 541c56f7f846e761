import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import type { Role } from '../contracts/auth';
import { CONTROL_CHARACTERS_MESSAGE, controlCharacterPath } from '../contracts/text';
import { DomainError } from '../lib/errors';
import { withAuditRequest } from '../modules/audit/audit.context';
import { assertKeyMayCall } from '../modules/developer/scopes';
import type { Context } from './context';
import { t } from './init';

/** A context whose caller is signed in. */
export type AuthedContext = Context & {
  user: NonNullable<Context['user']>;
  session: NonNullable<Context['session']>;
};

/** The access rules every procedure shares, also used by the WebSocket fast paths (server/trpc/fast.ts). */
export function requireUser(ctx: Context): AuthedContext {
  if (!ctx.user || !ctx.session) throw new DomainError('UNAUTHENTICATED', 'Sign in to continue.');
  return ctx as AuthedContext;
}

export function requireRole(ctx: AuthedContext, roles: readonly Role[]) {
  if (!roles.includes(ctx.user.role)) {
    throw new DomainError('FORBIDDEN_ROLE', `This needs the ${roles.join(' or ')} role.`);
  }
}

/**
 * Issue 15 §4: no input carries a NUL or another control character (tab and line breaks pass), whatever
 * its schema says — one check for every procedure, so no field can forget it. Single-line fields refuse
 * tab and line breaks too, in their own schemas (server/contracts/text.ts). Refused as a failed input
 * schema is (BAD_REQUEST with the zod error naming the field), so clients see one shape for both.
 */
export function assertNoControlCharacters(input: unknown, cleansItself?: readonly string[]) {
  let checked = input;
  if (cleansItself?.length && checked !== null && typeof checked === 'object' && !Array.isArray(checked)) {
    checked = Object.fromEntries(Object.entries(checked).filter(([k]) => !cleansItself.includes(k)));
  }
  const path = controlCharacterPath(checked);
  if (path === null) return;
  // A ZodError from a parse (one made with `new` is no Error, and tRPC would not keep it as the cause).
  const zodError = z
    .unknown()
    .superRefine((_, ctx) => ctx.addIssue({ code: 'custom', path, message: CONTROL_CHARACTERS_MESSAGE }))
    .safeParse(null).error;
  throw new TRPCError({ code: 'BAD_REQUEST', message: CONTROL_CHARACTERS_MESSAGE, cause: zodError });
}

/** The only procedure builders routers may use. */
export const router = t.router;
/** Calls made with an API key reach only what its scopes allow (server/modules/developer/scopes.ts). */
export const publicProcedure = t.procedure
  .meta({ auth: { kind: 'public' } })
  .use(async ({ ctx, path, meta, getRawInput, next }) => {
    assertKeyMayCall(ctx.apiKey, path);
    assertNoControlCharacters(await getRawInput(), meta?.cleansControlCharacters);
    return next();
  });

export const authedProcedure = publicProcedure.meta({ auth: { kind: 'signed-in' } }).use(({ ctx, next }) => {
  const authed = requireUser(ctx);
  return next({ ctx: { ...ctx, user: authed.user, session: authed.session } });
});

export const roleProcedure = (...roles: Role[]) =>
  authedProcedure.meta({ auth: { kind: 'role', roles } }).use(({ ctx, next }) => {
    requireRole(ctx, roles);
    return next();
  });

export const customerProcedure = roleProcedure('customer');
export const technicianProcedure = roleProcedure('technician');

/** Admins only; their request's address reaches any audit row written meanwhile (audit.context.ts). */
export const adminProcedure = roleProcedure('admin').use(({ ctx, next }) =>
  withAuditRequest({ ip: ctx.req.ip }, () => next()),
);

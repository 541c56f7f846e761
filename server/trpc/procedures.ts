import type { Role } from '../contracts/auth';
import { DomainError } from '../lib/errors';
import { t } from './init';

/** The only procedure builders routers may use. */
export const router = t.router;
export const publicProcedure = t.procedure;

export const authedProcedure = t.procedure.use(({ ctx, next }) => {
  if (!ctx.user || !ctx.session) throw new DomainError('UNAUTHENTICATED', 'Sign in to continue.');
  return next({ ctx: { ...ctx, user: ctx.user, session: ctx.session } });
});

export const roleProcedure = (...roles: Role[]) =>
  authedProcedure.use(({ ctx, next }) => {
    if (!roles.includes(ctx.user.role)) {
      throw new DomainError('FORBIDDEN_ROLE', `This needs the ${roles.join(' or ')} role.`);
    }
    return next();
  });

export const adminProcedure = roleProcedure('admin');

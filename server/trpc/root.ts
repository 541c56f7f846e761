import { adminRouter } from '../modules/admin/admin.router';
import { authRouter } from '../modules/auth/auth.router';
import { systemRouter } from '../modules/system/system.router';
import { router } from './procedures';

export const appRouter = router({
  auth: authRouter,
  admin: adminRouter,
  system: systemRouter,
});

/** The public API's type: clients import only this (and the pure schemas in server/contracts). */
export type AppRouter = typeof appRouter;

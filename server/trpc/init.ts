import { initTRPC } from '@trpc/server';
import type { Context } from './context';
import { formatError } from './errors';
import type { ProcedureMeta } from './meta';

export type { ProcedureAuth, ProcedureMeta } from './meta';

export const t = initTRPC.context<Context>().meta<ProcedureMeta>().create({
  // Plain JSON on the wire (no transformer) so curl or any language can call the API.
  errorFormatter: formatError,
  // Stack traces never leave the server.
  isDev: false,
});

import { initTRPC } from '@trpc/server';
import type { Context } from './context';
import { formatError } from './errors';

export const t = initTRPC.context<Context>().create({
  // Plain JSON on the wire (no transformer) so curl or any language can call the API.
  errorFormatter: formatError,
  // Stack traces never leave the server.
  isDev: false,
});

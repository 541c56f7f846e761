// The procedures' meta (what the reference at /docs reads), apart from init.ts so that the router's
// declaration (AppRouter, shipped in the client package) does not reach the server's context type.
import type { z } from 'zod';
import type { AppErrorCode } from '#shared/errors';
import type { Role } from '../contracts/auth';

/** Who may call a procedure: set by the builders in ./procedures.ts, read by the reference (/docs). */
export type ProcedureAuth =
  | { kind: 'public' }
  | { kind: 'signed-in' }
  | { kind: 'role'; roles: readonly Role[] };

/**
 * What the reference (server/docs/reference.ts) needs that the procedure's code cannot tell it. Nothing
 * here changes how a call runs, but `cleansControlCharacters`.
 */
export type ProcedureMeta = {
  auth?: ProcedureAuth;
  /** One sentence for the reference. */
  description?: string;
  /**
   * Subscriptions: each event's data. tRPC's `.output()` cannot check an async iterable, so a
   * subscription names its event schema here (and its code is typed by it).
   */
  events?: z.ZodType;
  /**
   * Top-level input fields whose schema removes control characters itself (a chat body drops them, as
   * it always has): the control-character check every procedure runs (./procedures.ts) leaves them be.
   */
  cleansControlCharacters?: readonly string[];
  /** Domain errors this procedure raises beyond those its auth and input imply. */
  errors?: readonly AppErrorCode[];
};

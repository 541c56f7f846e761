import { TRPCError, tracked } from '@trpc/server';
import type { z } from 'zod';
import type { Role } from '../contracts/auth';
import { assertKeyMayCall } from '../modules/developer/scopes';
import type { Feed, FeedEvent } from '../realtime/feed';
import type { FastPath } from '../transport/ws';
import type { Context } from './context';
import { type AuthedContext, assertNoControlCharacters, requireRole, requireUser } from './procedures';

/**
 * Fast paths: a few hot procedures defined once (input schema, roles, handler) and mounted twice —
 * as ordinary tRPC procedures in their router (HTTP, typed clients, any adapter) and, by our uWS
 * WebSocket adapter, without tRPC's per-call middleware chain. Same validation, same access rules,
 * same wire format; the router stays the source of the API's types. Each one carries its own guard
 * (`run`/`admit` below), so the transport knows nothing of sessions, roles or scopes.
 */

export type FastMutation<I extends z.ZodType = z.ZodType, O = unknown> = {
  type: 'mutation';
  input: I;
  roles: readonly Role[] | null;
  handle(ctx: AuthedContext, input: z.output<I>): O;
  /**
   * Optional hand-written check of the common input shape: the value `input.parse` would return, or
   * undefined to let zod (and the control-character check) judge it. Must never accept what zod refuses.
   */
  quick?: (input: unknown) => z.output<I> | undefined;
};

export type FastFeed<I extends z.ZodType = z.ZodType> = {
  type: 'subscription';
  input: I;
  roles: readonly Role[] | null;
  open(ctx: AuthedContext, input: z.output<I>): Promise<Feed>;
};

/** The access rules of `authedProcedure`/`roleProcedure`, as the middleware applies them. */
function admitCaller(roles: readonly Role[] | null, ctx: Context, path: string): AuthedContext {
  const authed = requireUser(ctx);
  assertKeyMayCall(ctx.apiKey, path);
  if (roles) requireRole(authed, roles);
  return authed;
}

/**
 * The input schema, as the middleware applies it (after the access rules). Two functions, not one
 * returning a pair: no array per call on the hot path (issue 15 §7).
 */
function admitInput<I extends z.ZodType>(
  def: { input: I; quick?: (input: unknown) => z.output<I> | undefined },
  input: unknown,
): z.output<I> {
  const quick = def.quick?.(input);
  if (quick !== undefined) return quick;
  assertNoControlCharacters(input);
  const parsed = def.input.safeParse(input);
  if (!parsed.success) throw new TRPCError({ code: 'BAD_REQUEST', cause: parsed.error });
  return parsed.data;
}

/** `roles: null` = any signed-in user. */
export const fastMutation = <I extends z.ZodType, O, R extends readonly Role[] | null>(
  def: Omit<FastMutation<I, O>, 'type' | 'roles'> & { roles: R },
) =>
  ({
    type: 'mutation',
    ...def,
    /** For the WebSocket transport: checks, validates and handles (a result, or a promise of one). */
    run(ctx: Context, path: string, input: unknown): O {
      const authed = admitCaller(def.roles, ctx, path);
      return def.handle(authed, admitInput(def, input));
    },
  }) as const satisfies FastMutation<I, O> & FastPath<Context>;

export const fastFeed = <I extends z.ZodType, R extends readonly Role[] | null>(
  def: Omit<FastFeed<I>, 'type' | 'roles'> & { roles: R },
) =>
  ({
    type: 'subscription',
    ...def,
    /** For the WebSocket transport: checks and validates now; the returned function opens the feed. */
    admit(ctx: Context, path: string, input: unknown): () => Promise<Feed> {
      const authed = admitCaller(def.roles, ctx, path);
      const data = admitInput(def, input);
      return () => def.open(authed, data);
    },
  }) as const satisfies FastFeed<I> & FastPath<Context>;

/**
 * A feed as an async iterable of tracked events, for the ordinary subscription procedure. Only the
 * newest event waits for a slow consumer (a one-slot mailbox), never a queue.
 */
export async function* feedEvents<T>(feed: Feed, signal: AbortSignal | undefined) {
  let pending: FeedEvent | undefined;
  let ended = false;
  let wake: (() => void) | undefined;
  const notify = () => {
    wake?.();
    wake = undefined;
  };
  const unsubscribe = feed.subscribe({
    event(e) {
      pending = e;
      notify();
    },
    end() {
      ended = true;
      notify();
    },
  });
  const onAbort = () => {
    ended = true;
    notify();
  };
  signal?.addEventListener('abort', onAbort);
  try {
    const first = feed.current();
    if (first) yield tracked(first.id, first.data as T);
    while (!ended) {
      if (!pending) {
        await new Promise<void>((r) => {
          wake = r;
        });
        continue;
      }
      const e = pending;
      pending = undefined;
      yield tracked(e.id, e.data as T);
    }
  } finally {
    signal?.removeEventListener('abort', onAbort);
    unsubscribe();
  }
}

import { tracked } from '@trpc/server';
import type { z } from 'zod';
import type { Role } from '../contracts/auth';
import type { AuthedContext } from './procedures';

/**
 * Fast paths: a few hot procedures defined once (input schema, roles, handler) and mounted twice —
 * as ordinary tRPC procedures in their router (HTTP, typed clients, any adapter) and, by our uWS
 * WebSocket adapter, without tRPC's per-call middleware chain. Same validation, same access rules,
 * same wire format; the router stays the source of the API's types.
 */

/** One event of a shared feed: its tracked id, its data, and the data serialised once for all viewers. */
export type FeedEvent = { id: string; data: unknown; json: string };

export type FeedSink = { event(e: FeedEvent): void; end(): void };

/** A viewer's way into a feed that many viewers share (e.g. one booking's live position). */
export type Feed = {
  /** Viewers with the same key receive the same events. */
  key: string;
  /** The newest event if this viewer has not seen it (it resumed from an older lastEventId, or is new). */
  current(): FeedEvent | undefined;
  /** Registers a sink for every later event; returns the unsubscribe function. */
  subscribe(sink: FeedSink): () => void;
};

export type FastMutation<I extends z.ZodType = z.ZodType, O = unknown> = {
  type: 'mutation';
  input: I;
  roles: readonly Role[] | null;
  handle(ctx: AuthedContext, input: z.output<I>): O;
};

export type FastFeed<I extends z.ZodType = z.ZodType> = {
  type: 'subscription';
  input: I;
  roles: readonly Role[] | null;
  open(ctx: AuthedContext, input: z.output<I>): Promise<Feed>;
};

export type FastProcedure = FastMutation | FastFeed;

/** `roles: null` = any signed-in user. */
export const fastMutation = <I extends z.ZodType, O, R extends readonly Role[] | null>(
  def: Omit<FastMutation<I, O>, 'type' | 'roles'> & { roles: R },
) => ({ type: 'mutation', ...def }) as const satisfies FastMutation<I, O>;

export const fastFeed = <I extends z.ZodType, R extends readonly Role[] | null>(
  def: Omit<FastFeed<I>, 'type' | 'roles'> & { roles: R },
) => ({ type: 'subscription', ...def }) as const satisfies FastFeed<I>;

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

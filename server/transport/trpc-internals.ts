/**
 * The only imports from tRPC's internals, kept in one place. A transport adapter needs five things that
 * `@trpc/server` does not export publicly: looking a procedure up by path (its own adapters use the same
 * function), a procedure's middleware list and meta (`_def`, for `callProcedure` below: tRPC's own caller
 * is slow), whether a router has no transformer (`defaultTransformer`), telling an async iterable apart from a value, and `Unpromise.race` (a race that does not leak a
 * reaction per event on long-lived promises, which `Promise.race` does). Everything else the transports use
 * comes from the public entry points (`@trpc/server`, `@trpc/server/http`, `@trpc/server/rpc`).
 * Pinned with the other @trpc packages at one exact version: re-check these names when upgrading.
 */
import { type AnyProcedure, getTRPCErrorFromUnknown, TRPCError } from '@trpc/server';
import { middlewareMarker } from '@trpc/server/unstable-core-do-not-import';

export {
  defaultTransformer,
  getProcedureAtPath,
  isAsyncIterable,
  Unpromise,
} from '@trpc/server/unstable-core-do-not-import';

/** A plain object (what tRPC's `isObject` checks): inputs and messages are JSON objects, not arrays. */
export function isObject(value: unknown): value is Record<string, unknown> {
  return !!value && !Array.isArray(value) && typeof value === 'object';
}

/** Where a call's AbortSignal comes from. Most calls never read it, so it may be made on demand. */
export type SignalSource = { readonly signal: AbortSignal };

type ProcedureType = 'query' | 'mutation' | 'subscription';
type Result =
  | { ok: true; data: unknown; marker: typeof middlewareMarker }
  | { ok: false; error: TRPCError; marker: typeof middlewareMarker };
type Middleware = (opts: MiddlewareOptions) => Promise<Result>;
type NextOptions = { ctx?: object; input?: unknown; getRawInput?: () => Promise<unknown> } | undefined;

/**
 * What each middleware and the resolver receive: the fields tRPC's own `callRecursive` passes
 * (ctx, type, path, input, getRawInput, meta, signal, batchIndex, next). A class rather than tRPC's
 * object spreads, and `signal` a getter, so it is made only for a procedure that reads it.
 */
class MiddlewareOptions {
  constructor(
    readonly ctx: object,
    readonly input: unknown,
    readonly getRawInput: () => Promise<unknown>,
    readonly path: string,
    readonly type: ProcedureType,
    readonly meta: unknown,
    readonly batchIndex: number,
    private readonly signals: SignalSource,
    readonly next: (opts?: NextOptions) => Promise<Result>,
  ) {}
  get signal(): AbortSignal {
    return this.signals.signal;
  }
}

export type ProcedureCall = {
  path: string;
  type: ProcedureType;
  ctx: unknown;
  getRawInput: () => Promise<unknown>;
  batchIndex: number;
  signals: SignalSource;
};

/**
 * Calls a procedure as `procedure(opts)` does (tRPC 11.19's `createProcedureCaller`/`callRecursive`:
 * same middleware order, same options, same ctx merging and input passing on `next()`, same error
 * wrapping), without its two object spreads per middleware, which were the largest single cost of an
 * authenticated `auth.me` over HTTP (issue 15 §7). server/transport/trpc-internals.unit.test.ts runs
 * both callers side by side. A procedure this does not understand (an `experimental_caller`) goes
 * through tRPC's own caller.
 */
export function callProcedure(proc: AnyProcedure, call: ProcedureCall): Promise<unknown> {
  const def = proc._def as unknown as ProcedureDef;
  if (def.caller || !Array.isArray(def.middlewares)) {
    return (proc as unknown as (opts: object) => Promise<unknown>)({
      path: call.path,
      getRawInput: call.getRawInput,
      ctx: call.ctx,
      type: call.type,
      signal: call.signals.signal,
      batchIndex: call.batchIndex,
    });
  }
  return step(def, call, 0, call.ctx as object, undefined, call.getRawInput).then((result) => {
    if (!result) {
      throw new TRPCError({
        code: 'INTERNAL_SERVER_ERROR',
        message: 'No result from middlewares - did you forget to `return next()`?',
      });
    }
    if (!result.ok) throw result.error;
    return result.data;
  });
}

type ProcedureDef = { middlewares: Middleware[]; meta?: unknown; caller?: unknown };

/** Middleware `index` of the chain (tRPC's `callRecursive`). */
async function step(
  def: ProcedureDef,
  call: ProcedureCall,
  index: number,
  ctx: object,
  input: unknown,
  getRawInput: () => Promise<unknown>,
): Promise<Result> {
  try {
    const middleware = def.middlewares[index]!;
    return await middleware(
      new MiddlewareOptions(
        ctx,
        input,
        getRawInput,
        call.path,
        call.type,
        def.meta,
        call.batchIndex,
        call.signals,
        (next) =>
          step(
            def,
            call,
            index + 1,
            next?.ctx ? { ...ctx, ...next.ctx } : ctx,
            next && 'input' in next ? next.input : input,
            next?.getRawInput ?? getRawInput,
          ),
      ),
    );
  } catch (cause) {
    return { ok: false, error: getTRPCErrorFromUnknown(cause), marker: middlewareMarker };
  }
}

/** A call's AbortSignal, made on first use: an AbortController costs more than the rest of a cheap call. */
export class LazyAbort implements SignalSource {
  private controller: AbortController | null = null;
  aborted = false;
  get signal(): AbortSignal {
    this.controller ??= new AbortController();
    if (this.aborted && !this.controller.signal.aborted) this.controller.abort();
    return this.controller.signal;
  }
  abort() {
    this.aborted = true;
    this.controller?.abort();
  }
}

import { type AnyProcedure, initTRPC, TRPCError } from '@trpc/server';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { sessionIdFromToken } from '../modules/auth/session';
import { callProcedure, LazyAbort } from './trpc-internals';

// callProcedure re-implements tRPC's procedure caller (issue 15 §7): every case runs through both and
// must end the same way — same data, or an error with the same code, message and cause.
type Ctx = { user: string | null; seen: string[] };
const t = initTRPC.context<Ctx>().meta<{ tag: string }>().create();

const logged = t.procedure.meta({ tag: 'logged' }).use(({ ctx, path, type, meta, batchIndex, next }) => {
  ctx.seen.push(`${type} ${path} ${meta?.tag} #${batchIndex}`);
  return next();
});
const authed = logged.use(({ ctx, next }) => {
  if (!ctx.user) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'no user' });
  return next({ ctx: { user: ctx.user, role: 'admin' as const } });
});

const procedures = {
  plain: logged.query(({ ctx }) => ({ user: ctx.user })),
  merged: authed.query(({ ctx }) => ({ user: ctx.user, role: ctx.role, seen: ctx.seen.length })),
  input: logged.input(z.object({ n: z.number().int() })).query(({ input }) => input.n * 2),
  twoInputs: logged
    .input(z.object({ a: z.string() }))
    .input(z.object({ b: z.string() }))
    .mutation(({ input }) => `${input.a}${input.b}`),
  output: logged
    .output(z.object({ kept: z.string() }))
    .query(() => ({ kept: 'yes', dropped: 'no' }) as never),
  badOutput: logged.output(z.object({ kept: z.string() })).query(() => ({ kept: 1 }) as never),
  rewritesInput: logged
    .use(({ next }) => next({ input: { m: 21 } }))
    .input(z.object({ n: z.number() }))
    .query(({ input }) => input),
  throwsPlain: logged.mutation(() => {
    throw new Error('boom');
  }),
  throwsTrpc: logged.mutation(() => {
    throw new TRPCError({ code: 'CONFLICT', message: 'taken', cause: new Error('why') });
  }),
  forgetsNext: logged.use((async () => undefined) as never).query(() => 1),
  readsSignal: logged.query(({ signal }) => signal?.aborted ?? 'none'),
  afterward: authed
    .use(async ({ next }) => {
      const result = await next();
      return result.ok ? { ...result, data: { wrapped: result.data } } : result;
    })
    .query(() => 'inner'),
};

type Outcome = { data: unknown } | { error: { code: string; message: string; cause?: string } };

async function outcome(run: () => Promise<unknown>): Promise<Outcome> {
  try {
    return { data: await run() };
  } catch (e) {
    const error = e as TRPCError;
    expect(error).toBeInstanceOf(TRPCError);
    return { error: { code: error.code, message: error.message, cause: error.cause?.message } };
  }
}

async function both(
  name: keyof typeof procedures,
  input: unknown,
  user: string | null = 'ada',
  type = 'query',
) {
  const proc = procedures[name] as unknown as AnyProcedure;
  const callType = proc._def.type as 'query' | 'mutation';
  expect(callType).toBe(type);
  const ours = { user, seen: [] as string[] };
  const theirs = { user, seen: [] as string[] };
  const abort = new AbortController();
  const mine = await outcome(() =>
    callProcedure(proc, {
      path: name,
      type: callType,
      ctx: ours,
      getRawInput: async () => input,
      batchIndex: 3,
      signals: abort,
    }),
  );
  const reference = await outcome(() =>
    (proc as unknown as (o: object) => Promise<unknown>)({
      path: name,
      type: callType,
      ctx: theirs,
      getRawInput: async () => input,
      batchIndex: 3,
      signal: abort.signal,
    }),
  );
  expect(mine).toEqual(reference);
  expect(ours.seen).toEqual(theirs.seen);
  return mine;
}

describe('callProcedure (tRPC caller without object spreads)', () => {
  it('passes ctx, path, type, meta and batchIndex to middlewares and merges ctx on next()', async () => {
    expect(await both('plain', undefined)).toEqual({ data: { user: 'ada' } });
    expect(await both('merged', undefined)).toEqual({ data: { user: 'ada', role: 'admin', seen: 1 } });
    expect(await both('merged', undefined, null)).toEqual({
      error: { code: 'UNAUTHORIZED', message: 'no user', cause: undefined },
    });
  });

  it('validates input (several parsers merge) and output, and merges an input a middleware passed on', async () => {
    expect(await both('input', { n: 4 })).toEqual({ data: 8 });
    expect(await both('input', { n: 1.5 })).toMatchObject({ error: { code: 'BAD_REQUEST' } });
    expect(await both('input', undefined)).toMatchObject({ error: { code: 'BAD_REQUEST' } });
    expect(await both('twoInputs', { a: 'x', b: 'y' }, 'ada', 'mutation')).toEqual({ data: 'xy' });
    expect(await both('output', undefined)).toEqual({ data: { kept: 'yes' } });
    expect(await both('badOutput', undefined)).toMatchObject({
      error: { code: 'INTERNAL_SERVER_ERROR', message: 'Output validation failed' },
    });
    expect(await both('rewritesInput', { n: 1 })).toEqual({ data: { m: 21, n: 1 } });
    expect(await both('afterward', undefined)).toEqual({ data: { wrapped: 'inner' } });
  });

  it('wraps what is thrown as tRPC does, and refuses a middleware that returns nothing', async () => {
    expect(await both('throwsPlain', undefined, 'ada', 'mutation')).toEqual({
      error: { code: 'INTERNAL_SERVER_ERROR', message: 'boom', cause: 'boom' },
    });
    expect(await both('throwsTrpc', undefined, 'ada', 'mutation')).toEqual({
      error: { code: 'CONFLICT', message: 'taken', cause: 'why' },
    });
    expect(await both('forgetsNext', undefined)).toMatchObject({
      error: {
        code: 'INTERNAL_SERVER_ERROR',
        message: expect.stringContaining('No result from middlewares'),
      },
    });
  });

  it('hands a procedure the signal it asks for', async () => {
    expect(await both('readsSignal', undefined)).toEqual({ data: false });
  });
});

describe('LazyAbort', () => {
  it('makes no AbortController until the signal is read, and an abort before that still shows', () => {
    const early = new LazyAbort();
    expect(early.aborted).toBe(false);
    early.abort();
    expect(early.aborted).toBe(true);
    expect(early.signal.aborted).toBe(true);

    const late = new LazyAbort();
    const signal = late.signal;
    expect(signal.aborted).toBe(false);
    late.abort();
    expect(signal.aborted).toBe(true);
    expect(late.signal).toBe(signal);
  });
});

describe('sessionIdFromToken', () => {
  it('is the hex SHA-256 of the token (the id stored in sessions)', () => {
    expect(sessionIdFromToken('abc')).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
  });
});

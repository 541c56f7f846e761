import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { z } from 'zod';
import { customer, technician, uniqueSpot } from '../test/fixtures';
import { startTestServer, type TestServer, uniqueEmail } from '../test/harness';
import { appRouter } from './root';

/**
 * Issue 15 §4: property-based fuzzing of every procedure, over HTTP and over the WebSocket, by every kind
 * of caller. Inputs are derived from each procedure's own zod input schema (mostly well-formed values, so
 * calls get past validation into the services and the database), mixed with hostile ones (NUL and other
 * control characters, forged cursors, impossible dates, huge numbers, wrong types). The property: no call
 * is ever answered INTERNAL_SERVER_ERROR (or any 5xx), and the server stays up. A fixed seed and a bounded
 * budget keep it reproducible in CI; FUZZ_RUNS / FUZZ_SEED explore further by hand.
 */
const SEED = Number(process.env.FUZZ_SEED ?? 15);
const RUNS = Number(process.env.FUZZ_RUNS ?? 1500);
const TIME_LIMIT_MS = Number(process.env.FUZZ_TIME_LIMIT_MS ?? 120_000);

type Proc = { _def: { type: 'query' | 'mutation' | 'subscription'; inputs: unknown[] } };
const procedures = appRouter._def.procedures as unknown as Record<string, Proc>;
/** Signing out would end the caller's session for the rest of the run: only anonymous callers try it. */
const ANONYMOUS_ONLY = new Set(['auth.signOut']);

type ZodLike = z.ZodType & { _zod: { def: Record<string, unknown> & { type: string } } };
type Role = 'anonymous' | 'customer' | 'technician' | 'admin';
type Transport = 'http' | 'ws';

const nastyStrings = fc.constantFrom(
  'a\u0000b',
  '\u0000',
  '\u0007\u001b[2J',
  '',
  ' ',
  '        ',
  'x'.repeat(3000),
  '\ud800',
  '💥🇳🇬',
  "'; drop table users; --",
  '%00',
  '-1',
  '9'.repeat(30),
  'NaN',
  '2026-02-30T00:00:00.000Z',
  '+275760-09-13T00:00:00.000Z',
  '00000000-0000-0000-0000-000000000000',
  'ffffffff-ffff-ffff-ffff-ffffffffffff',
  'f'.repeat(36),
  Buffer.from(`2026-01-01T00:00:00.000Z|${'f'.repeat(36)}`).toString('base64url'),
  Buffer.from('+275760-09-13T00:00:00.000Z|00000000-0000-0000-0000-000000000000').toString('base64url'),
  Buffer.from('999999999999999999|1').toString('base64url'),
);
const nastyNumbers = fc.constantFrom(0, -0, -1, 0.5, 1e308, -1e308, 2 ** 53, 2 ** 31, -(2 ** 31), 91, 181);
const hostile: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(undefined),
  fc.constant(null),
  nastyStrings,
  nastyNumbers,
  fc.boolean(),
  fc.anything({ maxDepth: 2, maxKeys: 4 }),
);

const forgedCursors = fc.oneof(
  fc.constantFrom(
    Buffer.from(`2026-01-01T00:00:00.000Z|${'f'.repeat(36)}`).toString('base64url'),
    Buffer.from('+275760-09-13T00:00:00.000Z|00000000-0000-0000-0000-000000000000').toString('base64url'),
    Buffer.from('2026-01-01T00:00:00.000Z|1|2').toString('base64url'),
    Buffer.from('9999|9999').toString('base64url'),
    'not a cursor',
  ),
  fc
    .tuple(fc.date({ noInvalidDate: true }), fc.oneof(fc.uuid(), fc.string({ maxLength: 40 })))
    .map(([d, id]) => Buffer.from(`${d.toISOString()}|${id}`).toString('base64url')),
  fc.string({ maxLength: 60 }).map((x) => Buffer.from(x).toString('base64url')),
);

function stringArb(
  s: ZodLike & { minLength?: number | null; maxLength?: number | null; format?: string | null },
  key: string,
) {
  const min = s.minLength ?? 0;
  const max = Math.min(s.maxLength ?? 60, 200);
  const wellFormed: fc.Arbitrary<string> =
    s.format === 'uuid'
      ? fc.uuid()
      : s.format === 'datetime'
        ? fc
            .date({ min: new Date('2020-01-01'), max: new Date('2035-01-01'), noInvalidDate: true })
            .map((d) => d.toISOString())
        : s.format === 'email'
          ? fc.emailAddress()
          : s.format === 'url'
            ? fc.webUrl()
            : fc.string({ minLength: Math.min(min, max), maxLength: max });
  if (/cursor/i.test(key)) return fc.oneof(wellFormed, forgedCursors);
  return fc.oneof(
    { weight: 4, arbitrary: wellFormed },
    // Text as a person would type it, with a control character somewhere (PostgreSQL refuses a NUL).
    {
      weight: 2,
      arbitrary: fc
        .tuple(wellFormed, fc.constantFrom('\u0000', '\u0007', '\u001b', '\u007f'), fc.nat())
        .map(([t, c, at]) => `${t.slice(0, at % (t.length + 1))}${c}${t.slice(at % (t.length + 1))}`),
    },
    { weight: 1, arbitrary: nastyStrings },
  );
}

function numberArb(s: ZodLike & { minValue?: number | null; maxValue?: number | null; isInt?: boolean }) {
  const min = Math.max(s.minValue ?? -1e6, -1e9);
  const max = Math.min(s.maxValue ?? 1e6, 1e9);
  const wellFormed = s.isInt
    ? fc.integer({ min: Math.ceil(min), max: Math.floor(max) })
    : fc.double({ min, max, noNaN: true, noDefaultInfinity: true });
  return fc.oneof({ weight: 4, arbitrary: wellFormed }, { weight: 1, arbitrary: nastyNumbers });
}

/** An arbitrary for values of a zod schema: mostly what it accepts, sometimes what it must refuse. */
function arb(schema: unknown, depth = 0, key = ''): fc.Arbitrary<unknown> {
  const s = schema as ZodLike;
  const def = s?._zod?.def;
  if (!def || depth > 6) return hostile;
  const inner = (field: string) => arb(def[field], depth + 1, key);
  switch (def.type) {
    case 'object': {
      const shape = def.shape as Record<string, ZodLike>;
      const model = Object.fromEntries(Object.entries(shape).map(([k, v]) => [k, arb(v, depth + 1, k)]));
      const required = Object.entries(shape)
        .filter(([, v]) => !['optional', 'default', 'nullable'].includes(v._zod.def.type))
        .map(([k]) => k);
      return fc.oneof(
        { weight: 6, arbitrary: fc.record(model, { requiredKeys: required }) },
        { weight: 1, arbitrary: fc.record(model, { requiredKeys: [] }) },
      );
    }
    case 'string':
      return stringArb(s, key);
    case 'number':
      return numberArb(s);
    case 'boolean':
      return fc.boolean();
    case 'enum':
      return fc.constantFrom(...Object.values(def.entries as Record<string, string>));
    case 'literal':
      return fc.constantFrom(...(def.values as unknown[]));
    case 'array':
      return fc.array(inner('element'), { maxLength: 6 });
    case 'optional':
    case 'default':
      return fc.option(inner('innerType'), { nil: undefined, freq: 3 });
    case 'nullable':
      return fc.option(inner('innerType'), { nil: null, freq: 3 });
    case 'union':
      return fc.oneof(...(def.options as unknown[]).map((o) => arb(o, depth + 1, key)));
    case 'pipe':
      return inner('in');
    case 'tuple':
      return fc.tuple(...(def.items as unknown[]).map((o) => arb(o, depth + 1, key)));
    case 'record':
      return fc.dictionary(fc.string({ maxLength: 10 }), inner('valueType'), { maxKeys: 4 });
    default:
      return hostile;
  }
}

const inputArb = (path: string): fc.Arbitrary<unknown> => {
  const [schema] = procedures[path]!._def.inputs;
  if (!schema)
    return fc.oneof({ weight: 4, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: hostile });
  return fc.oneof({ weight: 5, arbitrary: arb(schema) }, { weight: 1, arbitrary: hostile });
};

let server: TestServer;
const tokens: Partial<Record<Role, string>> = {};
const sockets: Partial<Record<Role, { ws: WebSocket; waiters: Map<number, (m: Reply) => void> }>> = {};
type Reply = {
  id: number;
  result?: { type: string };
  error?: { data?: { code?: string; httpStatus?: number } };
};
let nextId = 1;
const roles: Role[] = ['anonymous', 'customer', 'technician', 'admin'];
const paths = Object.keys(procedures).sort();
/** The roles that get past each procedure's access check (probed once, before fuzzing). */
const callers = new Map<string, Role[]>();

async function openSocket(token: string | undefined) {
  const ws = new WebSocket(`${server.wsUrl}${token ? '?connectionParams=1' : ''}`);
  const waiters = new Map<number, (m: Reply) => void>();
  ws.on('message', (raw) => {
    const m = JSON.parse(String(raw)) as Reply;
    waiters.get(m.id)?.(m);
  });
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  if (token) ws.send(JSON.stringify({ method: 'connectionParams', data: { token } }));
  return { ws, waiters };
}

beforeAll(async () => {
  server = await startTestServer({}, { isolated: true });
  const s = server.services;
  tokens.customer = (await customer(s)).token;
  tokens.technician = (await technician(s, uniqueSpot())).token;
  const email = uniqueEmail('fuzz-admin');
  await s.auth.ensureAdmin(email, 'fuzz admin password');
  tokens.admin = (await s.auth.signIn({ email, password: 'fuzz admin password' }, '127.0.0.1')).token;
  for (const role of ['anonymous', 'customer', 'technician', 'admin'] as const)
    sockets[role] = await openSocket(tokens[role]);
  // Who may call what: most calls then come from a caller who gets past the access check.
  for (const path of paths) {
    const type = procedures[path]!._def.type;
    const allowed: Role[] = [];
    for (const role of ANONYMOUS_ONLY.has(path) ? (['anonymous'] as const) : roles) {
      const { code } = await overWs(path, type, role, undefined);
      if (code !== 'UNAUTHORIZED' && code !== 'FORBIDDEN') allowed.push(role);
    }
    callers.set(path, allowed.length ? allowed : [...roles]);
  }
}, 120_000);

afterAll(async () => {
  for (const s of Object.values(sockets)) s?.ws.close();
  await server?.close();
});

type Outcome = { status: number; code: string | null };

async function overHttp(path: string, type: Proc['_def']['type'], token: string | undefined, input: unknown) {
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  const encoded = input === undefined ? undefined : JSON.stringify(input);
  const res =
    type === 'mutation'
      ? await fetch(`${server.url}/trpc/${path}`, {
          method: 'POST',
          headers: { ...headers, 'content-type': 'application/json' },
          body: encoded,
        })
      : await fetch(
          `${server.url}/trpc/${path}${encoded === undefined ? '' : `?input=${encodeURIComponent(encoded)}`}`,
          {
            headers,
          },
        );
  const text = await res.text();
  let code: string | null = null;
  try {
    code = (JSON.parse(text) as { error?: { data?: { code?: string } } }).error?.data?.code ?? null;
  } catch {
    // Not JSON: a protocol-edge answer (414 for a URL too long), judged by its status.
  }
  return { status: res.status, code } satisfies Outcome;
}

async function overWs(
  path: string,
  type: Proc['_def']['type'],
  role: Role,
  input: unknown,
): Promise<Outcome> {
  const socket = sockets[role]!;
  const id = nextId++;
  const reply = await new Promise<Reply>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer over WebSocket to ${path}`)), 10_000);
    socket.waiters.set(id, (m) => {
      clearTimeout(timer);
      resolve(m);
    });
    socket.ws.send(JSON.stringify({ id, method: type, params: { path, input } }));
  });
  socket.waiters.delete(id);
  if (type === 'subscription' && reply.result?.type === 'started')
    socket.ws.send(JSON.stringify({ id, method: 'subscription.stop' }));
  return { status: reply.error?.data?.httpStatus ?? 200, code: reply.error?.data?.code ?? null };
}

const call = fc
  .record({
    path: fc.constantFrom(...paths),
    anyone: fc.constantFrom(...roles),
    allowed: fc.nat(),
    preferAllowed: fc.double({ min: 0, max: 1, noNaN: true }),
    transport: fc.constantFrom<Transport>('http', 'ws'),
  })
  .map(({ path, anyone, allowed, preferAllowed, transport }) => {
    const mayCall = callers.get(path) ?? roles;
    const role: Role = ANONYMOUS_ONLY.has(path)
      ? 'anonymous'
      : preferAllowed < 0.85
        ? mayCall[allowed % mayCall.length]!
        : anyone;
    return { path, role, transport };
  })
  .chain((c) => inputArb(c.path).map((input) => ({ ...c, input })));

describe('fuzzing every procedure (fast-check)', () => {
  it('never answers INTERNAL_SERVER_ERROR, over HTTP or WebSocket, to any caller', async () => {
    const failures: string[] = [];
    await fc.assert(
      fc.asyncProperty(call, async ({ path, role, transport, input }) => {
        const type = procedures[path]!._def.type;
        const outcome =
          transport === 'http'
            ? await overHttp(path, type, tokens[role], input)
            : await overWs(path, type, role, input);
        const bad = outcome.status >= 500 || outcome.code === 'INTERNAL_SERVER_ERROR';
        if (bad) failures.push(`${transport} ${role} ${path} ${JSON.stringify(input)?.slice(0, 300)}`);
        return !bad;
      }),
      { seed: SEED, numRuns: RUNS, interruptAfterTimeLimit: TIME_LIMIT_MS, endOnFailure: true },
    );
    expect(failures).toEqual([]);
    // Still up and healthy afterwards.
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    for (const s of Object.values(sockets)) expect(s?.ws.readyState).toBe(WebSocket.OPEN);
  }, 300_000);
});

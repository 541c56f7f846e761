import type { AnyRouter } from '@trpc/server';
import { z } from 'zod';
import type { AppErrorCode } from '#shared/errors';
import {
  type ApiKeyScope,
  apiKeyScopes,
  WEBHOOK_TEST_EVENT,
  webhookEventDataSchemas,
  webhookEventTypes,
  webhookPayloadSchema,
} from '../contracts/developer';
import { SIGNATURE_TOLERANCE_SECONDS } from '../modules/developer/signature';
import { errorCatalogue } from '../trpc/errors';
import type { ProcedureAuth, ProcedureMeta } from '../trpc/meta';
import { exampleInputs } from './examples';

/**
 * The API reference (issue 17 §3), generated from the router itself: every procedure's path, type, who
 * may call it, its input and output as JSON Schema (zod 4's `z.toJSONSchema`), the errors it may answer
 * with, the webhook events and their payloads. Served at /docs (server/docs/pages.ts) and printed by
 * `scripts/reference.ts`.
 */

export type JsonSchema = Record<string, unknown>;
type ErrorEntry = ReturnType<typeof errorCatalogue>[number];

export type ProcedureReference = {
  path: string;
  type: 'query' | 'mutation' | 'subscription';
  description: string | null;
  /** Callable with an API key (in server/modules/developer/scopes.ts): the developer API. */
  public: boolean;
  auth: {
    /** Who may call it with a session: anyone, anyone signed in, or these roles. */
    session: 'anyone' | 'signed-in' | { roles: string[] };
    /** With an API key: refused (null), any key (`scope: null`) or keys with this scope. */
    apiKey: { scope: ApiKeyScope | null } | null;
  };
  input: JsonSchema | null;
  /** Queries and mutations: the answer's `result.data`. Subscriptions: each event's data. */
  output: JsonSchema | null;
  errors: ErrorEntry[];
  /** Served over the WebSocket by a fast path that bypasses tRPC's middleware (server/trpc/fast.ts). */
  fastPath: string | null;
  examples: { typescript: string; curl: string } | null;
};

export type Reference = {
  title: string;
  version: string;
  transport: {
    http: string;
    websocket: string;
    auth: string;
    wireFormat: string;
  };
  /** How to get a client: the typed package, or plain `@trpc/client` for those who do not use it. */
  client: {
    package: string;
    version: string;
    /** Shell: build the tarball from the repository, then install it in the integrator's project. */
    install: string;
    /** TypeScript with the package (`createFundiClient`). */
    usage: string;
    /** TypeScript with plain `@trpc/client`: the HTTP batch link with the bearer key, the WebSocket link. */
    plainTrpc: string;
  };
  scopes: Array<{ scope: ApiKeyScope; procedures: string[] }>;
  errors: { shape: string; codes: ErrorEntry[] };
  procedures: ProcedureReference[];
  webhooks: {
    envelope: JsonSchema;
    headers: Array<{ name: string; description: string }>;
    signature: { header: string; scheme: string; toleranceSeconds: number; verify: string };
    delivery: string;
    events: Array<{ type: string; description: string; data: JsonSchema }>;
  };
};

/** What the reference reads of each procedure (`appRouter._def.procedures`: a flat record by path). */
type ProcedureDef = {
  _def: {
    type: 'query' | 'mutation' | 'subscription';
    inputs: unknown[];
    output?: unknown;
    meta?: ProcedureMeta;
  };
};

export type ReferenceOptions = {
  /** API key scopes by procedure path (server/modules/developer/scopes.ts). */
  keyScopes: Readonly<Record<string, ApiKeyScope | null>>;
  /** Paths the WebSocket serves by a fast path (server/trpc/root.ts `fastPaths`). */
  fastPaths: readonly string[];
  version?: string;
};

/** `@fundi/client`'s version (sdk/package.json; a test keeps them equal): it names the tarball. */
export const CLIENT_PACKAGE_VERSION = '0.1.0';
const TARBALL = `fundi-client-${CLIENT_PACKAGE_VERSION}.tgz`;

const CLIENT = {
  package: '@fundi/client',
  version: CLIENT_PACKAGE_VERSION,
  install: [
    `# In a clone of the Fundi repository: builds build/client-sdk/${TARBALL}`,
    'npm run build:client-sdk',
    '# In your project (the tarball copied next to its package.json):',
    `cp ../fundi/build/client-sdk/${TARBALL} .`,
    `npm install ./${TARBALL}`,
  ].join('\n'),
  usage: [
    "import { closeFundiClient, createFundiClient } from '@fundi/client';",
    '',
    "const fundi = createFundiClient({ baseUrl: 'https://fundi.example', apiKey: process.env.FUNDI_KEY! });",
    'const { items } = await fundi.booking.list.query({ limit: 20 });',
    '// … and when done:',
    'await closeFundiClient(fundi);',
  ].join('\n'),
  plainTrpc: [
    "import { createTRPCClient, createWSClient, httpBatchLink, splitLink, wsLink } from '@trpc/client';",
    '// Types only, from the tarball above (without it, drop <AppRouter>: the calls work, untyped).',
    "import type { AppRouter } from '@fundi/client';",
    '',
    "const baseUrl = 'https://fundi.example';",
    'const apiKey = process.env.FUNDI_KEY!; // fk_live_… or fk_test_…',
    '',
    '// Subscriptions: one WebSocket, the key in connectionParams. Lazy: opened by the first subscription,',
    '// closed when the last one ends. Node 20 has no global WebSocket: pass `WebSocket` from the ws package.',
    'const ws = createWSClient({',
    "  url: baseUrl.replace(/^http/, 'ws') + '/trpc',",
    '  connectionParams: { token: apiKey },',
    '  lazy: { enabled: true, closeMs: 0 },',
    '});',
    '',
    'const fundi = createTRPCClient<AppRouter>({',
    '  links: [',
    '    splitLink({',
    "      condition: (op) => op.type === 'subscription',",
    '      true: wsLink({ client: ws }),',
    '      // Queries and mutations: HTTP, batched, the key as a bearer token.',
    '      false: httpBatchLink({',
    "        url: baseUrl + '/trpc',",
    "        headers: () => ({ authorization: 'Bearer ' + apiKey }),",
    '      }),',
    '    }),',
    '  ],',
    '});',
    '',
    'const { items } = await fundi.booking.list.query({ limit: 20 });',
    'const booking = items[0]!;',
    '// Follow it to its end (the id of each event resumes the stream after a reconnect: lastEventId).',
    'const sub = fundi.booking.events.subscribe(',
    '  { id: booking.id },',
    '  {',
    '    onData: ({ id, data }) => {',
    '      console.log(id, data.booking.status);',
    '      // Done once it is no longer open (completed, cancelled, unfulfilled):',
    "      const open = ['searching', 'assigned', 'en_route', 'arrived', 'in_progress'];",
    '      if (!open.includes(data.booking.status)) sub.unsubscribe();',
    '    },',
    '    onError: (err) => console.error(err.data?.appCode, err.message),',
    '  },',
    ');',
  ].join('\n'),
};

/** A zod schema as JSON Schema; anything zod cannot express (a transform's output) becomes `{}`. */
function jsonSchema(schema: unknown, io: 'input' | 'output'): JsonSchema | null {
  if (!(schema instanceof z.ZodType)) return null;
  const { $schema: _, ...rest } = z.toJSONSchema(schema, {
    io,
    unrepresentable: 'any',
    reused: 'inline',
    // Answers may gain fields over time: a client must not refuse one it does not know.
    override: (ctx) => {
      if (io === 'output' && ctx.jsonSchema.additionalProperties === false)
        delete ctx.jsonSchema.additionalProperties;
    },
  });
  return rest;
}

/** How the fast paths answer, by hand: they skip tRPC's middleware, so `.output()` is not on their way. */
const FAST_PATH_NOTES: Record<string, string> = {
  'tracking.watch':
    'Over the WebSocket this subscription is served by a fast path (server/trpc/fast.ts): the same input schema, ' +
    'access rules (session or a key with tracking:read) and wire format as the tRPC procedure, without its ' +
    'per-call middleware. Each event is a LivePosition (the output schema below), tracked by an id you can ' +
    'pass back as lastEventId to resume; events are built by the server and not re-validated on this path.',
  'tracking.update':
    'Technicians only (not callable with an API key). Over the WebSocket it is served by a fast path ' +
    '(server/trpc/fast.ts) with the same input schema and access rules; the answer is not re-validated there.',
};

const ERRORS_ANY: AppErrorCode[] = ['RATE_LIMITED', 'INTERNAL'];

function errorsFor(
  auth: ProcedureAuth | undefined,
  hasInput: boolean,
  apiKey: boolean,
  extra: readonly AppErrorCode[],
  catalogue: Map<AppErrorCode, ErrorEntry>,
): ErrorEntry[] {
  const codes = new Set<AppErrorCode>();
  if (hasInput) codes.add('VALIDATION');
  if (auth?.kind !== 'public') codes.add('UNAUTHENTICATED');
  if (auth?.kind === 'role' || apiKey) codes.add('FORBIDDEN_ROLE');
  for (const c of extra) codes.add(c);
  for (const c of ERRORS_ANY) codes.add(c);
  return [...catalogue.values()].filter((e) => codes.has(e.appCode));
}

function examplesFor(path: string, type: ProcedureReference['type'], input: unknown) {
  const json = input === undefined ? undefined : JSON.stringify(input);
  const pretty = input === undefined ? '' : JSON.stringify(input, null, 2).replace(/\n/g, '\n  ');
  const call = path
    .split('.')
    .map((p) => (/^[A-Za-z_$][\w$]*$/.test(p) ? `.${p}` : `[${JSON.stringify(p)}]`))
    .join('');
  if (type === 'subscription') {
    const typescript = [
      "import { createFundiClient } from '@fundi/client'; // npm run build:client-sdk (README)",
      '',
      "const fundi = createFundiClient({ baseUrl: 'https://fundi.example', apiKey: process.env.FUNDI_KEY! });",
      '',
      `const sub = fundi${call}.subscribe(${pretty || 'undefined'}, {`,
      '  onData: ({ id, data }) => console.log(id, data), // id: pass back as lastEventId to resume',
      '  onError: (err) => console.error(err.data?.appCode, err.message),',
      '});',
    ].join('\n');
    const message = JSON.stringify({ id: 1, method: 'subscription', params: { path, input } });
    const curl = [
      '# Subscriptions run over the WebSocket (JSON-RPC 2.0 messages), not plain HTTP:',
      `websocat "wss://fundi.example/trpc?connectionParams=1"`,
      '{"method":"connectionParams","data":{"token":"fk_live_…"}}',
      message,
    ].join('\n');
    return { typescript, curl };
  }
  const typescript = [
    "import { createFundiClient } from '@fundi/client'; // npm run build:client-sdk (README)",
    '',
    "const fundi = createFundiClient({ baseUrl: 'https://fundi.example', apiKey: process.env.FUNDI_KEY! });",
    '',
    `const result = await fundi${call}.${type}(${pretty});`,
  ].join('\n');
  const curl =
    type === 'query'
      ? [
          'curl -G -H "Authorization: Bearer $FUNDI_KEY" \\',
          ...(json ? [`  --data-urlencode 'input=${json}' \\`] : []),
          `  "$FUNDI_URL/trpc/${path}"`,
        ].join('\n')
      : [
          'curl -X POST -H "Authorization: Bearer $FUNDI_KEY" -H "Content-Type: application/json" \\',
          ...(json ? [`  -d '${json}' \\`] : []),
          `  "$FUNDI_URL/trpc/${path}"`,
        ].join('\n');
  return { typescript, curl };
}

const sessionAuth = (auth: ProcedureAuth | undefined): ProcedureReference['auth']['session'] =>
  auth?.kind === 'role' ? { roles: [...auth.roles] } : auth?.kind === 'signed-in' ? 'signed-in' : 'anyone';

const EVENT_DESCRIPTIONS: Record<string, string> = {
  'booking.created': 'An organisation’s booking was made.',
  'booking.status_changed': 'Any status change of a booking (also sent with the three below).',
  'booking.assigned': 'A technician accepted the booking.',
  'booking.completed': 'The technician finished the job.',
  'booking.cancelled': 'The booking was cancelled (by anyone).',
  'payment.succeeded': 'A payment settled: online, cash collected, or paid by account credit.',
  'payment.refunded': 'A refund was made (refund.status is pending while the gateway finishes it).',
  [WEBHOOK_TEST_EVENT]: 'Sent by webhook.test only; never subscribed to.',
};

export function buildReference(router: AnyRouter, opts: ReferenceOptions): Reference {
  const catalogue = new Map(errorCatalogue().map((e) => [e.appCode, e] as const));
  const procedures: ProcedureReference[] = Object.entries(
    router._def.procedures as Record<string, ProcedureDef>,
  )
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([path, proc]) => {
      const def = proc._def;
      const meta = def.meta ?? {};
      const isPublic = Object.hasOwn(opts.keyScopes, path);
      const input = def.inputs.length > 0 ? jsonSchema(def.inputs[0], 'input') : null;
      const output =
        def.type === 'subscription' ? jsonSchema(meta.events, 'output') : jsonSchema(def.output, 'output');
      const fast = opts.fastPaths.includes(path);
      return {
        path,
        type: def.type,
        description: meta.description ?? null,
        public: isPublic,
        auth: {
          session: sessionAuth(meta.auth),
          apiKey: isPublic ? { scope: opts.keyScopes[path] ?? null } : null,
        },
        input,
        output,
        errors: errorsFor(meta.auth, def.inputs.length > 0, isPublic, meta.errors ?? [], catalogue),
        fastPath: fast ? (FAST_PATH_NOTES[path] ?? 'Served over the WebSocket by a fast path.') : null,
        examples: isPublic ? examplesFor(path, def.type, exampleInputs[path]) : null,
      };
    });

  return {
    title: 'Fundi API reference',
    version: opts.version ?? '1',
    transport: {
      http:
        'tRPC over HTTP at /trpc/<path>: queries are GET with ?input=<JSON>, mutations are POST with a JSON body. ' +
        'Several calls can share one request (?batch=1, paths joined by commas, inputs keyed by index).',
      websocket:
        'tRPC over a WebSocket at /trpc (JSON-RPC 2.0 messages): queries, mutations and subscriptions. ' +
        'Subscriptions resume after a reconnect with lastEventId (the id of the last event you received).',
      auth:
        'An API key (fk_live_… or fk_test_…) as `Authorization: Bearer <key>` over HTTP, or ' +
        '`connectionParams: { token: <key> }` on the WebSocket. A key acts as its organisation and reaches ' +
        'only the procedures its scopes allow (FORBIDDEN otherwise); other organisations’ objects are NOT_FOUND. ' +
        'Keyed HTTP answers carry RateLimit-Limit, RateLimit-Remaining and RateLimit-Reset; past the limit, ' +
        '429 with Retry-After.',
      wireFormat:
        'Plain JSON, no transformer: dates are ISO 8601 strings, money is integer minor units with a currency. ' +
        'Answers may gain new fields: ignore the ones you do not know. ' +
        'A success is `{ "result": { "data": … } }`; an error is `{ "error": { "message", "code", "data" } }`.',
    },
    client: CLIENT,
    scopes: apiKeyScopes.map((scope) => ({
      scope,
      procedures: Object.entries(opts.keyScopes)
        .filter(([, s]) => s === scope)
        .map(([p]) => p),
    })),
    errors: {
      shape:
        '`error.data` carries `code` (the tRPC code), `httpStatus`, `appCode` (stable, one of the codes below), ' +
        '`details` (numbers and words to phrase the error yourself, or null) and `zodError` (field errors of a ' +
        'bad input, or null).',
      codes: [...catalogue.values()],
    },
    procedures,
    webhooks: {
      envelope: jsonSchema(webhookPayloadSchema, 'output') ?? {},
      headers: [
        {
          name: 'Fundi-Event-Id',
          description: 'The event id: the same on every retry and replay. De-duplicate on it.',
        },
        { name: 'Fundi-Event-Type', description: 'The event type (also `type` in the body).' },
        { name: 'Fundi-Delivery-Id', description: 'This delivery (a retry of the same delivery keeps it).' },
        {
          name: 'Fundi-Signature',
          description: 't=<unix seconds>,v1=<hex HMAC-SHA256(secret, t + "." + body)>',
        },
      ],
      signature: {
        header: 'Fundi-Signature',
        scheme:
          'HMAC-SHA256 with the endpoint’s signing secret (whsec_…, shown once by webhook.create) over ' +
          '`<t>.<raw body>`, hex-encoded, as `t=<t>,v1=<hex>` (Stripe’s scheme).',
        toleranceSeconds: SIGNATURE_TOLERANCE_SECONDS,
        verify: [
          "import { createHmac, timingSafeEqual } from 'node:crypto';",
          '',
          '// `body` is the raw request body (a string, before any JSON parsing).',
          `function verifyFundiSignature(secret, body, header, toleranceSeconds = ${SIGNATURE_TOLERANCE_SECONDS}) {`,
          "  const parts = Object.fromEntries(header.split(',').map((p) => p.split('=', 2)));",
          '  const t = Number(parts.t);',
          '  if (!Number.isInteger(t) || Math.abs(Date.now() / 1000 - t) > toleranceSeconds) return false;',
          // biome-ignore lint/suspicious/noTemplateCurlyInString: the example's own template string.
          "  const expected = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');",
          "  const got = Buffer.from(parts.v1 ?? '');",
          '  return got.length === expected.length && timingSafeEqual(got, Buffer.from(expected));',
          '}',
        ].join('\n'),
      },
      delivery:
        'A POST with the JSON envelope; any 2xx is success. At least once: retried with exponential backoff ' +
        '(30 s doubling, at most 6 h apart) for 72 hours; redirects are not followed; an endpoint failing for ' +
        '72 hours is disabled (webhook.list: disabledReason http_error, redirect, unreachable or unsafe_target, and ' +
        "disabledStatus) and the organisation's owners and developers are notified; a successful webhook.test or " +
        'replay switches it back on. The URL must be https:// and resolve to a public address.',
      events: [...webhookEventTypes, WEBHOOK_TEST_EVENT].map((type) => ({
        type,
        description: EVENT_DESCRIPTIONS[type] ?? '',
        data: jsonSchema(webhookEventDataSchemas[type], 'output') ?? {},
      })),
    },
  };
}

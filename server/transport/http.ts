import {
  type AnyRouter,
  getErrorShape,
  getTRPCErrorFromUnknown,
  TRPCError,
  type TRPCError as TRPCErrorType,
  transformTRPCResponse,
} from '@trpc/server';
import { getHTTPStatusCode } from '@trpc/server/http';
import type { OriginPolicy } from './security';
import { callProcedure, defaultTransformer, getProcedureAtPath, isObject, LazyAbort } from './trpc-internals';
import { clientIpOf, type HttpRequest, type HttpResponse, remoteIp, statusLine } from './uws';
import type { OnError } from './ws';

const MAX_BODY_BYTES = 1024 * 1024;
const MAX_BATCH_SIZE = 50;

/** What the reply functions need to know of a request's abort: whether the client has gone. */
type Aborted = { readonly aborted: boolean };

/** Everything the handler needs from the request, copied synchronously: uWS request objects die at the first await. */
type CopiedRequest = {
  method: 'GET' | 'POST';
  path: string;
  query: string;
  host: string;
  origin: string;
  cookie: string;
  authorization: string;
  contentType: string;
  trpcAccept: string;
  /** Only read behind our own load balancers (TRUST_PROXY); '' otherwise. */
  forwardedFor: string;
};

/** What createContext gets for one HTTP request: the HttpCall itself (`ip` is a getter). */
export type HttpRequestMeta = {
  readonly transport: 'http';
  readonly ip: string;
  readonly cookieToken: string | null;
  readonly bearerToken: string | null;
  setCookie(value: string): void;
  setHeader(name: string, value: string): void;
};

const NONE: readonly never[] = [];
const noInput = () => Promise.resolve(undefined);

/**
 * One HTTP call's state beyond the copied request (issue 15 §7: per-request work only when needed):
 * - whether its client has gone, and the AbortSignal made only if a procedure reads it (none served over
 *   HTTP does: subscriptions are WebSocket-only). An AbortController per request cost about as much as
 *   the rest of a cached-session `auth.me`;
 * - the client's address, read from the socket on first use only: uWS asks the kernel (getpeername) on
 *   every call, a few µs, and most procedures never need it. The response object it is read from is valid
 *   until the call is answered or its client goes; asked after that, there is no address to give, so the
 *   call fails (499) rather than run without being counted against its address. Its readers (per-IP
 *   limits of sign-up and sign-in, the admin audit) read it before doing anything else.
 */
export class HttpCall extends LazyAbort implements HttpRequestMeta {
  readonly transport = 'http';
  finished = false;
  cookieToken: string | null = null;
  bearerToken: string | null = null;
  /** Set-Cookie and other headers of the answer (made when the first is added: most answers have none). */
  cookies: string[] | null = null;
  headers: Array<[string, string]> | null = null;
  private address: string | null = null;
  constructor(
    private readonly res: HttpResponse,
    private readonly forwardedFor: string,
    private readonly trustProxies: number,
    private readonly inflight: { count: number },
  ) {
    super();
    inflight.count++;
  }
  setCookie(value: string) {
    this.cookies ??= [];
    this.cookies.push(value);
  }
  setHeader(name: string, value: string) {
    this.headers ??= [];
    this.headers.push([name, value]);
  }
  /** Answered (or given up): no longer in flight. */
  finish() {
    if (!this.finished) this.inflight.count--;
    this.finished = true;
  }
  get ip(): string {
    if (this.address === null) {
      if (this.aborted || this.finished) {
        throw new TRPCError({ code: 'CLIENT_CLOSED_REQUEST', message: 'The client has gone' });
      }
      this.address = clientIpOf(this.forwardedFor, this.trustProxies, () => remoteIp(this.res));
    }
    return this.address;
  }
}

export type HttpHandlerOptions<TCtx> = {
  router: AnyRouter;
  prefix: string;
  originAllowed: OriginPolicy;
  /** The session token in a Cookie header, if any. */
  readSessionCookie: (cookieHeader: string) => string | null;
  /** `meta` as it is: spreading it would read `ip` (see HttpCall). */
  createContext: (meta: HttpRequestMeta) => Promise<TCtx>;
  /** Every error a call ended with, for the application to log what is its own fault. */
  onError?: OnError<TCtx>;
  /** Counts requests in flight so shutdown can wait for them. */
  inflight: { count: number };
  /** How many load balancers of ours stand in front (TRUST_PROXY): whose X-Forwarded-For to believe. */
  trustProxies?: number;
  /** True while shutting down: every answer says `Connection: close`, so keep-alive clients move on. */
  draining?: () => boolean;
};

/**
 * tRPC over HTTP on uWS, written for the JSON wire format that httpLink/httpBatchLink and curl use:
 * the request never becomes a Fetch `Request` (that conversion is most of the standalone adapter's cost),
 * but errors, status codes and bodies are built with tRPC's own functions, so responses are the same.
 */
export function createTrpcHttpHandler<TCtx>(opts: HttpHandlerOptions<TCtx>) {
  const config = opts.router._def._config;
  const draining = opts.draining ?? (() => false);
  const trustProxies = opts.trustProxies ?? 0;
  // Without a transformer, transformTRPCResponse only copies the response (two object spreads per
  // call) into one that serialises to the same JSON: skip it then.
  const plainJson = config.transformer === defaultTransformer;
  const reply = (
    res: HttpResponse,
    signal: Aborted,
    status: number,
    payload: unknown,
    cookies: readonly string[],
    retryAfterSeconds: number | null = null,
    headers: ReadonlyArray<[string, string]> = NONE,
  ) => replyJson(res, signal, status, payload, cookies, retryAfterSeconds, draining(), headers);

  return (res: HttpResponse, req: HttpRequest) => {
    const method = req.getCaseSensitiveMethod();
    const r: CopiedRequest = {
      method: method === 'POST' ? 'POST' : 'GET',
      path: req.getUrl().slice(opts.prefix.length + 1),
      query: req.getQuery() ?? '',
      host: req.getHeader('host'),
      origin: req.getHeader('origin'),
      cookie: req.getHeader('cookie'),
      authorization: req.getHeader('authorization'),
      contentType: req.getHeader('content-type'),
      trpcAccept: req.getHeader('trpc-accept'),
      forwardedFor: trustProxies > 0 ? req.getHeader('x-forwarded-for') : '',
    };
    const abort = new HttpCall(res, r.forwardedFor, trustProxies, opts.inflight);
    let handling = false;
    res.onAborted(() => {
      abort.abort();
      // A client gone while we still wait for its body: nothing will run, so nothing is in flight.
      if (!handling) abort.finish();
    });

    if (method !== 'GET' && method !== 'POST') {
      reply(res, abort, 405, { error: errorBody(new TRPCError({ code: 'METHOD_NOT_SUPPORTED' })) }, NONE);
      abort.finish();
      return;
    }
    if (r.method === 'GET') {
      handling = true;
      handle(r, null, res, abort).finally(() => abort.finish());
      return;
    }
    readBody(res, abort, (body) => {
      handling = true;
      if (body === null) {
        reply(res, abort, 413, { error: errorBody(new TRPCError({ code: 'PAYLOAD_TOO_LARGE' })) }, NONE);
        abort.finish();
        return;
      }
      handle(r, body, res, abort).finally(() => abort.finish());
    });
  };

  /** One call of a request (a batch has several). */
  async function runCall(
    r: CopiedRequest,
    path: string,
    index: number,
    input: unknown,
    failed: TRPCErrorType | null,
    ctx: TCtx | undefined,
    signal: HttpCall,
  ) {
    let type: 'query' | 'mutation' | 'subscription' | 'unknown' = 'unknown';
    try {
      if (failed) throw failed;
      const proc = await getProcedureAtPath(opts.router, path);
      if (!proc) throw new TRPCError({ code: 'NOT_FOUND', message: `No procedure found on path "${path}"` });
      type = proc._def.type;
      if (type === 'subscription') {
        throw new TRPCError({
          code: 'METHOD_NOT_SUPPORTED',
          message: `Subscriptions are served over the WebSocket at ${opts.prefix}`,
        });
      }
      if ((type === 'query') !== (r.method === 'GET')) {
        throw new TRPCError({
          code: 'METHOD_NOT_SUPPORTED',
          message: `Unsupported ${r.method}-request to ${type} procedure at path "${path}"`,
        });
      }
      const data: unknown = await callProcedure(proc, {
        path,
        getRawInput: input === undefined ? noInput : () => Promise.resolve(input),
        ctx,
        type,
        signals: signal,
        batchIndex: index,
      });
      return { result: { data } };
    } catch (cause) {
      const error = getTRPCErrorFromUnknown(cause);
      opts.onError?.({ error, type, path, input, ctx });
      return { error: getErrorShape({ config, error, type, path, input, ctx }) };
    }
  }

  function errorBody(error: TRPCErrorType, path?: string) {
    return getErrorShape({ config, error, type: 'unknown', path, input: undefined, ctx: undefined });
  }

  async function handle(r: CopiedRequest, body: Buffer | null, res: HttpResponse, signal: HttpCall) {
    const bearer = r.authorization ? (/^Bearer (.+)$/i.exec(r.authorization)?.[1]?.trim() ?? null) : null;
    const cookieToken = r.cookie ? opts.readSessionCookie(r.cookie) : null;
    signal.bearerToken = bearer;
    signal.cookieToken = cookieToken;

    // CSRF: a write authenticated by the browser's cookie must come from one of our pages.
    if (r.method === 'POST' && cookieToken && !bearer && !opts.originAllowed(r.origin, r.host)) {
      const error = new TRPCError({ code: 'FORBIDDEN', message: 'Cross-origin request refused' });
      return reply(res, signal, 403, { error: errorBody(error) }, NONE);
    }
    if (r.trpcAccept === 'application/jsonl') {
      const error = new TRPCError({
        code: 'BAD_REQUEST',
        message:
          'Streaming responses are not served over HTTP: use httpBatchLink, and the WebSocket for subscriptions',
      });
      return reply(res, signal, 400, { error: errorBody(error) }, NONE);
    }
    if (r.method === 'POST' && r.contentType && !r.contentType.startsWith('application/json')) {
      const error = new TRPCError({
        code: 'UNSUPPORTED_MEDIA_TYPE',
        message: 'Send JSON (application/json)',
      });
      return reply(res, signal, 415, { error: errorBody(error) }, NONE);
    }

    const params = r.query ? new URLSearchParams(r.query) : null;
    const isBatch = params?.get('batch') === '1';
    let paths: string[];
    try {
      const decoded = r.path.includes('%') ? decodeURIComponent(r.path) : r.path;
      paths = isBatch ? decoded.split(',') : [decoded];
    } catch {
      paths = [r.path];
    }
    if (isBatch && paths.length > MAX_BATCH_SIZE) {
      const error = new TRPCError({ code: 'BAD_REQUEST', message: 'Batch call exceeds maximum size' });
      return reply(res, signal, 400, { error: errorBody(error) }, NONE);
    }

    // Inputs: GET ?input=…, POST body; a batch carries an object keyed by call index.
    let inputs: Record<number, unknown> = {};
    let inputError: TRPCErrorType | null = null;
    try {
      const raw =
        r.method === 'GET'
          ? params?.get('input') || undefined
          : body?.length
            ? body.toString('utf8')
            : undefined;
      const parsed: unknown = raw === undefined ? undefined : JSON.parse(raw);
      if (parsed !== undefined) {
        if (!isBatch) inputs = { 0: parsed };
        else if (!isObject(parsed)) {
          throw new TRPCError({
            code: 'BAD_REQUEST',
            message: '"input" needs to be an object when doing a batch call',
          });
        } else inputs = parsed as Record<number, unknown>;
      }
    } catch (cause) {
      inputError =
        cause instanceof TRPCError
          ? cause
          : new TRPCError({
              code: 'BAD_REQUEST',
              message: cause instanceof Error ? cause.message : 'Invalid input',
              cause,
            });
    }

    let ctx: TCtx | undefined;
    let ctxError: TRPCErrorType | null = null;
    try {
      ctx = await opts.createContext(signal);
    } catch (cause) {
      ctxError = getTRPCErrorFromUnknown(cause);
    }

    const failed = inputError ?? ctxError;
    const results =
      paths.length === 1
        ? [await runCall(r, paths[0]!, 0, inputs[0], failed, ctx, signal)]
        : await Promise.all(paths.map((path, i) => runCall(r, path, i, inputs[i], failed, ctx, signal)));
    const status = getHTTPStatusCode(results);
    const response = isBatch ? results : results[0]!;
    const payload = plainJson ? response : transformTRPCResponse(config, response);
    reply(res, signal, status, payload, signal.cookies ?? NONE, retryAfter(results), signal.headers ?? NONE);
  }
}

/** The longest wait any refused call of the response asks for (RFC 9110 Retry-After, in seconds). */
function retryAfter(results: Array<{ error?: { data?: unknown } }>): number | null {
  let seconds: number | null = null;
  for (const r of results) {
    const details = (r.error?.data as { details?: { retryAfterSeconds?: unknown } } | undefined)?.details;
    const s = details?.retryAfterSeconds;
    if (typeof s === 'number' && s > 0) seconds = Math.max(seconds ?? 0, Math.ceil(s));
  }
  return seconds;
}

function replyJson(
  res: HttpResponse,
  signal: Aborted,
  status: number,
  payload: unknown,
  cookies: readonly string[],
  retryAfterSeconds: number | null,
  closeConnection: boolean,
  headers: ReadonlyArray<[string, string]> = NONE,
) {
  if (signal.aborted) return;
  const body = JSON.stringify(payload);
  res.cork(() => {
    res.writeStatus(statusLine(status));
    res.writeHeader('content-type', 'application/json');
    res.writeHeader('x-content-type-options', 'nosniff');
    res.writeHeader('vary', 'trpc-accept, accept');
    res.writeHeader('cache-control', 'no-store');
    if (retryAfterSeconds !== null) res.writeHeader('retry-after', String(retryAfterSeconds));
    for (const c of cookies) res.writeHeader('set-cookie', c);
    for (const [name, value] of headers) res.writeHeader(name, value);
    // closeConnection: uWS writes `Connection: close` and closes the socket once this response is out.
    res.end(body, closeConnection);
  });
}

/** Reads the whole body (copying each chunk: uWS reuses its buffers); null when it is too large. */
export function readBody(res: HttpResponse, signal: Aborted, cb: (body: Buffer | null) => void) {
  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge = false;
  res.onData((chunk, isLast) => {
    if (signal.aborted) return;
    size += chunk.byteLength;
    if (size > MAX_BODY_BYTES) tooLarge = true;
    else chunks.push(Buffer.from(new Uint8Array(chunk)));
    if (isLast) cb(tooLarge ? null : chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
  });
}

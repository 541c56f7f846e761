import {
  type AnyRouter,
  getErrorShape,
  getTRPCErrorFromUnknown,
  isTrackedEnvelope,
  TRPCError,
  transformTRPCResponse,
} from '@trpc/server';
import { parseConnectionParamsFromUnknown } from '@trpc/server/http';
import { isObservable, observableToAsyncIterable } from '@trpc/server/observable';
import { parseTRPCMessage, type TRPCClientOutgoingMessage, type TRPCResponseMessage } from '@trpc/server/rpc';
import { log } from '../lib/log';
import type { Feed } from '../realtime/feed';
import type { OriginPolicy } from './security';
import { callProcedure, getProcedureAtPath, isAsyncIterable, isObject, Unpromise } from './trpc-internals';
import { clientIp, type TemplatedApp, uws, type WebSocket } from './uws';
import {
  burstOf,
  type Conn,
  MAX_WS_BATCH,
  release,
  reserve,
  type SubId,
  Subscriptions,
  takeToken,
  tooMany,
  UNLIMITED,
  type WsLimits,
} from './ws-conn';
import { createFeedGroups, LAG_MARK } from './ws-feeds';

export { MAX_WS_BATCH, type WsLimits };

/** Above this many buffered bytes a subscription stops pulling events until the socket drains. */
const HIGH_WATER_MARK = 256 * 1024;
/** Beyond this the peer is not reading at all: drop it (it reconnects and resumes from lastEventId). */
const MAX_BACKPRESSURE = 4 * 1024 * 1024;

/**
 * A procedure the socket serves without tRPC's middleware chain (see server/trpc/fast.ts). It applies its
 * own access rules and input validation, so the transport knows nothing of sessions, roles or scopes:
 * `run` answers a mutation (a value or a promise), `admit` checks a subscription and returns how to open
 * its shared feed. Either throws to refuse.
 */
export type FastPath<TCtx> =
  | { type: 'mutation'; run(ctx: TCtx, path: string, input: unknown): unknown }
  | { type: 'subscription'; admit(ctx: TCtx, path: string, input: unknown): () => Promise<Feed> };

/** Who a connection's context speaks for: its socket is listed under both so sign-out and bans reach it. */
export type SocketIdentity = { sessionId: string; user: { id: string; role: string } };

/** Session revocations: `revoked` ends that session's sockets, `revokedUser` every socket of that user. */
export type Revocations = {
  on(event: 'revoked' | 'revokedUser', listener: (id: string) => void): unknown;
  off(event: 'revoked' | 'revokedUser', listener: (id: string) => void): unknown;
};

/** Every error a call ended with, for the application to log what is its own fault. */
export type OnError<TCtx> = (info: {
  error: TRPCError;
  type: 'query' | 'mutation' | 'subscription' | 'unknown';
  path: string | undefined;
  input: unknown;
  ctx: TCtx | undefined;
}) => void;

export type WsHandlerOptions<TCtx> = {
  router: AnyRouter;
  path: string;
  originAllowed: OriginPolicy;
  /** The session token in a Cookie header, if any (cookies authenticate browser sockets only). */
  readSessionCookie: (cookieHeader: string) => string | null;
  createContext: (meta: {
    ip: string;
    cookieToken: string | null;
    bearerToken: string | null;
  }) => Promise<TCtx>;
  /** The session and user a context authenticates, or null for an anonymous one. */
  identify: (ctx: TCtx) => SocketIdentity | null;
  /** Session revocations (sign-out, bans): sockets authenticated by that session or user are closed. */
  revocations: Revocations;
  onError?: OnError<TCtx>;
  /** Procedures served without the middleware chain, by path (each must exist in `router` too). */
  fastPaths?: Record<string, FastPath<TCtx>>;
  /** How many load balancers of ours stand in front (TRUST_PROXY): whose X-Forwarded-For to believe. */
  trustProxies?: number;
  /** A socket authenticated as this user opened / closed (presence: the domain decides what it means). */
  onUserSocket?: (user: { id: string; role: string }, open: boolean) => void;
  /** Caps per socket, address and user (unset: none, for tools that embed the adapter). */
  limits?: WsLimits;
};

/**
 * Frames to text: half the cost of Buffer.from(…).toString() per message (no Buffer object made; bench
 * microbenchmark, 190-byte frames). `ignoreBOM`: a leading BOM stays in the text, as it did.
 */
const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });
const encoder = new TextEncoder();
const utf8Bytes = (text: string) => encoder.encode(text);
/** Every reply starts so (JSON.stringify's order: id first). */
const REPLY_HEAD = utf8Bytes('{"id":');

type CallMessage = Exclude<TRPCClientOutgoingMessage, { method: 'subscription.stop' }> & { id: SubId };
type ProcedureType = 'query' | 'mutation' | 'subscription' | 'unknown';

/**
 * tRPC's WebSocket protocol (what `wsLink` speaks) on uWS: queries, mutations, subscriptions with
 * tracked ids, `connectionParams`, PING/PONG, and a `reconnect` notice on shutdown. Mirrors the
 * logic of tRPC's `ws` adapter, with uWS's backpressure and corking. Per-socket bookkeeping and caps
 * are in ws-conn.ts, shared feeds on uWS topics in ws-feeds.ts.
 */
export function attachTrpcWebSocket<TCtx>(app: TemplatedApp, opts: WsHandlerOptions<TCtx>) {
  type Socket = WebSocket<Conn<TCtx>>;
  const config = opts.router._def._config;
  const fastPaths = new Map(Object.entries(opts.fastPaths ?? {}));
  const procedures = opts.router._def.procedures as Record<string, { _def: { type: string } } | undefined>;
  for (const [path, fast] of fastPaths) {
    if (procedures[path]?._def.type !== fast.type)
      throw new Error(`Fast path ${path} has no ${fast.type} procedure of that name in the router`);
  }
  const limits = opts.limits ?? UNLIMITED;
  const burst = burstOf(limits);
  /** Open (and opening) sockets per client address. */
  const perIp = new Map<string, number>();
  // Without a data transformer (plain JSON on the wire) responses need no per-message transform pass.
  const probe = {};
  const plainJson =
    config.transformer.output.serialize(probe) === probe &&
    config.transformer.input.serialize(probe) === probe;
  const sockets = new Set<Socket>();
  // Sockets by the session and the user that authenticated them, so a sign-out reaches open sockets too.
  const byAuth = new Map<string, Set<Socket>>();
  const authKeys = (who: SocketIdentity) => [`s:${who.sessionId}`, `u:${who.user.id}`];
  const endAuthenticated = (key: string) => {
    for (const ws of [...(byAuth.get(key) ?? [])]) ws.end(4401, 'Session ended');
  };
  const onRevoked = (sessionId: string) => endAuthenticated(`s:${sessionId}`);
  const onRevokedUser = (userId: string) => endAuthenticated(`u:${userId}`);
  opts.revocations.on('revoked', onRevoked);
  opts.revocations.on('revokedUser', onRevokedUser);
  /** Who a socket's resolved context speaks for (null: anonymous, or not resolved yet). */
  const identity = (conn: Conn<TCtx>) => (conn.context === null ? null : opts.identify(conn.context));

  /**
   * The socket whose message handler is running: uWS corks it already, so a reply to it is written
   * without another cork (hot path, issue 15 §7: every tracking.update is answered; no closure, one
   * native call fewer).
   */
  let inHandler: Socket | null = null;

  function send(ws: Socket, msg: TRPCResponseMessage | string | Uint8Array) {
    const conn = ws.getUserData();
    if (conn.closed) return;
    const text =
      typeof msg === 'string' || msg instanceof Uint8Array
        ? msg
        : JSON.stringify(plainJson ? msg : transformTRPCResponse(config, msg));
    if (ws === inHandler) write(ws, conn, text);
    else corked(ws, conn, text);
  }

  /**
   * Outside a message handler. Its own function: a closure in `send` would make V8 allocate a context on
   * every call of `send`, the hot replies' too (issue 15 §7, allocation sampling without inlining).
   */
  function corked(ws: Socket, conn: Conn<TCtx>, text: string | Uint8Array) {
    ws.cork(() => write(ws, conn, text));
  }

  function write(ws: Socket, conn: Conn<TCtx>, text: string | Uint8Array) {
    const status = ws.send(text, false);
    // 1 = written with nothing left buffered; 2 = dropped: uWS refused to buffer more for this socket.
    if (status !== 1 && (status === 2 || ws.getBufferedAmount() > MAX_BACKPRESSURE)) {
      log.warn('websocket over backpressure limit, closing', { ip: conn.ip });
      ws.end(1013, 'Backpressure limit');
    }
  }
  const feeds = createFeedGroups(app, send);

  /**
   * A call's result. Hot path (every tracking.update is answered with one): on plain JSON the reply is
   * written as text around the result's own JSON, the same bytes JSON.stringify gives for
   * `{ id, jsonrpc, result: { type: 'data', data } }` (jsonrpc left out when undefined, like
   * JSON.stringify does; `data: undefined` left out too) without building the envelope objects.
   */
  function reply(
    id: SubId,
    jsonrpc: '2.0' | undefined,
    data: unknown,
  ): TRPCResponseMessage | string | Uint8Array {
    if (!plainJson) return { id, jsonrpc, result: { type: 'data', data } };
    // A frozen result of plain values shared by many calls (tracking.update's usual answer) is
    // serialised once (freezing is shallow: a nested object could still change, so those are not kept).
    let json: string | undefined;
    if (data === sharedReply.data) {
      // The usual call: written as bytes into one reused buffer, no string made (see sharedReplyBytes).
      const bytes = typeof id === 'number' ? sharedReplyBytes(id, jsonrpc) : undefined;
      if (bytes) return bytes;
      json = sharedReply.json;
    } else {
      json = JSON.stringify(data);
      if (
        typeof data === 'object' &&
        data !== null &&
        Object.isFrozen(data) &&
        Object.values(data).every(plain)
      ) {
        const tail = `,"result":{"type":"data","data":${json}}}`;
        sharedReply = { data, json, tail: utf8Bytes(tail), rpcTail: utf8Bytes(`,"jsonrpc":"2.0"${tail}`) };
      }
    }
    return dataReply(id, jsonrpc, json);
  }

  const dataReply = (id: SubId, jsonrpc: '2.0' | undefined, json: string | undefined) =>
    `{"id":${JSON.stringify(id)},${jsonrpc === '2.0' ? '"jsonrpc":"2.0",' : ''}"result":{"type":"data"${json === undefined ? '' : `,"data":${json}`}}}`;

  const plain = (v: unknown) => v === null || typeof v !== 'object';
  /** The shared result last seen, its JSON, and the reply's bytes after the id (with and without jsonrpc). */
  let sharedReply: { data: unknown; json: string | undefined; tail: Uint8Array; rpcTail: Uint8Array } = {
    data: Symbol('none'),
    json: undefined,
    tail: new Uint8Array(),
    rpcTail: new Uint8Array(),
  };

  /**
   * The shared result's reply to call `id` (a non-negative integer, as tRPC's clients number calls), as
   * bytes: `{"id":` + digits + the stored tail, in one buffer reused by every reply, sent as a view of
   * exactly that length (uWS copies it before `send` returns; one view per length, made once). Hot path
   * (issue 15 §7): allocation sampling of the ingest benchmark at 10,000 fixes/s put ~17 % of the server's
   * allocations in this reply's text (the template string, its flattening and UTF-8 copy for uWS), which
   * set how often the young generation was scavenged. Undefined when it does not fit: the text is used.
   */
  function sharedReplyBytes(id: number, jsonrpc: '2.0' | undefined): Uint8Array | undefined {
    const tail = jsonrpc === '2.0' ? sharedReply.rpcTail : sharedReply.tail;
    if (!(Number.isSafeInteger(id) && id >= 0) || REPLY_HEAD.length + 16 + tail.length > replyBuffer.length)
      return undefined;
    let digits = 1;
    for (let n = id; n >= 10; n = Math.floor(n / 10)) digits++;
    let at = REPLY_HEAD.length + digits;
    for (let n = id, i = at - 1; i >= REPLY_HEAD.length; i--, n = Math.floor(n / 10))
      replyBuffer[i] = 48 + (n % 10);
    replyBuffer.set(tail, at);
    at += tail.length;
    let view = replyViews[at];
    if (!view) {
      view = replyBuffer.subarray(0, at);
      replyViews[at] = view;
    }
    return view;
  }
  const replyBuffer = new Uint8Array(1024);
  replyBuffer.set(REPLY_HEAD);
  const replyViews: Array<Uint8Array | undefined> = [];

  function waitForDrain(ws: Socket): Promise<void> | undefined {
    const conn = ws.getUserData();
    if (conn.closed || ws.getBufferedAmount() < HIGH_WATER_MARK) return undefined;
    return new Promise((resolve) => {
      conn.drainWaiters ??= [];
      conn.drainWaiters.push(resolve);
    });
  }

  function errorMessage(
    id: SubId | null,
    cause: unknown,
    extra: { type?: ProcedureType; path?: string; input?: unknown; ctx?: TCtx },
  ): TRPCResponseMessage {
    const error = getTRPCErrorFromUnknown(cause);
    const type = extra.type ?? 'unknown';
    opts.onError?.({ error, type, path: extra.path, input: extra.input, ctx: extra.ctx });
    return {
      id,
      error: getErrorShape({ config, error, type, path: extra.path, input: extra.input, ctx: extra.ctx }),
    };
  }

  function startContext(ws: Socket, bearerToken: string | null) {
    const conn = ws.getUserData();
    conn.ctx = opts.createContext({ ip: conn.ip, cookieToken: conn.cookieToken, bearerToken });
    conn.ctx.then((ctx) => {
      const who = opts.identify(ctx);
      if (who && !conn.closed) {
        if ((byAuth.get(`u:${who.user.id}`)?.size ?? 0) >= limits.maxSocketsPerUser) {
          // Refused politely: the reason first, then a close code the client can tell apart (4429). Its
          // context stays unset, so nothing was counted for it (presence, sign-out) and no call runs.
          send(ws, errorMessage(null, tooMany('Too many open connections for this account.'), {}));
          ws.end(4429, 'Too many connections');
          return;
        }
      }
      conn.context = ctx;
      if (!who || conn.closed) return;
      for (const key of authKeys(who)) {
        const set = byAuth.get(key) ?? new Set();
        set.add(ws);
        byAuth.set(key, set);
      }
      opts.onUserSocket?.(who.user, true);
    });
    conn.ctx.catch((cause) => {
      send(ws, errorMessage(null, cause, {}));
      setImmediate(() => !conn.closed && ws.end(1011, 'Context failed'));
    });
  }

  /** A resumed subscription's lastEventId travels beside its input; procedures read it from the input. */
  function inputOf(msg: CallMessage): unknown {
    const { input, lastEventId } = msg.params;
    if (lastEventId === undefined) return input;
    return isObject(input) ? { ...input, lastEventId } : (input ?? { lastEventId });
  }

  async function handleRequest(ws: Socket, msg: TRPCClientOutgoingMessage, batchIndex: number) {
    const conn = ws.getUserData();
    const { id, jsonrpc } = msg;
    if (id === null) {
      send(ws, errorMessage(null, new TRPCError({ code: 'PARSE_ERROR', message: '`id` is required' }), {}));
      return;
    }
    if (msg.method === 'subscription.stop') {
      conn.subs.get(id)?.abort();
      return;
    }
    const { path } = msg.params;
    const input = inputOf(msg as CallMessage);
    const type = msg.method;
    let ctx: TCtx | undefined;
    const abort = new AbortController();
    // A subscription's slot is taken now, before any await: a flood of them in one frame meets the cap.
    if (type === 'subscription') {
      const refused = reserve(conn, limits, id, path, abort);
      if (refused) {
        send(ws, { ...errorMessage(id, refused, { type, path }), jsonrpc });
        return;
      }
    }
    let pumping = false;
    try {
      ctx = await conn.ctx!;
      // Closed meanwhile (or refused at its context): nothing to answer, so nothing to run.
      if (conn.closed) return;
      const proc = await getProcedureAtPath(opts.router, path);
      if (!proc || proc._def.type !== type) {
        throw new TRPCError({ code: 'NOT_FOUND', message: `No "${type}"-procedure on path "${path}"` });
      }
      const result: unknown = await callProcedure(proc, {
        path,
        getRawInput: async () => input,
        ctx,
        type,
        signals: abort,
        batchIndex,
      });
      const iterable = isObservable(result) || isAsyncIterable(result);
      if (type !== 'subscription') {
        if (iterable) {
          throw new TRPCError({
            code: 'UNSUPPORTED_MEDIA_TYPE',
            message: `Cannot return an async iterable or observable from a ${type} procedure with WebSockets`,
          });
        }
        send(ws, { id, jsonrpc, result: { type: 'data', data: result } });
        return;
      }
      if (!iterable) {
        throw new TRPCError({
          code: 'INTERNAL_SERVER_ERROR',
          message: `Subscription ${path} did not return an observable or a AsyncGenerator`,
        });
      }
      if (conn.closed) {
        abort.abort();
        return;
      }
      send(ws, { id, jsonrpc, result: { type: 'started' } });
      const source = isObservable(result)
        ? observableToAsyncIterable(result, abort.signal)
        : (result as AsyncIterable<unknown>);
      pumping = true;
      void pump(ws, id, jsonrpc, source, abort, { path, input, ctx });
    } catch (cause) {
      send(ws, { ...errorMessage(id, cause, { type, path, input, ctx }), jsonrpc });
    } finally {
      // The pump gives the slot back when it ends; anything that never got that far gives it back here.
      if (type === 'subscription' && !pumping && conn.subs.get(id) === abort) release(conn, id, path);
    }
  }

  /**
   * The newest fast mutation call (tracking.update), kept alive on purpose. JSON.parse gives a frame's
   * objects hidden classes that only weak transitions lead to; at a full GC where no object of them is
   * alive (a frame lives for microseconds), V8 drops them and throws away the optimized code of every
   * function that checked for them: --trace-deopt showed the whole live path (dispatch, handleFast,
   * inputOf, …) "marked for deoptimization, reason: weak objects" at each mark-compact, then run slower
   * until compiled again (TurboFan on the same core). A usual frame is ~200 bytes; maxPayloadLength
   * bounds any other (issue 15 §7).
   */
  // biome-ignore lint/correctness/noUnusedVariables: written, never read: it is there to stay alive (above).
  let keptFrame: CallMessage | null = null;

  /**
   * A fast path (see FastPath): the same access rules, validation and handler as the procedure, without
   * the middleware chain. Only used once the connection's context is known.
   */
  function handleFast(ws: Socket, msg: CallMessage, fast: FastPath<TCtx>) {
    const conn = ws.getUserData();
    const { id, jsonrpc } = msg;
    const { path } = msg.params;
    const input = inputOf(msg);
    const ctx = conn.context!;
    if (fast.type !== 'mutation') return openFast(ws, msg, fast, ctx, input);
    keptFrame = msg;
    // Hot path (issue 15 §7, every tracking.update): a synchronous answer makes no closure (and no
    // context: the closures live in answerLater); only a promise (e.g. a cache miss) or a refusal does.
    let out: unknown;
    try {
      out = fast.run(ctx, path, input);
    } catch (cause) {
      return fastFailed(ws, msg, fast.type, ctx, input, cause);
    }
    if (out instanceof Promise) answerLater(ws, msg, ctx, input, out);
    else send(ws, reply(id, jsonrpc, out));
  }

  function answerLater(ws: Socket, msg: CallMessage, ctx: TCtx, input: unknown, out: Promise<unknown>) {
    out.then(
      (data) => send(ws, reply(msg.id, msg.jsonrpc, data)),
      (cause) => fastFailed(ws, msg, 'mutation', ctx, input, cause),
    );
  }

  /** A fast subscription: checked now, then its feed is opened and joined. */
  function openFast(ws: Socket, msg: CallMessage, fast: FastPath<TCtx>, ctx: TCtx, input: unknown) {
    if (fast.type !== 'subscription') return;
    const conn = ws.getUserData();
    const { id, jsonrpc } = msg;
    const { path } = msg.params;
    try {
      const open = fast.admit(ctx, path, input);
      // Reserve the id while the feed opens (a stop before then cancels the join).
      let cancelled = false;
      const refused = reserve(conn, limits, id, path, { abort: () => (cancelled = true) });
      if (refused) throw refused;
      open().then(
        (feed) => {
          if (conn.closed) return;
          if (cancelled) release(conn, id, path);
          else feeds.join(ws, id, jsonrpc, path, feed);
        },
        (cause) => {
          release(conn, id, path);
          fastFailed(ws, msg, fast.type, ctx, input, cause);
        },
      );
    } catch (cause) {
      fastFailed(ws, msg, fast.type, ctx, input, cause);
    }
  }

  /** A fast path's call refused or failed: its error reply (and onError), as for any other call. */
  function fastFailed(
    ws: Socket,
    msg: CallMessage,
    type: FastPath<TCtx>['type'],
    ctx: TCtx,
    input: unknown,
    cause: unknown,
  ) {
    const path = msg.params.path;
    send(ws, { ...errorMessage(msg.id, cause, { type, path, input, ctx }), jsonrpc: msg.jsonrpc });
  }

  /** Forwards a subscription's events, pausing while the socket is over its high-water mark. */
  async function pump(
    ws: Socket,
    id: SubId,
    jsonrpc: '2.0' | undefined,
    source: AsyncIterable<unknown>,
    abort: AbortController,
    info: { path: string; input: unknown; ctx: TCtx },
  ) {
    const conn = ws.getUserData();
    const iterator = source[Symbol.asyncIterator]();
    const aborted = new Promise<'abort'>((resolve) => {
      if (abort.signal.aborted) resolve('abort');
      abort.signal.addEventListener('abort', () => resolve('abort'), { once: true });
    });
    try {
      while (true) {
        const drained = waitForDrain(ws);
        // Unpromise.race, not Promise.race: racing the long-lived `aborted` promise with Promise.race leaks
        // one reaction per event for the life of the subscription.
        if (drained && (await Unpromise.race([drained, aborted])) === 'abort') break;
        const next = await Unpromise.race([iterator.next(), aborted]);
        if (next === 'abort' || next.done) break;
        const value = next.value;
        const result = isTrackedEnvelope(value)
          ? { type: 'data' as const, id: value[0], data: { id: value[0], data: value[1] } }
          : { type: 'data' as const, data: value };
        send(ws, { id, jsonrpc, result });
      }
      send(ws, { id, jsonrpc, result: { type: 'stopped' } });
    } catch (cause) {
      send(ws, { ...errorMessage(id, cause, { type: 'subscription', ...info }), jsonrpc });
    } finally {
      if (conn.subs.get(id) === abort) release(conn, id, info.path);
      await iterator.return?.().catch(() => undefined);
    }
  }

  /** The first message of a connection that announced connectionParams carries them (a token, or none). */
  function readConnectionParams(ws: Socket, text: string) {
    let token: string | null = null;
    try {
      const msg: unknown = JSON.parse(text);
      if (!isObject(msg) || msg.method !== 'connectionParams') throw new Error('Expected connectionParams');
      const params = parseConnectionParamsFromUnknown(msg.data);
      token = typeof params?.token === 'string' ? params.token : null;
    } catch (cause) {
      const error = new TRPCError({ code: 'PARSE_ERROR', message: 'Malformed connectionParams', cause });
      send(ws, errorMessage(null, error, {}));
      ws.end(1008, 'Malformed connectionParams');
      return;
    }
    startContext(ws, token);
  }

  /**
   * The usual call on plain JSON (a numbered query, mutation or subscription without lastEventId), checked
   * as tRPC's parseTRPCMessage checks it and used as parsed: parseTRPCMessage copies it into two new
   * objects, 4 % of the server's allocations at 10,000 fixes/s (issue 15 §7). Undefined for anything else,
   * which parseTRPCMessage then reads (or refuses, with its own message).
   */
  function usualCall(obj: unknown): TRPCClientOutgoingMessage | undefined {
    if (!isObject(obj)) return undefined;
    const { id, jsonrpc, method, params } = obj;
    if (typeof id !== 'number' || Number.isNaN(id) || (jsonrpc !== undefined && jsonrpc !== '2.0'))
      return undefined;
    if (method !== 'query' && method !== 'mutation' && method !== 'subscription') return undefined;
    if (!isObject(params) || typeof params.path !== 'string' || params.lastEventId !== undefined)
      return undefined;
    return obj as unknown as TRPCClientOutgoingMessage;
  }

  /** One call of a frame, as tRPC reads it (throws what parseTRPCMessage throws). */
  const parseCall = (obj: unknown) =>
    (plainJson && usualCall(obj)) || parseTRPCMessage(obj, config.transformer);

  /** One frame: a call or a batch of calls, each paid for from the socket's bucket, then dispatched. */
  function dispatch(ws: Socket, text: string) {
    const conn = ws.getUserData();
    let msgs: TRPCClientOutgoingMessage[] | null = null;
    let one: TRPCClientOutgoingMessage | null = null;
    try {
      const json: unknown = JSON.parse(text);
      if (!Array.isArray(json)) {
        // One call (the usual frame): no arrays made for it (issue 15 §7).
        one = parseCall(json);
      } else if (json.length > MAX_WS_BATCH) {
        // The same cap as an HTTP batch: one frame must not carry thousands of calls.
        const error = new TRPCError({ code: 'BAD_REQUEST', message: 'Batch call exceeds maximum size' });
        send(ws, errorMessage(null, error, {}));
        return;
      } else {
        msgs = new Array(json.length);
        for (let i = 0; i < json.length; i++) msgs[i] = parseCall(json[i]);
      }
    } catch (cause) {
      send(ws, errorMessage(null, new TRPCError({ code: 'PARSE_ERROR', cause }), {}));
      return;
    }
    const now = Date.now();
    if (one) return void call(ws, conn, one, 0, now);
    for (let i = 0; i < msgs!.length; i++) if (!call(ws, conn, msgs![i]!, i, now)) return;
  }

  /** One call of a frame, paid for from the socket's bucket. False: the socket was closed for flooding. */
  function call(
    ws: Socket,
    conn: Conn<TCtx>,
    msg: TRPCClientOutgoingMessage,
    i: number,
    now: number,
  ): boolean {
    // Stops are always welcome (they free what a call holds); every other call costs a token.
    if (msg.method !== 'subscription.stop' && !takeToken(conn, limits, now)) {
      // Still going long after the bucket ran dry: not a client that listens, so it is closed.
      if (conn.refused > burst) {
        ws.end(1008, 'Rate limit');
        return false;
      }
      if (msg.id !== null) {
        const error = tooMany('Too many calls on this connection: slow down.');
        send(ws, { ...errorMessage(msg.id, error, { type: msg.method }), jsonrpc: msg.jsonrpc });
      }
      return true;
    }
    const fast =
      msg.method !== 'subscription.stop' && msg.id !== null ? fastPaths.get(msg.params.path) : undefined;
    if (fast?.type !== msg.method) void handleRequest(ws, msg, i);
    else if (conn.context) handleFast(ws, msg as CallMessage, fast);
    else whenReady(ws, conn, msg as CallMessage, fast);
    return true;
  }

  /**
   * Right after connecting the context may still be resolving: the call waits for it (in order, like
   * every other call). Its own function, so `call` makes no closure context per call.
   */
  function whenReady(ws: Socket, conn: Conn<TCtx>, msg: CallMessage, fast: FastPath<TCtx>) {
    conn.ctx?.then(
      () => !conn.closed && handleFast(ws, msg, fast),
      () => {},
    );
  }

  app.ws<Conn<TCtx>>(opts.path, {
    compression: uws.DISABLED,
    maxPayloadLength: 256 * 1024,
    maxBackpressure: MAX_BACKPRESSURE,
    closeOnBackpressureLimit: 0,
    idleTimeout: 60,
    sendPingsAutomatically: true,

    upgrade: (res, req, context) => {
      // Copy everything now: `req` is gone once this function returns.
      const origin = req.getHeader('origin');
      const host = req.getHeader('host');
      const cookie = req.getHeader('cookie');
      const key = req.getHeader('sec-websocket-key');
      const protocol = req.getHeader('sec-websocket-protocol');
      const extensions = req.getHeader('sec-websocket-extensions');
      const query = new URLSearchParams(req.getQuery() ?? '');
      const ip = clientIp(res, req, opts.trustProxies ?? 0);
      // Browsers always send Origin on a WebSocket; a page from elsewhere must not ride our cookie.
      if (origin && !opts.originAllowed(origin, host)) {
        res.writeStatus('403 Forbidden').writeHeader('content-type', 'text/plain').end('Origin not allowed');
        return;
      }
      // Sockets per address: refused before the upgrade, with a status a client (or its user) can read.
      const fromIp = perIp.get(ip) ?? 0;
      if (fromIp >= limits.maxSocketsPerIp) {
        res.cork(() =>
          res
            .writeStatus('429 Too Many Requests')
            .writeHeader('retry-after', '10')
            .writeHeader('content-type', 'text/plain')
            .writeHeader('x-content-type-options', 'nosniff')
            .end('Too many connections from this address'),
        );
        return;
      }
      // Counted from here (the upgrade opens the socket synchronously) until its close.
      perIp.set(ip, fromIp + 1);
      const conn: Conn<TCtx> = {
        ip,
        // Without an Origin (non-browser clients) only connectionParams.token authenticates.
        cookieToken: origin && cookie ? opts.readSessionCookie(cookie) : null,
        expectsConnectionParams: query.get('connectionParams') === '1',
        closed: false,
        subs: new Subscriptions(),
        ctx: null,
        context: null,
        drainWaiters: null,
        lagging: null,
        tokens: burst,
        refilledAt: Date.now(),
        refused: 0,
        perPath: null,
      };
      res.upgrade(conn, key, protocol, extensions, context);
    },

    open: (ws) => {
      sockets.add(ws);
      const conn = ws.getUserData();
      if (!conn.expectsConnectionParams) startContext(ws, null);
    },

    message: (ws, message, isBinary) => {
      const conn = ws.getUserData();
      const text = utf8.decode(message);
      if (!isBinary) {
        if (text === 'PING') return void ws.send('PONG');
        if (text === 'PONG') return;
      }
      inHandler = ws;
      try {
        if (!conn.ctx) readConnectionParams(ws, text);
        else dispatch(ws, text);
      } finally {
        inHandler = null;
      }
    },

    drain: (ws) => {
      const conn = ws.getUserData();
      if (conn.lagging && ws.getBufferedAmount() < LAG_MARK / 2) feeds.catchUp(ws, conn.lagging);
      if (ws.getBufferedAmount() >= HIGH_WATER_MARK) return;
      const waiters = conn.drainWaiters?.splice(0) ?? [];
      for (const w of waiters) w();
    },

    close: (ws) => {
      sockets.delete(ws);
      const conn = ws.getUserData();
      conn.closed = true;
      const fromIp = (perIp.get(conn.ip) ?? 1) - 1;
      if (fromIp > 0) perIp.set(conn.ip, fromIp);
      else perIp.delete(conn.ip);
      // Listed under its session and user if it was open when its context resolved (deleting is harmless).
      const who = identity(conn);
      for (const key of who ? authKeys(who) : []) {
        const set = byAuth.get(key);
        set?.delete(ws);
        if (set?.size === 0) byAuth.delete(key);
      }
      if (who) opts.onUserSocket?.(who.user, false);
      for (const sub of conn.subs.all()) sub.abort();
      conn.subs.clear();
      conn.perPath = null;
      conn.lagging = null;
      for (const w of conn.drainWaiters?.splice(0) ?? []) w();
    },
  });

  return {
    get connections() {
      return sockets.size;
    },
    /** Asks every client to reconnect (tRPC's `reconnect` notice), then closes the sockets cleanly. */
    closeAll(code = 1001, reason = 'Server restarting') {
      opts.revocations.off('revoked', onRevoked);
      opts.revocations.off('revokedUser', onRevokedUser);
      for (const ws of [...sockets]) {
        send(ws, JSON.stringify({ id: null, method: 'reconnect' }));
        ws.end(code, reason);
      }
    },
  };
}

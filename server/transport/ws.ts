import type { AnyRouter } from '@trpc/server';
import { isObservable, observableToAsyncIterable } from '@trpc/server/observable';
import type { TRPCClientOutgoingMessage, TRPCResponseMessage } from '@trpc/server/rpc';
import {
  getErrorShape,
  getProcedureAtPath,
  getTRPCErrorFromUnknown,
  isAsyncIterable,
  isObject,
  isTrackedEnvelope,
  parseConnectionParamsFromUnknown,
  parseTRPCMessage,
  TRPCError,
  transformTRPCResponse,
  Unpromise,
} from '@trpc/server/unstable-core-do-not-import';
import { DomainError } from '../lib/errors';
import { log } from '../lib/log';
import { assertKeyMayCall } from '../modules/developer/scopes';
import { type Context, readCookie, SESSION_COOKIE } from '../trpc/context';
import { isServerFault } from '../trpc/errors';
import type { FastProcedure, Feed, FeedEvent } from '../trpc/fast';
import { requireRole, requireUser } from '../trpc/procedures';
import type { OriginPolicy } from './security';
import { clientIp, type TemplatedApp, uws, type WebSocket } from './uws';

/** Above this many buffered bytes a subscription stops pulling events until the socket drains. */
const HIGH_WATER_MARK = 256 * 1024;
/** Beyond this the peer is not reading at all: drop it (it reconnects and resumes from lastEventId). */
const MAX_BACKPRESSURE = 4 * 1024 * 1024;
/**
 * A feed viewer with more than this buffered stops receiving published events; it keeps only the newest
 * one, sent when the socket drains (coalescing: never a queue of positions that are already old).
 */
const LAG_MARK = 16 * 1024;
/** Calls in one WebSocket frame (a JSON array): the same cap as an HTTP batch. */
export const MAX_WS_BATCH = 50;
/** Subscriptions of these paths a socket may hold at once (one heartbeat says all a client needs). */
const PER_PATH_LIMITS: Readonly<Record<string, number>> = { 'system.heartbeat': 1 };

/** What one socket, one address and one user may hold (issue 15 §1); see WS_* in config.ts. */
export type WsLimits = {
  maxSubscriptions: number;
  maxSocketsPerIp: number;
  maxSocketsPerUser: number;
  /** Calls per second a socket may make on average (a burst of twice that, or one full batch, is fine). */
  callsPerSecond: number;
};
const UNLIMITED: WsLimits = {
  maxSubscriptions: Number.POSITIVE_INFINITY,
  maxSocketsPerIp: Number.POSITIVE_INFINITY,
  maxSocketsPerUser: Number.POSITIVE_INFINITY,
  callsPerSecond: Number.POSITIVE_INFINITY,
};

type ConnectionMeta = {
  ip: string;
  cookieToken: string | null;
  expectsConnectionParams: boolean;
};

type Conn = ConnectionMeta & {
  closed: boolean;
  subs: Subscriptions;
  ctx: Promise<Context> | null;
  /** The context once resolved: fast paths use it without waiting a tick. */
  context: Context | null;
  drainWaiters: Array<() => void> | null;
  /** Feed memberships over LAG_MARK, waiting for a drain. */
  lagging: Set<Member> | null;
  /** Token bucket of calls (refilled at callsPerSecond) and when it was last refilled. */
  tokens: number;
  refilledAt: number;
  /** Calls refused for the rate since the bucket last had tokens: a client that keeps going is closed. */
  refused: number;
  /** Subscriptions held per path, for PER_PATH_LIMITS (null until one is held). */
  perPath: Map<string, number> | null;
};

/**
 * Viewers of one feed on one subscription id share a uWS topic: each event is framed once and
 * published once, and uWS writes it to every member natively.
 */
type Group = {
  topic: string;
  id: number | string;
  jsonrpc: '2.0' | undefined;
  /** `{"id":…,"result":{"type":"data","id":` — everything before the event. */
  prefix: string;
  members: Set<Member>;
  unsubscribe: () => void;
};
type Sub = { abort(): void };
type SubId = number | string;

/**
 * A connection's subscriptions by id. Most sockets have none or one, so the first is kept inline: a Map
 * per socket would cost about 300 bytes of every viewer's memory.
 */
class Subscriptions {
  private firstId: SubId | null = null;
  private first: Sub | undefined;
  private rest: Map<SubId, Sub> | null = null;
  /** How many ids are held (reserved ones included): the per-socket cap counts this. */
  size = 0;

  get(id: SubId): Sub | undefined {
    return this.firstId === id ? this.first : this.rest?.get(id);
  }
  has(id: SubId) {
    return this.get(id) !== undefined;
  }
  set(id: SubId, sub: Sub) {
    if (!this.has(id)) this.size++;
    if (this.firstId === id || (this.first === undefined && !this.rest?.has(id))) {
      this.firstId = id;
      this.first = sub;
    } else {
      this.rest ??= new Map();
      this.rest.set(id, sub);
    }
  }
  delete(id: SubId) {
    if (this.has(id)) this.size--;
    if (this.firstId === id) {
      this.firstId = null;
      this.first = undefined;
    } else this.rest?.delete(id);
  }
  all(): Sub[] {
    return [...(this.first ? [this.first] : []), ...(this.rest?.values() ?? [])];
  }
  clear() {
    this.firstId = null;
    this.first = undefined;
    this.rest = null;
    this.size = 0;
  }
}

type CallMessage = Exclude<TRPCClientOutgoingMessage, { method: 'subscription.stop' }> & {
  id: number | string;
};
type Member = { ws: WebSocket<Conn>; group: Group; pending: string | null; abort(): void };

export type WsHandlerOptions = {
  router: AnyRouter;
  path: string;
  originAllowed: OriginPolicy;
  createContext: (meta: {
    ip: string;
    cookieToken: string | null;
    bearerToken: string | null;
  }) => Promise<Context>;
  /** Session revocations (sign-out): sockets authenticated by that session are closed. */
  revocations: Context['services']['sessions']['events'];
  /** Procedures served without the middleware chain, by path (each must exist in `router` too). */
  fastPaths?: Record<string, FastProcedure>;
  /** How many load balancers of ours stand in front (TRUST_PROXY): whose X-Forwarded-For to believe. */
  trustProxies?: number;
  /** A socket authenticated as this user opened / closed (presence: the domain decides what it means). */
  onUserSocket?: (user: { id: string; role: string }, open: boolean) => void;
  /** Caps per socket, address and user (unset: none, for tools that embed the adapter). */
  limits?: WsLimits;
};

/**
 * tRPC's WebSocket protocol (what `wsLink` speaks) on uWS: queries, mutations, subscriptions with
 * tracked ids, `connectionParams`, PING/PONG, and a `reconnect` notice on shutdown. Mirrors the
 * logic of tRPC's `ws` adapter, with uWS's backpressure and corking.
 */
export function attachTrpcWebSocket(app: TemplatedApp, opts: WsHandlerOptions) {
  const config = opts.router._def._config;
  const fastPaths = new Map(Object.entries(opts.fastPaths ?? {}));
  const procedures = opts.router._def.procedures as Record<string, { _def: { type: string } } | undefined>;
  for (const [path, fast] of fastPaths) {
    if (procedures[path]?._def.type !== fast.type)
      throw new Error(`Fast path ${path} has no ${fast.type} procedure of that name in the router`);
  }
  const groups = new Map<string, Group>();
  const limits = opts.limits ?? UNLIMITED;
  const burst = Math.max(MAX_WS_BATCH, 2 * limits.callsPerSecond);
  /** Open (and opening) sockets per client address. */
  const perIp = new Map<string, number>();
  // Without a data transformer (plain JSON on the wire) responses need no per-message transform pass.
  const probe = {};
  const plainJson =
    config.transformer.output.serialize(probe) === probe &&
    config.transformer.input.serialize(probe) === probe;
  const sockets = new Set<WebSocket<Conn>>();
  // Sockets by the session and the user that authenticated them, so a sign-out reaches open sockets too.
  const byAuth = new Map<string, Set<WebSocket<Conn>>>();
  const authKeys = (session: { id: string; userId: string }) => [`s:${session.id}`, `u:${session.userId}`];
  const endAuthenticated = (key: string) => {
    for (const ws of [...(byAuth.get(key) ?? [])]) ws.end(4401, 'Session ended');
  };
  const onRevoked = (sessionId: string) => endAuthenticated(`s:${sessionId}`);
  const onRevokedUser = (userId: string) => endAuthenticated(`u:${userId}`);
  opts.revocations.on('revoked', onRevoked);
  opts.revocations.on('revokedUser', onRevokedUser);

  function send(ws: WebSocket<Conn>, msg: TRPCResponseMessage | string) {
    const conn = ws.getUserData();
    if (conn.closed) return;
    const text =
      typeof msg === 'string' ? msg : JSON.stringify(plainJson ? msg : transformTRPCResponse(config, msg));
    ws.cork(() => {
      const status = ws.send(text, false);
      // 2 = dropped: uWS refused to buffer more for this socket.
      if (status === 2 || ws.getBufferedAmount() > MAX_BACKPRESSURE) {
        log.warn('websocket over backpressure limit, closing', { ip: conn.ip });
        ws.end(1013, 'Backpressure limit');
      }
    });
  }

  function waitForDrain(ws: WebSocket<Conn>): Promise<void> | undefined {
    const conn = ws.getUserData();
    if (conn.closed || ws.getBufferedAmount() < HIGH_WATER_MARK) return undefined;
    return new Promise((resolve) => {
      conn.drainWaiters ??= [];
      conn.drainWaiters.push(resolve);
    });
  }

  function errorMessage(
    id: number | string | null,
    cause: unknown,
    extra: {
      type?: 'query' | 'mutation' | 'subscription' | 'unknown';
      path?: string;
      input?: unknown;
      ctx?: Context;
    },
  ): TRPCResponseMessage {
    const error = getTRPCErrorFromUnknown(cause);
    if (isServerFault(error))
      log.error('procedure failed', { path: extra.path, error: String(error.cause ?? error) });
    return {
      id,
      error: getErrorShape({
        config,
        error,
        type: extra.type ?? 'unknown',
        path: extra.path,
        input: extra.input,
        ctx: extra.ctx,
      }),
    };
  }

  const tooMany = (message: string) => new DomainError('RATE_LIMITED', message, { retryAfterSeconds: 1 });

  /** Takes one call from the socket's bucket; false when it is empty (the call is refused). */
  function takeToken(conn: Conn, now: number): boolean {
    conn.tokens = Math.min(burst, conn.tokens + ((now - conn.refilledAt) / 1000) * limits.callsPerSecond);
    conn.refilledAt = now;
    if (conn.tokens >= 1) {
      conn.tokens -= 1;
      conn.refused = 0;
      return true;
    }
    conn.refused++;
    return false;
  }

  /** A subscription's slot on its socket, counted per path too; false (nothing reserved) when over a cap. */
  function reserve(conn: Conn, id: SubId, path: string, sub: Sub): Error | null {
    if (conn.subs.has(id)) return new TRPCError({ code: 'BAD_REQUEST', message: `Duplicate id ${id}` });
    if (conn.subs.size >= limits.maxSubscriptions)
      return tooMany(`At most ${limits.maxSubscriptions} subscriptions per connection.`);
    const cap = PER_PATH_LIMITS[path];
    const held = conn.perPath?.get(path) ?? 0;
    if (cap !== undefined && held >= cap) return tooMany(`At most ${cap} ${path} per connection.`);
    if (cap !== undefined) {
      conn.perPath ??= new Map();
      conn.perPath.set(path, held + 1);
    }
    conn.subs.set(id, sub);
    return null;
  }

  /** Gives a reserved slot back (the subscription ended, failed or never started). */
  function release(conn: Conn, id: SubId, path: string) {
    conn.subs.delete(id);
    const held = conn.perPath?.get(path);
    if (held === undefined) return;
    if (held <= 1) conn.perPath!.delete(path);
    else conn.perPath!.set(path, held - 1);
  }

  function startContext(ws: WebSocket<Conn>, bearerToken: string | null) {
    const conn = ws.getUserData();
    conn.ctx = opts.createContext({ ip: conn.ip, cookieToken: conn.cookieToken, bearerToken });
    conn.ctx.then((ctx) => {
      if (ctx.session && !conn.closed) {
        if ((byAuth.get(`u:${ctx.session.userId}`)?.size ?? 0) >= limits.maxSocketsPerUser) {
          // Refused politely: the reason first, then a close code the client can tell apart (4429). Its
          // context stays unset, so nothing was counted for it (presence, sign-out) and no call runs.
          send(ws, errorMessage(null, tooMany('Too many open connections for this account.'), {}));
          ws.end(4429, 'Too many connections');
          return;
        }
      }
      conn.context = ctx;
      if (!ctx.session || conn.closed) return;
      for (const key of authKeys(ctx.session)) {
        const set = byAuth.get(key) ?? new Set();
        set.add(ws);
        byAuth.set(key, set);
      }
      if (ctx.user) opts.onUserSocket?.(ctx.user, true);
    });
    conn.ctx.catch((cause) => {
      send(ws, errorMessage(null, cause, {}));
      setImmediate(() => !conn.closed && ws.end(1011, 'Context failed'));
    });
  }

  async function handleRequest(ws: WebSocket<Conn>, msg: TRPCClientOutgoingMessage, batchIndex: number) {
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
    const { path, lastEventId } = msg.params;
    let { input } = msg.params;
    const type = msg.method;
    if (lastEventId !== undefined) {
      input = isObject(input) ? { ...input, lastEventId } : (input ?? { lastEventId });
    }
    let ctx: Context | undefined;
    const abort = new AbortController();
    // A subscription's slot is taken now, before any await: a flood of them in one frame meets the cap.
    if (type === 'subscription') {
      const refused = reserve(conn, id, path, abort);
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
      const result: unknown = await proc({
        path,
        getRawInput: async () => input,
        ctx,
        type,
        signal: abort.signal,
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
   * A fast path (see server/trpc/fast.ts): the same access rules, validation and handler as the
   * procedure, without the middleware chain. Only used once the connection's context is known.
   */
  function handleFast(ws: WebSocket<Conn>, msg: CallMessage, fast: FastProcedure) {
    const conn = ws.getUserData();
    const { id, jsonrpc } = msg;
    const { path, lastEventId } = msg.params;
    let { input } = msg.params;
    if (lastEventId !== undefined) {
      input = isObject(input) ? { ...input, lastEventId } : (input ?? { lastEventId });
    }
    const ctx = conn.context!;
    const fail = (cause: unknown) =>
      send(ws, { ...errorMessage(id, cause, { type: fast.type, path, input, ctx }), jsonrpc });
    try {
      const authed = requireUser(ctx);
      assertKeyMayCall(ctx.apiKey, path);
      if (fast.roles) requireRole(authed, fast.roles);
      const parsed = fast.input.safeParse(input);
      if (!parsed.success) throw new TRPCError({ code: 'BAD_REQUEST', cause: parsed.error });
      if (fast.type === 'mutation') {
        const out = fast.handle(authed, parsed.data);
        if (out instanceof Promise)
          out.then((data) => send(ws, { id, jsonrpc, result: { type: 'data', data } }), fail);
        else send(ws, { id, jsonrpc, result: { type: 'data', data: out } });
        return;
      }
      // Reserve the id while the feed opens (a stop before then cancels the join).
      let cancelled = false;
      const refused = reserve(conn, id, path, { abort: () => (cancelled = true) });
      if (refused) throw refused;
      fast.open(authed, parsed.data).then(
        (feed) => {
          if (conn.closed) return;
          if (cancelled) conn.subs.delete(id);
          else join(ws, id, jsonrpc, path, feed);
        },
        (cause) => {
          conn.subs.delete(id);
          fail(cause);
        },
      );
    } catch (cause) {
      fail(cause);
    }
  }

  const frame = (group: Group, e: FeedEvent) => {
    const eventId = JSON.stringify(e.id);
    return `${group.prefix}${eventId},"data":{"id":${eventId},"data":${e.json}}}}`;
  };

  function join(
    ws: WebSocket<Conn>,
    id: number | string,
    jsonrpc: '2.0' | undefined,
    path: string,
    feed: Feed,
  ) {
    const conn = ws.getUserData();
    const topic = `${path}\n${feed.key}\n${JSON.stringify(id)}\n${jsonrpc ?? ''}`;
    let group = groups.get(topic);
    if (!group) {
      const g: Group = {
        topic,
        id,
        jsonrpc,
        prefix: `{"id":${JSON.stringify(id)},${jsonrpc ? '"jsonrpc":"2.0",' : ''}"result":{"type":"data","id":`,
        members: new Set(),
        unsubscribe: () => {},
      };
      groups.set(topic, g);
      g.unsubscribe = feed.subscribe({ event: (e) => publish(g, e), end: () => end(g) });
      // Ended as it opened (the viewer's access ended meanwhile): started, then stopped at once.
      if (groups.get(topic) !== g) {
        conn.subs.delete(id);
        send(ws, { id, jsonrpc, result: { type: 'started' } });
        send(ws, { id, jsonrpc, result: { type: 'stopped' } });
        return;
      }
      group = g;
    }
    const member = new Membership(ws, group);
    group.members.add(member);
    conn.subs.set(id, member);
    send(ws, { id, jsonrpc, result: { type: 'started' } });
    ws.subscribe(topic);
    const first = feed.current();
    if (first) send(ws, frame(group, first));
  }

  /** A viewer in a group; `abort` (subscription.stop) leaves it. A class: no closures per viewer. */
  class Membership implements Member {
    pending: string | null = null;
    constructor(
      readonly ws: WebSocket<Conn>,
      readonly group: Group,
    ) {}
    abort() {
      leave(this);
      send(this.ws, { id: this.group.id, jsonrpc: this.group.jsonrpc, result: { type: 'stopped' } });
    }
  }

  function publish(group: Group, e: FeedEvent) {
    const text = frame(group, e);
    for (const m of group.members) {
      if (m.pending !== null) m.pending = text;
      else if (m.ws.getBufferedAmount() > LAG_MARK) {
        // Stop publishing to this one; it gets the newest event when it drains.
        m.pending = text;
        m.ws.unsubscribe(group.topic);
        const conn = m.ws.getUserData();
        conn.lagging ??= new Set();
        conn.lagging.add(m);
      }
    }
    app.publish(group.topic, text, false);
  }

  function catchUp(ws: WebSocket<Conn>, lagging: Set<Member>) {
    for (const m of lagging) {
      const text = m.pending;
      m.pending = null;
      if (!m.group.members.has(m)) continue;
      ws.subscribe(m.group.topic);
      if (text) send(ws, text);
    }
    ws.getUserData().lagging = null;
  }

  /** Takes a member out of its group and out of its socket's bookkeeping. */
  function detach(m: Member) {
    const conn = m.ws.getUserData();
    m.group.members.delete(m);
    conn.subs.delete(m.group.id);
    conn.lagging?.delete(m);
    if (!conn.closed) m.ws.unsubscribe(m.group.topic);
  }

  function leave(m: Member) {
    const { group } = m;
    if (!group.members.has(m)) return;
    detach(m);
    if (group.members.size === 0) {
      groups.delete(group.topic);
      group.unsubscribe();
    }
  }

  /** The feed ended (e.g. the job started): every member's subscription stops. */
  function end(group: Group) {
    groups.delete(group.topic);
    for (const m of [...group.members]) {
      detach(m);
      send(m.ws, { id: group.id, jsonrpc: group.jsonrpc, result: { type: 'stopped' } });
    }
  }

  /** Forwards a subscription's events, pausing while the socket is over its high-water mark. */
  async function pump(
    ws: WebSocket<Conn>,
    id: number | string,
    jsonrpc: '2.0' | undefined,
    source: AsyncIterable<unknown>,
    abort: AbortController,
    info: { path: string; input: unknown; ctx: Context },
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

  app.ws<Conn>(opts.path, {
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
      const conn: Conn = {
        ip,
        // Without an Origin (non-browser clients) only connectionParams.token authenticates.
        cookieToken: origin && cookie ? (readCookie(cookie, SESSION_COOKIE) ?? null) : null,
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
      const text = Buffer.from(message).toString('utf8');
      if (!isBinary) {
        if (text === 'PING') return void ws.send('PONG');
        if (text === 'PONG') return;
      }
      if (!conn.ctx) {
        // The first message of a connection that announced connectionParams carries them.
        let token: string | null = null;
        try {
          const msg: unknown = JSON.parse(text);
          if (!isObject(msg) || msg.method !== 'connectionParams')
            throw new Error('Expected connectionParams');
          const params = parseConnectionParamsFromUnknown(msg.data);
          token = typeof params?.token === 'string' ? params.token : null;
        } catch (cause) {
          send(
            ws,
            errorMessage(
              null,
              new TRPCError({ code: 'PARSE_ERROR', message: 'Malformed connectionParams', cause }),
              {},
            ),
          );
          ws.end(1008, 'Malformed connectionParams');
          return;
        }
        startContext(ws, token);
        return;
      }
      let msgs: TRPCClientOutgoingMessage[];
      try {
        const json: unknown = JSON.parse(text);
        const list = Array.isArray(json) ? json : [json];
        // The same cap as an HTTP batch: one frame must not carry thousands of calls.
        if (list.length > MAX_WS_BATCH) {
          const error = new TRPCError({ code: 'BAD_REQUEST', message: 'Batch call exceeds maximum size' });
          send(ws, errorMessage(null, error, {}));
          return;
        }
        msgs = list.map((raw) => parseTRPCMessage(raw, config.transformer));
      } catch (cause) {
        send(ws, errorMessage(null, new TRPCError({ code: 'PARSE_ERROR', cause }), {}));
        return;
      }
      const now = Date.now();
      for (let i = 0; i < msgs.length; i++) {
        const msg = msgs[i]!;
        // Stops are always welcome (they free what a call holds); every other call costs a token.
        if (msg.method !== 'subscription.stop' && !takeToken(conn, now)) {
          // Still going long after the bucket ran dry: not a client that listens, so it is closed.
          if (conn.refused > burst) {
            ws.end(1008, 'Rate limit');
            return;
          }
          if (msg.id !== null) {
            const error = tooMany('Too many calls on this connection: slow down.');
            send(ws, { ...errorMessage(msg.id, error, { type: msg.method }), jsonrpc: msg.jsonrpc });
          }
          continue;
        }
        const fast =
          msg.method !== 'subscription.stop' && msg.id !== null ? fastPaths.get(msg.params.path) : undefined;
        if (fast?.type !== msg.method) void handleRequest(ws, msg, i);
        else if (conn.context) handleFast(ws, msg as CallMessage, fast);
        // Right after connecting the context may still be resolving (in order, like every other call).
        else
          conn.ctx?.then(
            () => !conn.closed && handleFast(ws, msg as CallMessage, fast),
            () => {},
          );
      }
    },

    drain: (ws) => {
      const conn = ws.getUserData();
      if (conn.lagging && ws.getBufferedAmount() < LAG_MARK / 2) catchUp(ws, conn.lagging);
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
      for (const key of conn.context?.session ? authKeys(conn.context.session) : []) {
        const set = byAuth.get(key);
        set?.delete(ws);
        if (set?.size === 0) byAuth.delete(key);
      }
      if (conn.context?.session && conn.context.user) opts.onUserSocket?.(conn.context.user, false);
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

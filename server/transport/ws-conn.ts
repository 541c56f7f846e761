import { TRPCError } from '@trpc/server';
import { DomainError } from '../lib/errors';
import type { WebSocket } from './uws';

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
export const UNLIMITED: WsLimits = {
  maxSubscriptions: Number.POSITIVE_INFINITY,
  maxSocketsPerIp: Number.POSITIVE_INFINITY,
  maxSocketsPerUser: Number.POSITIVE_INFINITY,
  callsPerSecond: Number.POSITIVE_INFINITY,
};

/** The largest burst of calls a socket may make: twice its rate, and always one full batch. */
export const burstOf = (limits: WsLimits) => Math.max(MAX_WS_BATCH, 2 * limits.callsPerSecond);

export type SubId = number | string;
export type Sub = { abort(): void };

/**
 * Viewers of one feed on one subscription id share a uWS topic: each event is framed once and
 * published once, and uWS writes it to every member natively (see ws-feeds.ts).
 */
export type Group = {
  topic: string;
  id: SubId;
  jsonrpc: '2.0' | undefined;
  /** `{"id":…,"result":{"type":"data","id":` — everything before the event. */
  prefix: string;
  members: Set<Member>;
  /** Events published to the group so far (viewers' buffers are checked every few: ws-feeds.ts). */
  published: number;
  unsubscribe: () => void;
};
// biome-ignore lint/suspicious/noExplicitAny: a member's socket may carry any context type
export type Member = { ws: WebSocket<Conn<any>>; group: Group; pending: string | null; abort(): void };

/** One socket's state, kept in uWS's user data. */
export type Conn<TCtx> = {
  ip: string;
  cookieToken: string | null;
  expectsConnectionParams: boolean;
  closed: boolean;
  subs: Subscriptions;
  ctx: Promise<TCtx> | null;
  /** The context once resolved: fast paths use it without waiting a tick. */
  context: TCtx | null;
  drainWaiters: Array<() => void> | null;
  /** Feed memberships over the lag mark, waiting for a drain. */
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
 * A connection's subscriptions by id. Most sockets have none or one, so the first is kept inline: a Map
 * per socket would cost about 300 bytes of every viewer's memory.
 */
export class Subscriptions {
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

export const tooMany = (message: string) =>
  new DomainError('RATE_LIMITED', message, { retryAfterSeconds: 1 });

/** Takes one call from the socket's bucket; false when it is empty (the call is refused). */
export function takeToken<T>(conn: Conn<T>, limits: WsLimits, now: number): boolean {
  conn.tokens = Math.min(
    burstOf(limits),
    conn.tokens + ((now - conn.refilledAt) / 1000) * limits.callsPerSecond,
  );
  conn.refilledAt = now;
  if (conn.tokens >= 1) {
    conn.tokens -= 1;
    conn.refused = 0;
    return true;
  }
  conn.refused++;
  return false;
}

/** A subscription's slot on its socket, counted per path too; an error (nothing reserved) when over a cap. */
export function reserve<T>(conn: Conn<T>, limits: WsLimits, id: SubId, path: string, sub: Sub): Error | null {
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
export function release<T>(conn: Conn<T>, id: SubId, path: string) {
  conn.subs.delete(id);
  const held = conn.perPath?.get(path);
  if (held === undefined) return;
  if (held <= 1) conn.perPath!.delete(path);
  else conn.perPath!.set(path, held - 1);
}

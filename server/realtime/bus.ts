import { EventEmitter, on } from 'node:events';
import type { Redis } from 'ioredis';
import { log } from '../lib/log';

/**
 * Pub/sub for live events (booking changes, offers, fixes, presence, session revocations).
 *
 * - One process (no REDIS_URL): an EventEmitter.
 * - Several nodes: the same calls over Redis pub/sub. Local subscribers still get an event synchronously
 *   (as in one process); other nodes get it through Redis, and skip their own echo. A node subscribes in
 *   Redis only to the channels its own listeners need (reference-counted), so a booking's events reach
 *   only the nodes where someone watches it.
 *
 * Subscribers attach before they read the backlog so nothing falls between the two; with Redis, await
 * `ready` (the SUBSCRIBE acknowledged) before reading it.
 */
export type Bus = {
  /** This node's id: cross-node messages carry it so a node can tell its own from others'. */
  readonly nodeId: string;
  readonly mode: 'memory' | 'redis';
  publish<T>(channel: string, event: T): void;
  /** Calls `listener` for each event (from every node); returns the unsubscribe function. */
  on<T>(channel: string, listener: (event: T) => void): Unsubscribe;
  /** An async iterator of the channel's events from now on; ends when `signal` aborts. */
  subscribe<T>(channel: string, signal: AbortSignal | undefined): AsyncIterable<T> & { ready: Promise<void> };
  /** Redis connected (always true in memory). */
  healthy(): boolean;
  close(): Promise<void>;
};
export type Unsubscribe = (() => void) & { ready: Promise<void> };

const done = Promise.resolve();

function iterate<T>(
  emitter: EventEmitter,
  channel: string,
  signal: AbortSignal | undefined,
  ready: Promise<void>,
  release: () => void,
): AsyncIterable<T> & { ready: Promise<void> } {
  const iterator = on(emitter, channel, { signal });
  // Also when iteration never starts (the consumer left during the backlog).
  signal?.addEventListener('abort', release, { once: true });
  return {
    ready,
    async *[Symbol.asyncIterator]() {
      try {
        for await (const [event] of iterator) yield event as T;
      } catch (e) {
        if (!(e instanceof Error && e.name === 'AbortError')) throw e;
      } finally {
        release();
      }
    },
  };
}

export function createBus(nodeId = 'local'): Bus {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  return {
    nodeId,
    mode: 'memory',
    publish(channel, event) {
      emitter.emit(channel, event);
    },
    on(channel, listener) {
      emitter.on(channel, listener);
      return Object.assign(() => void emitter.off(channel, listener), { ready: done });
    },
    subscribe(channel, signal) {
      return iterate(emitter, channel, signal, done, () => {});
    },
    healthy: () => true,
    close: async () => {},
  };
}

/**
 * The Redis bus: `pub` publishes, `sub` is in subscriber mode. Each message is `{"n":node,"e":event}`,
 * serialised once per publish; every receiving node parses it once and hands the same object to all of
 * its listeners on that channel.
 */
export function createRedisBus(opts: { pub: Redis; sub: Redis; nodeId: string; prefix?: string }): Bus {
  const { pub, sub, nodeId } = opts;
  // Channel names in Redis get this prefix, so one Redis can serve other deployments and applications.
  const PREFIX = `${opts.prefix ?? 'fundi'}:`;
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  const refs = new Map<string, { count: number; ready: Promise<void> }>();

  sub.on('message', (raw: string, message: string) => {
    const channel = raw.slice(PREFIX.length);
    if (!refs.has(channel)) return;
    let parsed: { n: string; e: unknown };
    try {
      parsed = JSON.parse(message);
    } catch {
      log.warn('bus: unreadable message', { channel });
      return;
    }
    if (parsed.n === nodeId) return; // delivered locally when published
    emitter.emit(channel, parsed.e);
  });

  function acquire(channel: string): { ready: Promise<void>; release: () => void } {
    let ref = refs.get(channel);
    if (ref) ref.count++;
    else {
      const ready = sub.subscribe(PREFIX + channel).then(
        () => undefined,
        (e: Error) => log.error('bus: subscribe failed', { channel, error: e.message }),
      );
      ref = { count: 1, ready };
      refs.set(channel, ref);
    }
    let released = false;
    return {
      ready: ref.ready,
      release: () => {
        if (released) return;
        released = true;
        const r = refs.get(channel);
        if (!r || --r.count > 0) return;
        refs.delete(channel);
        void sub.unsubscribe(PREFIX + channel).catch(() => undefined);
      },
    };
  }

  return {
    nodeId,
    mode: 'redis',
    publish(channel, event) {
      emitter.emit(channel, event);
      // Fire and forget: ioredis queues commands while reconnecting (offline queue), so a short Redis
      // outage delays cross-node events instead of losing them; clients resume from lastEventId anyway.
      pub.publish(PREFIX + channel, JSON.stringify({ n: nodeId, e: event })).catch((e: Error) => {
        log.warn('bus: publish failed', { channel, error: e.message });
      });
    },
    on(channel, listener) {
      emitter.on(channel, listener as (e: unknown) => void);
      const { ready, release } = acquire(channel);
      return Object.assign(
        () => {
          emitter.off(channel, listener as (e: unknown) => void);
          release();
        },
        { ready },
      );
    },
    subscribe(channel, signal) {
      const { ready, release } = acquire(channel);
      return iterate(emitter, channel, signal, ready, release);
    },
    healthy: () => pub.status === 'ready' && sub.status === 'ready',
    async close() {
      refs.clear();
      await Promise.allSettled([sub.quit(), pub.quit()]);
    },
  };
}

export const channels = {
  booking: (id: string) => `booking:${id}`,
  technicianOffers: (technicianId: string) => `offers:${technicianId}`,
  /** Every node: accepted fixes, for each node's replica of the live index and its watchers. */
  fixes: 'fixes',
  /** Every node: a booking changed status or technician (active jobs, availability). */
  bookingChanges: 'booking-changes',
  /** Every node: technicians whose row changed (online, services, verification): re-read them. */
  technicians: 'technicians',
  /** Every node: an onboarding application changed (submitted, decided, expired): the admins' queue. */
  applications: 'applications',
  /** Every node: who is connected where (presence beats). */
  presence: 'presence',
  /** Every node: sessions and users signed out or changed. */
  sessions: 'sessions',
};

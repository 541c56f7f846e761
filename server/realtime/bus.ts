import { EventEmitter, on } from 'node:events';

/**
 * In-process pub/sub for live events (booking changes, offers). Subscribers attach before they read
 * the backlog so nothing falls between the two. With several server nodes this becomes Redis pub/sub
 * behind the same two calls.
 */
export function createBus() {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  return {
    publish<T>(channel: string, event: T) {
      emitter.emit(channel, event);
    },
    /** Calls `listener` for each event; returns the unsubscribe function. */
    on<T>(channel: string, listener: (event: T) => void): () => void {
      emitter.on(channel, listener);
      return () => emitter.off(channel, listener);
    },
    /** An async iterator of the channel's events from now on; ends when `signal` aborts. */
    subscribe<T>(channel: string, signal: AbortSignal | undefined): AsyncIterable<T> {
      const iterator = on(emitter, channel, { signal });
      return {
        async *[Symbol.asyncIterator]() {
          try {
            for await (const [event] of iterator) yield event as T;
          } catch (e) {
            if (!(e instanceof Error && e.name === 'AbortError')) throw e;
          }
        },
      };
    },
  };
}

export type Bus = ReturnType<typeof createBus>;

export const channels = {
  booking: (id: string) => `booking:${id}`,
  technicianOffers: (technicianId: string) => `offers:${technicianId}`,
};

/**
 * Shared feeds: one stream of events (e.g. one booking's live position) that many viewers watch. The
 * domain produces them (tracking.service), the WebSocket transport fans them out (one frame per event for
 * every viewer), and tRPC's subscription procedures read them as async iterables (server/trpc/fast.ts).
 */

/** One event of a shared feed: its id (resumable), its data, and the data serialised once for all viewers. */
export type FeedEvent = { id: string; data: unknown; json: string };

export type FeedSink = { event(e: FeedEvent): void; end(): void };

/** A viewer's way into a feed that many viewers share. */
export type Feed = {
  /** Viewers with the same key receive the same events. */
  key: string;
  /** The newest event if this viewer has not seen it (it resumed from an older lastEventId, or is new). */
  current(): FeedEvent | undefined;
  /** Registers a sink for every later event; returns the unsubscribe function. */
  subscribe(sink: FeedSink): () => void;
};

/**
 * One event of a resumable stream, as the domain yields it: its id (a client resumes after it) and its data.
 * The router turns these into tRPC's tracked events (server/trpc/tracked.ts); services know nothing of tRPC.
 */
export type StreamEvent<T> = { id: string; data: T };

export const streamEvent = <T>(id: string, data: T): StreamEvent<T> => ({ id, data });

import { tracked } from '@trpc/server';
import type { StreamEvent } from '../realtime/feed';

/**
 * A service's stream of `{ id, data }` events as tRPC tracked events (each id is what a client resumes
 * from with `lastEventId`). Ending early (the client left) closes the service's stream too.
 */
export async function* trackedStream<T>(source: AsyncIterable<StreamEvent<T>>) {
  for await (const e of source) yield tracked(e.id, e.data);
}

/**
 * A live stream's inbox: bus callbacks `push` into it, the stream's generator `wait`s for the next item.
 * Used by every resumable stream that merges bus messages into one ordered queue (chat, me, notifications).
 */
export type Inbox<T> = {
  /** What has arrived and not been taken yet, oldest first (the stream shifts or splices from it). */
  readonly items: T[];
  /** Adds an item and wakes the waiting stream. */
  push(item: T): void;
  /** Resolves true once an item is waiting, false once `signal` has aborted (the stream then returns). */
  wait(): Promise<boolean>;
  /** Stops listening to `signal`; call it in the stream's `finally`. */
  close(): void;
};

export function inbox<T>(signal: AbortSignal | undefined): Inbox<T> {
  const items: T[] = [];
  let wake: (() => void) | null = null;
  const onAbort = () => wake?.();
  signal?.addEventListener('abort', onAbort);
  return {
    items,
    push(item) {
      items.push(item);
      wake?.();
    },
    async wait() {
      while (items.length === 0) {
        if (signal?.aborted) return false;
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = null;
      }
      return !signal?.aborted;
    },
    close() {
      signal?.removeEventListener('abort', onAbort);
    },
  };
}

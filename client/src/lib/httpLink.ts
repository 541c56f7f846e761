import { httpBatchLink } from '@trpc/client';

/** Queries and mutations over HTTP, batched within one tick. */
export function httpLink() {
  return httpBatchLink({
    url: '/trpc',
    // The server refuses URLs over 16 KiB (414) and batches over 50 calls: split before either.
    maxURLLength: 8 * 1024,
    maxItems: 50,
    fetch: (input, init) => fetch(input, { ...init, credentials: 'same-origin' }),
  });
}

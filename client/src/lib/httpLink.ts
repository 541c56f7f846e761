import { httpBatchLink } from '@trpc/client';

/** Queries and mutations over HTTP, batched within one tick. */
export function httpLink() {
  return httpBatchLink({
    url: '/trpc',
    // The server refuses batches over 50 calls, and this uWS build drops a request whose header block
    // (request line included) passes ~4 KB across packets: keep URLs well under that, headers need room.
    maxURLLength: 2500,
    maxItems: 50,
    fetch: (input, init) => fetch(input, { ...init, credentials: 'same-origin' }),
  });
}

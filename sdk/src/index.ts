/**
 * @fundi/client: the Fundi API's typed client (issue 17 §3). Built from the repository by
 * `npm run build:client-sdk`; the router's types ship as declarations, so an integrator needs none of
 * the server's sources.
 */
import {
  createTRPCClient,
  createWSClient,
  httpBatchLink,
  splitLink,
  type TRPCClient,
  TRPCClientError,
  wsLink,
} from '@trpc/client';
import type { AppRouter } from '../../server/trpc/root';

export type { AppRouter };
export { TRPCClientError };

export type FundiClientOptions = {
  /** The app's origin, e.g. `https://fundi.example` (the API is at `/trpc`, its WebSocket too). */
  baseUrl: string;
  /** An API key: `fk_live_…`, or `fk_test_…` for test mode (a sandbox served by simulated technicians). */
  apiKey: string;
  /**
   * A WebSocket implementation where there is no global one (Node 20: the `ws` package's default export, or run
   * Node with `--experimental-websocket`). Browsers and Node ≥ 22 need nothing.
   */
  WebSocket?: unknown;
  /** Delay before reconnect attempt `n` (0-based); default: 0.5 s doubling up to 30 s. */
  retryDelayMs?: (attempt: number) => number;
  /** Open the WebSocket only when a subscription starts, and close it when the last one ends (default: true). */
  lazy?: boolean;
  /** Extra fetch (for tests or proxies); default: the global fetch. */
  fetch?: typeof fetch;
};

/** The typed client: `client.booking.create.mutate(…)`, `client.tracking.watch.subscribe(…)`. */
export type FundiClient = TRPCClient<AppRouter>;

/** Each client's WebSocket (the client is a proxy: every property name is a procedure path). */
const sockets = new WeakMap<FundiClient, { close(): Promise<void> }>();

const defaultRetry = (attempt: number) => Math.min(30_000, 500 * 2 ** attempt);

/**
 * Queries and mutations go over HTTP (batched, `Authorization: Bearer <apiKey>`); subscriptions go over
 * one WebSocket (the key in `connectionParams`). When the socket drops, it reconnects with backoff and
 * every subscription resumes from the last event it received (`lastEventId`: Fundi's streams are tracked),
 * so a reconnect loses no status change.
 */
export function createFundiClient(options: FundiClientOptions): FundiClient {
  const base = options.baseUrl.replace(/\/+$/, '');
  if (!/^https?:\/\//.test(base)) throw new TypeError('baseUrl must start with http:// or https://');
  if (!/^fk_(live|test)_/.test(options.apiKey))
    throw new TypeError('apiKey must be an fk_live_ or fk_test_ key');
  const wsUrl = `${base.replace(/^http/, 'ws')}/trpc`;
  const ws = createWSClient({
    url: wsUrl,
    connectionParams: { token: options.apiKey },
    retryDelayMs: options.retryDelayMs ?? defaultRetry,
    lazy: { enabled: options.lazy ?? true, closeMs: 0 },
    ...(options.WebSocket ? { WebSocket: options.WebSocket as typeof globalThis.WebSocket } : {}),
  });
  const client = createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === 'subscription',
        true: wsLink({ client: ws }),
        false: httpBatchLink({
          url: `${base}/trpc`,
          headers: () => ({ authorization: `Bearer ${options.apiKey}` }),
          ...(options.fetch ? { fetch: options.fetch } : {}),
        }),
      }),
    ],
  });
  sockets.set(client, ws);
  return client;
}

/** Closes the client's WebSocket (open subscriptions end); HTTP calls keep working. */
export async function closeFundiClient(client: FundiClient): Promise<void> {
  await sockets.get(client)?.close();
}

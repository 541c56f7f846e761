import { createWSClient, splitLink, type TRPCWebSocketClient, wsLink } from '@trpc/client';
import { createTRPCReact } from '@trpc/react-query';
import { useSyncExternalStore } from 'react';
import type { AppRouter } from '../../../server/trpc/root';
import { reconnectDelayMs } from './backoff';
import { httpLink } from './httpLink';

export const trpc = createTRPCReact<AppRouter>();

export type Api = {
  readonly trpcClient: ReturnType<typeof trpc.createClient>;
  readonly wsClient: TRPCWebSocketClient;
};

/**
 * Calls that go over the WebSocket besides subscriptions: the technician's location fixes, one small
 * call every few seconds, which would otherwise pay for an HTTP request (and its headers) each time.
 */
const OVER_WEBSOCKET = new Set<string>(['tracking.update']);

function realtimeUrl(): string {
  const protocol = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${protocol}//${window.location.host}/trpc`;
}

function createApi(): Api {
  const wsClient = createWSClient({
    url: realtimeUrl,
    retryDelayMs: (attempt) => reconnectDelayMs(attempt),
    // Mobile networks silently drop idle sockets; pings notice a dead connection within ~20 s.
    keepAlive: { enabled: true, intervalMs: 15_000, pongTimeoutMs: 5_000 },
  });
  const trpcClient = trpc.createClient({
    links: [
      splitLink({
        condition: (op) => op.type === 'subscription' || OVER_WEBSOCKET.has(op.path),
        true: wsLink({ client: wsClient }),
        false: httpLink(),
      }),
    ],
  });
  return { trpcClient, wsClient };
}

// The API clients live outside React: they are app-wide singletons that must survive StrictMode's double
// mounting, and non-component code (sign-in/out handlers) needs to swap them.
let current = createApi();
const listeners = new Set<() => void>();

export function getApi(): Api {
  return current;
}

function subscribeApi(listener: () => void): () => void {
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
  };
}

/** The current API clients; components re-render when restartRealtime() swaps them. */
export function useApi(): Api {
  return useSyncExternalStore(subscribeApi, getApi);
}

/**
 * Opens a fresh WebSocket. The server authenticates a socket from the cookie sent with its upgrade request,
 * so after sign-in/sign-out the old socket still speaks for the previous session and must be replaced.
 * Subscribers (useSubscription) see the new client through <ApiProvider> and resubscribe on it.
 */
export function restartRealtime(): void {
  const previous = current;
  current = createApi();
  for (const listener of listeners) listener();
  void previous.wsClient.close();
}

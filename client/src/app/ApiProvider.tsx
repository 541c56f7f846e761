import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { type ReactNode, useEffect } from 'react';
import { loadCachedUser } from '../features/session/cachedUser';
import { isRetryable } from '../lib/apiErrors';
import { PERSIST_MAX_AGE_MS, persistQueryClient } from '../lib/queryPersist';
import { getApi, restartRealtime, trpc, useApi } from '../lib/trpc';

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      retry: (failureCount, error) => failureCount < 2 && isRetryable(error),
      staleTime: 30_000,
      // Kept in memory as long as on the device (see queryPersist), so a saved answer isn't dropped early.
      gcTime: PERSIST_MAX_AGE_MS,
    },
    mutations: {
      // Fail at once when offline with a clear message, instead of a button stuck on "Signing in…" while
      // react-query silently waits for the network to return.
      networkMode: 'always',
    },
  },
});

// Saved answers of the user this device last saw come back at once (offline included).
void persistQueryClient(queryClient, loadCachedUser()?.id ?? null);

export function ApiProvider({ children }: { children: ReactNode }) {
  const api = useApi();

  // Coming back online, don't sit out the rest of a reconnect backoff: open a fresh socket right away.
  useEffect(() => {
    const onOnline = () => {
      if (getApi().wsClient.connectionState.get().state !== 'pending') restartRealtime();
    };
    window.addEventListener('online', onOnline);
    return () => window.removeEventListener('online', onOnline);
  }, []);

  return (
    <trpc.Provider client={api.trpcClient} queryClient={queryClient}>
      <QueryClientProvider client={queryClient}>{children}</QueryClientProvider>
    </trpc.Provider>
  );
}

import { hashKey, useQueryClient } from '@tanstack/react-query';
import { getQueryKey } from '@trpc/react-query';
import {
  createContext,
  type ReactNode,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useRef,
  useState,
} from 'react';
import type { PublicUser } from '../../../../server/contracts/auth';
import { useI18n } from '../../i18n/I18nProvider';
import { clearPersistedQueries, persistForUser } from '../../lib/queryPersist';
import { restartRealtime, trpc } from '../../lib/trpc';
import { loadCachedUser, saveCachedUser } from './cachedUser';

export type Session =
  | { status: 'loading' }
  | { status: 'signed-out' }
  /** `confirmed` is false while the user shown is the copy saved on this device, not yet checked by the server. */
  | { status: 'signed-in'; user: PublicUser; confirmed: boolean };

type SessionState = {
  session: Session;
  /** The server could not be reached (as opposed to the device being offline, which useOnline reports). */
  unreachable: boolean;
};

const SessionContext = createContext<SessionState | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const me = trpc.auth.me.useQuery(undefined, { staleTime: 60_000 });
  const [cachedUser] = useState(loadCachedUser);
  const serverUser = me.data;

  useEffect(() => {
    if (serverUser === undefined) return;
    saveCachedUser(serverUser);
    persistForUser(serverUser?.id ?? null);
  }, [serverUser]);

  const state = useMemo<SessionState>(() => {
    const unreachable = me.isError;
    if (serverUser !== undefined) {
      return {
        session: serverUser
          ? { status: 'signed-in', user: serverUser, confirmed: true }
          : { status: 'signed-out' },
        unreachable,
      };
    }
    // Show the saved user straight away (instant start on slow networks, usable offline); the server's
    // answer replaces it when it arrives.
    if (cachedUser)
      return { session: { status: 'signed-in', user: cachedUser, confirmed: false }, unreachable };
    // Paused: react-query holds requests while the device is offline.
    if (me.isError || me.fetchStatus === 'paused') return { session: { status: 'signed-out' }, unreachable };
    return { session: { status: 'loading' }, unreachable: false };
  }, [serverUser, cachedUser, me.isError, me.fetchStatus]);

  useUserLocale(state.session);

  return <SessionContext.Provider value={state}>{children}</SessionContext.Provider>;
}

/** The signed-in user's saved language wins over the device's, once per user who signs in. */
function useUserLocale(session: Session) {
  const { setLocale } = useI18n();
  const appliedForUser = useRef<string | null>(null);
  useEffect(() => {
    if (session.status !== 'signed-in') {
      appliedForUser.current = null;
      return;
    }
    if (appliedForUser.current === session.user.id) return;
    appliedForUser.current = session.user.id;
    setLocale(session.user.locale);
  }, [session, setLocale]);
}

export function useSessionState(): SessionState {
  const state = useContext(SessionContext);
  if (!state) throw new Error('useSessionState must be used inside <SessionProvider>');
  return state;
}

export function useSession(): Session {
  return useSessionState().session;
}

/**
 * Switches the app to a new session (a user after sign-in/sign-up, null after sign-out): drops every
 * cached query of the previous user, records the new user, and reopens the WebSocket with the new cookie.
 */
export function useChangeSession(): (user: PublicUser | null) => void {
  const queryClient = useQueryClient();
  const utils = trpc.useUtils();
  return useCallback(
    (user) => {
      const meHash = hashKey(getQueryKey(trpc.auth.me, undefined, 'query'));
      queryClient.removeQueries({ predicate: (query) => query.queryHash !== meHash });
      utils.auth.me.setData(undefined, user);
      saveCachedUser(user);
      // Nothing saved for the previous user may show for the next one (or after sign-out).
      void clearPersistedQueries(user?.id ?? null);
      restartRealtime();
    },
    [queryClient, utils],
  );
}

import type { UserRow } from '../../db/schema';
import type { Config } from '../config';
import {
  blankSessionCookie,
  readCookie,
  SESSION_COOKIE,
  sessionCookie,
  type ValidSession,
} from '../modules/auth/session';
import type { ApiKeyPrincipal } from '../modules/developer/keys.service';
import type { Services } from '../services';

/** What a transport knows about one request (HTTP) or one connection (WebSocket), copied out of uWS. */
export type RequestMeta = {
  transport: 'http' | 'ws';
  ip: string;
  /** The session cookie, only when the transport decided cookies may authenticate this request. */
  cookieToken: string | null;
  bearerToken: string | null;
  /** HTTP only: adds a Set-Cookie to the response. A no-op on WebSockets. */
  setCookie: (value: string) => void;
  /** HTTP only: adds a response header (an API key's RateLimit-*). */
  setHeader?: (name: string, value: string) => void;
};

export type Context = {
  services: Services;
  config: Config;
  req: RequestMeta;
  session: ValidSession | null;
  user: UserRow | null;
  /** Set when an API key (`Bearer fk_…`) authenticated the call: it acts as its organisation. */
  apiKey?: ApiKeyPrincipal | null;
};

export async function createContext(services: Services, config: Config, req: RequestMeta): Promise<Context> {
  const token = req.bearerToken ?? req.cookieToken;
  if (token?.startsWith('fk_')) {
    // A method of the HTTP transport's request object: called on it, not passed bare.
    const setHeader = req.setHeader && ((name: string, value: string) => req.setHeader?.(name, value));
    const auth = await services.developer.keys.authenticate(token, setHeader);
    return {
      services,
      config,
      req,
      session: auth?.session ?? null,
      user: auth?.user ?? null,
      apiKey: auth?.key,
    };
  }
  const session = token ? await services.sessions.validate(token) : null;
  if (req.cookieToken && !req.bearerToken) {
    if (!session) req.setCookie(blankSessionCookie(config.secureCookies));
    else if (session.renewed) {
      req.setCookie(sessionCookie(req.cookieToken, session.expiresAt, config.secureCookies));
    }
  }
  return { services, config, req, session, user: session?.user ?? null };
}

/** The session token in a Cookie header (the transports read cookies only where they may authenticate). */
export const readSessionCookie = (cookieHeader: string) => readCookie(cookieHeader, SESSION_COOKIE) ?? null;

/** Who a context speaks for, as the WebSocket transport lists sockets (sign-out and bans end them). */
export const identify = (ctx: Context) =>
  ctx.session && ctx.user ? { sessionId: ctx.session.id, user: ctx.user } : null;

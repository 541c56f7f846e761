import { EventEmitter } from 'node:events';
import { sha256 } from '@oslojs/crypto/sha2';
import { encodeBase32LowerCaseNoPadding, encodeHexLowerCase } from '@oslojs/encoding';
import type { UserRow } from '../../../db/schema';
import { intern } from '../../lib/intern';
import { type Bus, channels, createBus } from '../../realtime/bus';
import type { AuthRepo } from './auth.repo';

// Lucia's session design (lucia-auth.com/sessions): random token to the client, SHA-256 of it in the DB.
export const SESSION_TTL_MS = 30 * 24 * 60 * 60 * 1000;
export const SESSION_RENEW_WITHIN_MS = 15 * 24 * 60 * 60 * 1000;
export const SESSION_COOKIE = 'fundi_session';

/** 160 random bits, base32: comfortably above the guide's 120-bit floor. */
export function generateSessionToken(): string {
  const bytes = new Uint8Array(20);
  crypto.getRandomValues(bytes);
  return encodeBase32LowerCaseNoPadding(bytes);
}

const utf8 = new TextEncoder();
/**
 * Hex SHA-256 of the token's UTF-8 bytes, with @oslojs/crypto as the Lucia guide (and our fixed stack) has
 * it. node:crypto would be ~2 µs faster per request (0.9 vs 2.9 µs measured); the API path meets its
 * target (≤ 2× a raw uWS hello) without that, so the stack stays as chosen.
 */
export const sessionIdFromToken = (token: string) => encodeHexLowerCase(sha256(utf8.encode(token)));

export type ValidSession = { id: string; userId: string; expiresAt: Date; renewed: boolean; user: UserRow };

/**
 * Validated sessions are kept in memory for a short while so that an authenticated request costs no
 * database round-trip (it was most of an API call's CPU). Sign-out and account changes drop the entry at
 * once on every node: they go over the bus (Redis pub/sub with several nodes), and each node closes the
 * sockets of that session or user. CACHE_TTL_MS only bounds how stale an entry can get if a message is
 * lost (Redis down).
 */
const CACHE_TTL_MS = 30_000;
const CACHE_MAX_ENTRIES = 100_000;
/**
 * An entry used when older than this is read again in the background, together with every other entry
 * due meanwhile (one query per REFRESH_BATCH_MS, not one per session): a request then never waits for its
 * session's re-read, and a user whose requests come less than CACHE_TTL_MS apart (an app open, an API
 * client, a technician working a job) never has it re-read one by one. A user back after longer still
 * costs one read (in bench:rush, where most customers book once, about 1.3 such reads per job remain).
 * An entry is still never used older than CACHE_TTL_MS: past it, the request reads the row itself.
 */
const REFRESH_AFTER_MS = 10_000;
const REFRESH_BATCH_MS = 500;
type CachedSession = {
  userId: string;
  expiresAt: number;
  user: UserRow;
  cachedAt: number;
  /** The answer handed out while nothing changes: shared by every connection of this session. */
  valid?: ValidSession;
};

/** What crosses nodes on `channels.sessions`. */
type SessionMessage =
  | { type: 'revoked'; sessionId: string }
  | { type: 'userChanged'; userId: string }
  | { type: 'userRevoked'; userId: string };

export function createSessionStore(repo: AuthRepo, now: () => number = Date.now, bus: Bus = createBus()) {
  // Long-lived WebSockets authenticate once, at connect: they listen here to drop a signed-out session.
  const events = new EventEmitter<{ revoked: [sessionId: string]; revokedUser: [userId: string] }>();
  events.setMaxListeners(0);
  const cache = new Map<string, CachedSession>();
  const sessionsOfUser = new Map<string, Set<string>>();
  // One database read per session at a time: a reconnect storm (every socket of a restarted node)
  // costs one query per session, not one per socket.
  const reading = new Map<string, Promise<CachedSession | null>>();
  // Bumped by every invalidation: a database read that started before one must not refill the cache
  // (it may have read the row just before a sign-out or profile change committed).
  let generation = 0;

  function remember(id: string, entry: CachedSession) {
    if (cache.size >= CACHE_MAX_ENTRIES) drop(cache.keys().next().value!);
    cache.set(id, entry);
    const ids = sessionsOfUser.get(entry.userId) ?? new Set();
    ids.add(id);
    sessionsOfUser.set(entry.userId, ids);
  }

  /** An invalidation: the entry goes, and reads in flight may not put it back. */
  function forget(id: string) {
    generation++;
    drop(id);
  }

  function drop(id: string) {
    const entry = cache.get(id);
    if (!entry) return;
    cache.delete(id);
    const ids = sessionsOfUser.get(entry.userId);
    ids?.delete(id);
    if (ids?.size === 0) sessionsOfUser.delete(entry.userId);
  }

  /** Sessions used past REFRESH_AFTER_MS, to be read again together. */
  const due = new Set<string>();
  let refreshTimer: ReturnType<typeof setTimeout> | undefined;

  function refreshLater(id: string) {
    if (due.has(id) || reading.has(id)) return;
    due.add(id);
    refreshTimer ??= setTimeout(() => {
      refreshTimer = undefined;
      void refresh();
    }, REFRESH_BATCH_MS);
    refreshTimer.unref?.();
  }

  async function refresh() {
    const ids = [...due];
    due.clear();
    const readAt = generation;
    const t = now();
    let rows: Awaited<ReturnType<AuthRepo['sessionsWithUsers']>>;
    try {
      rows = await repo.sessionsWithUsers(ids);
    } catch {
      return; // the entries lapse, and the next request reads its own (and reports the failure)
    }
    // An invalidation meanwhile: this read may predate it, so nothing of it is kept.
    if (generation !== readAt) return;
    const found = new Set<string>();
    for (const row of rows) {
      found.add(row.session.id);
      row.user.id = intern(row.user.id);
      remember(row.session.id, {
        userId: row.user.id,
        expiresAt: row.session.expiresAt.getTime(),
        user: row.user,
        cachedAt: t,
      });
    }
    for (const id of ids) if (!found.has(id)) drop(id);
  }

  function forgetUser(userId: string) {
    generation++;
    for (const id of sessionsOfUser.get(userId) ?? []) cache.delete(id);
    sessionsOfUser.delete(userId);
  }

  async function load(id: string, t: number): Promise<CachedSession | null> {
    const readAt = generation;
    const row = await repo.findSessionWithUser(id);
    if (!row) {
      drop(id);
      return null;
    }
    // Every call of this session looks its user up by this id (the live path's Maps: server/lib/intern.ts).
    row.user.id = intern(row.user.id);
    const entry = {
      userId: row.user.id,
      expiresAt: row.session.expiresAt.getTime(),
      user: row.user,
      cachedAt: t,
    };
    if (generation === readAt) remember(id, entry);
    return entry;
  }

  bus.on<SessionMessage>(channels.sessions, (m) => {
    if (m.type === 'revoked') {
      forget(m.sessionId);
      events.emit('revoked', m.sessionId);
    } else {
      forgetUser(m.userId);
      if (m.type === 'userRevoked') events.emit('revokedUser', m.userId);
    }
  });

  return {
    events,
    async create(userId: string): Promise<{ token: string; expiresAt: Date }> {
      const token = generateSessionToken();
      const expiresAt = new Date(now() + SESSION_TTL_MS);
      await repo.insertSession({ id: sessionIdFromToken(token), userId, expiresAt });
      return { token, expiresAt };
    },

    /** The session for a token, renewed when under 15 days remain; null when unknown or expired. */
    async validate(token: string): Promise<ValidSession | null> {
      if (!/^[a-z2-7]{32}$/.test(token)) return null;
      const id = sessionIdFromToken(token);
      const t = now();
      let entry = cache.get(id);
      if (!entry || t - entry.cachedAt > CACHE_TTL_MS) {
        let read = reading.get(id);
        if (!read) {
          read = load(id, t).finally(() => reading.delete(id));
          reading.set(id, read);
        }
        const loaded = await read;
        if (!loaded) return null;
        entry = loaded;
      } else if (t - entry.cachedAt > REFRESH_AFTER_MS) refreshLater(id);
      if (entry.expiresAt <= t) {
        drop(id);
        await repo.deleteSession(id);
        return null;
      }
      const renewed = entry.expiresAt - t < SESSION_RENEW_WITHIN_MS;
      if (renewed) {
        entry.expiresAt = t + SESSION_TTL_MS;
        await repo.extendSession(id, new Date(entry.expiresAt));
      }
      let v = entry.valid;
      if (renewed || !v || v.renewed || v.expiresAt.getTime() !== entry.expiresAt) {
        v = { id, userId: entry.userId, expiresAt: new Date(entry.expiresAt), renewed, user: entry.user };
        entry.valid = v;
      }
      return v;
    },

    /** Call after changing a user's row (name, role, verification …) so sessions see it at once. */
    forgetUser(userId: string) {
      bus.publish<SessionMessage>(channels.sessions, { type: 'userChanged', userId });
    },

    async invalidate(sessionId: string) {
      await repo.deleteSession(sessionId);
      bus.publish<SessionMessage>(channels.sessions, { type: 'revoked', sessionId });
    },
    async invalidateAllForUser(userId: string) {
      await repo.deleteUserSessions(userId);
      bus.publish<SessionMessage>(channels.sessions, { type: 'userRevoked', userId });
    },
  };
}

export type SessionStore = ReturnType<typeof createSessionStore>;

export function sessionCookie(token: string, expiresAt: Date, secure: boolean): string {
  return [
    `${SESSION_COOKIE}=${token}`,
    'HttpOnly',
    'SameSite=Lax',
    'Path=/',
    `Expires=${expiresAt.toUTCString()}`,
    ...(secure ? ['Secure'] : []),
  ].join('; ');
}

export function blankSessionCookie(secure: boolean): string {
  return [
    `${SESSION_COOKIE}=`,
    'HttpOnly',
    'SameSite=Lax',
    'Path=/',
    'Max-Age=0',
    ...(secure ? ['Secure'] : []),
  ].join('; ');
}

export function readCookie(header: string, name: string): string | undefined {
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

import { EventEmitter } from 'node:events';
import { sha256 } from '@oslojs/crypto/sha2';
import { encodeBase32LowerCaseNoPadding, encodeHexLowerCase } from '@oslojs/encoding';
import type { UserRow } from '../../../db/schema';
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

export const sessionIdFromToken = (token: string) =>
  encodeHexLowerCase(sha256(new TextEncoder().encode(token)));

export type ValidSession = { id: string; userId: string; expiresAt: Date; renewed: boolean; user: UserRow };

export function createSessionStore(repo: AuthRepo, now: () => number = Date.now) {
  // Long-lived WebSockets authenticate once, at connect: they listen here to drop a signed-out session.
  const events = new EventEmitter<{ revoked: [sessionId: string]; revokedUser: [userId: string] }>();
  events.setMaxListeners(0);
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
      const row = await repo.findSessionWithUser(id);
      if (!row) return null;
      const t = now();
      if (row.session.expiresAt.getTime() <= t) {
        await repo.deleteSession(id);
        return null;
      }
      let expiresAt = row.session.expiresAt;
      const renewed = expiresAt.getTime() - t < SESSION_RENEW_WITHIN_MS;
      if (renewed) {
        expiresAt = new Date(t + SESSION_TTL_MS);
        await repo.extendSession(id, expiresAt);
      }
      return { id, userId: row.user.id, expiresAt, renewed, user: row.user };
    },

    async invalidate(sessionId: string) {
      await repo.deleteSession(sessionId);
      events.emit('revoked', sessionId);
    },
    async invalidateAllForUser(userId: string) {
      await repo.deleteUserSessions(userId);
      events.emit('revokedUser', userId);
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

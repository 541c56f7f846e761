import type { z } from 'zod';
import type { UserRow } from '../../../db/schema';
import type { PublicUser, signInInput, signUpInput, updateMeInput } from '../../contracts/auth';
import { DomainError, isUniqueViolation, pgErrorCode } from '../../lib/errors';
import { log } from '../../lib/log';
import { type Backoff, createBackoff, type RateLimiter } from '../../lib/rate-limit';
import type { AuthRepo } from './auth.repo';
import { assertStrongPassword, burnVerifyTime, hashPassword, verifyPassword } from './password';
import type { SessionStore } from './session';

/**
 * The public view of a row, made once per row object (a WeakMap, so it goes with the row): a session's
 * cached row answers every `auth.me` of that session, and the view's two toISOString were a visible share
 * of that call's CPU (issue 15 §7). Rows are never changed in place (a change reads a new row), and the
 * view is frozen, so sharing it is safe.
 */
const publicUsers = new WeakMap<UserRow, PublicUser>();

export function toPublicUser(u: UserRow): PublicUser {
  let view = publicUsers.get(u);
  if (!view) {
    view = Object.freeze({
      id: u.id,
      email: u.email,
      name: u.name,
      phone: u.phone,
      role: u.role,
      locale: u.locale,
      timeZone: u.timeZone,
      createdAt: u.createdAt.toISOString(),
      updatedAt: u.updatedAt.toISOString(),
    });
    publicUsers.set(u, view);
  }
  return view;
}

/** The demo accounts' domain (db/seed/demo.ts): their shared password is in the README. */
export const DEMO_EMAIL_DOMAIN = 'demo.fundi.app';

type Deps = {
  repo: AuthRepo;
  sessions: SessionStore;
  /** Per address: sign-ups and sign-in attempts (a hard limit per window). */
  limiter: RateLimiter;
  /** Per account: failed sign-ins slow the next attempt down (never a lockout). */
  backoff?: Backoff;
  /** The operations console (issue 14 §3): suspensions and bans, and sign-in events for risk flags. */
  guard?: {
    restrictionOf(userId: string): Promise<{ kind: 'suspend' | 'ban'; until: string | null } | null>;
    recordSignIn(e: { userId: string | null; email: string; ok: boolean; ip: string }): Promise<unknown>;
  };
  /** A technician signed up (their profile, pending, exists): the admins' technician list refreshes. */
  technicianJoined?: (userId: string) => Promise<unknown>;
};
export type Issued = { user: PublicUser; token: string; expiresAt: Date };

export function createAuthService({
  repo,
  sessions,
  limiter,
  backoff = createBackoff({ freeAttempts: 5, maxMs: 60_000 }),
  guard,
  technicianJoined,
}: Deps) {
  const restricted = (r: { kind: 'suspend' | 'ban'; until: string | null } | null) =>
    new DomainError(
      'ACCOUNT_RESTRICTED',
      r?.kind === 'ban' ? 'This account is banned.' : 'This account is suspended.',
      r ? { kind: r.kind, ...(r.until ? { until: r.until } : {}) } : null,
    );

  async function limit(keys: string[]) {
    // Every key is counted, so an attacker cannot dodge the per-account limit by changing IP or vice versa.
    const allowed = (await Promise.all(keys.map((k) => limiter.hit(k)))).every(Boolean);
    if (!allowed)
      throw new DomainError('RATE_LIMITED', 'Too many attempts. Wait a few minutes and try again.');
  }

  async function issue(user: UserRow): Promise<Issued> {
    try {
      const { token, expiresAt } = await sessions.create(user.id);
      return { user: toPublicUser(user), token, expiresAt };
    } catch (e) {
      // The database refuses a session while a suspension or ban is in force (migration 0016): this is
      // a sign-in that raced the ban and lost.
      if (pgErrorCode(e).code === 'FB001') throw restricted((await guard?.restrictionOf(user.id)) ?? null);
      throw e;
    }
  }

  return {
    async signUp(input: z.output<typeof signUpInput>, ip: string): Promise<Issued> {
      await limit([`signup:ip:${ip}`]);
      const user = await this.register(input);
      // A hint only: the account exists whether or not the admins hear of it now.
      if (user.role === 'technician')
        await technicianJoined?.(user.id).catch((e: Error) =>
          log.warn('auth: technician sign-up not announced', { error: e.message }),
        );
      return issue(user);
    },

    /** Creates the account without signing in (sign-up, seeding). */
    async register(input: z.output<typeof signUpInput>): Promise<UserRow> {
      assertStrongPassword(input.password);
      const passwordHash = await hashPassword(input.password);
      try {
        const user = await repo.insertUser({
          email: input.email,
          passwordHash,
          name: input.name,
          role: input.role,
          phone: input.phone ?? null,
          locale: input.locale ?? 'en',
          ...(input.timeZone ? { timeZone: input.timeZone } : {}),
        });
        return user;
      } catch (e) {
        if (isUniqueViolation(e, 'users_email_lower_key')) {
          throw new DomainError('EMAIL_TAKEN', 'An account with this e-mail already exists.');
        }
        throw e;
      }
    },

    async signIn(input: z.output<typeof signInInput>, ip: string): Promise<Issued> {
      // Per address: a hard limit. Per account: a slow-down (ASVS 2.2.1), so strangers failing from many
      // addresses delay the owner by seconds (AUTH_BACKOFF_MAX_SECONDS at most), never lock them out.
      await limit([`signin:ip:${ip}`]);
      const account = `signin:${input.email}`;
      const waitMs = await backoff.wait(account);
      if (waitMs > 0) {
        throw new DomainError('RATE_LIMITED', 'Too many failed attempts for this account. Wait a moment.', {
          retryAfterSeconds: Math.ceil(waitMs / 1000),
        });
      }
      const user = await repo.findUserByEmail(input.email);
      const ok = user
        ? await verifyPassword(user.passwordHash, input.password)
        : await burnVerifyTime(input.password).then(() => false);
      if (!user || !ok) {
        await backoff.fail(account);
        await guard?.recordSignIn({ userId: user?.id ?? null, email: input.email, ok: false, ip });
        throw new DomainError('INVALID_CREDENTIALS', 'E-mail or password is incorrect.');
      }
      await backoff.reset(account);
      // Only after the right password: a suspension is nobody else's business.
      const restriction = await guard?.restrictionOf(user.id);
      if (restriction) throw restricted(restriction);
      const issued = await issue(user);
      await guard?.recordSignIn({ userId: user.id, email: input.email, ok: true, ip });
      return issued;
    },

    signOut: (sessionId: string) => sessions.invalidate(sessionId),

    /** Demo accounts in this database (their password is published: never allowed in production). */
    demoAccounts: () => repo.emailsAtDomain(DEMO_EMAIL_DOMAIN),

    async updateMe(userId: string, patch: z.output<typeof updateMeInput>): Promise<PublicUser> {
      // Nothing to change (`{}`, or only undefined fields): the account as it is, no UPDATE at all.
      const changes = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
      if (Object.keys(changes).length === 0) {
        const current = await repo.findUserById(userId);
        if (!current) throw new DomainError('NOT_FOUND', 'User not found.');
        return toPublicUser(current);
      }
      const row = await repo.updateUser(userId, changes);
      if (!row) throw new DomainError('NOT_FOUND', 'User not found.');
      sessions.forgetUser(userId);
      return toPublicUser(row);
    },

    /** Admins never come from sign-up: only from the CLI or ADMIN_EMAIL/ADMIN_PASSWORD. Idempotent. */
    async ensureAdmin(
      email: string,
      password: string,
      name = 'Administrator',
    ): Promise<{ created: boolean }> {
      const existing = await repo.findUserByEmail(email);
      if (existing) {
        if (existing.role !== 'admin') {
          throw new DomainError('CONFLICT', `${email} already exists with role ${existing.role}.`);
        }
        return { created: false };
      }
      assertStrongPassword(password);
      await repo.insertUser({
        email: email.toLowerCase(),
        passwordHash: await hashPassword(password),
        name,
        role: 'admin',
      });
      return { created: true };
    },
  };
}

export type AuthService = ReturnType<typeof createAuthService>;

import type { z } from 'zod';
import type { UserRow } from '../../../db/schema';
import type { PublicUser, signInInput, signUpInput, updateMeInput } from '../../contracts/auth';
import { DomainError, isUniqueViolation } from '../../lib/errors';
import type { RateLimiter } from '../../lib/rate-limit';
import type { AuthRepo } from './auth.repo';
import { burnVerifyTime, hashPassword, verifyPassword } from './password';
import type { SessionStore } from './session';

export function toPublicUser(u: UserRow): PublicUser {
  return {
    id: u.id,
    email: u.email,
    name: u.name,
    phone: u.phone,
    role: u.role,
    locale: u.locale,
    timeZone: u.timeZone,
    createdAt: u.createdAt.toISOString(),
    updatedAt: u.updatedAt.toISOString(),
  };
}

type Deps = { repo: AuthRepo; sessions: SessionStore; limiter: RateLimiter };
export type Issued = { user: PublicUser; token: string; expiresAt: Date };

export function createAuthService({ repo, sessions, limiter }: Deps) {
  async function limit(keys: string[]) {
    // Every key is counted, so an attacker cannot dodge the per-account limit by changing IP or vice versa.
    const allowed = (await Promise.all(keys.map((k) => limiter.hit(k)))).every(Boolean);
    if (!allowed)
      throw new DomainError('RATE_LIMITED', 'Too many attempts. Wait a few minutes and try again.');
  }

  async function issue(user: UserRow): Promise<Issued> {
    const { token, expiresAt } = await sessions.create(user.id);
    return { user: toPublicUser(user), token, expiresAt };
  }

  return {
    async signUp(input: z.output<typeof signUpInput>, ip: string): Promise<Issued> {
      await limit([`signup:ip:${ip}`]);
      return issue(await this.register(input));
    },

    /** Creates the account without signing in (sign-up, seeding). */
    async register(input: z.output<typeof signUpInput>): Promise<UserRow> {
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
      await limit([`signin:ip:${ip}`, `signin:email:${input.email}`]);
      const user = await repo.findUserByEmail(input.email);
      if (!user) {
        await burnVerifyTime(input.password);
        throw new DomainError('INVALID_CREDENTIALS', 'E-mail or password is incorrect.');
      }
      if (!(await verifyPassword(user.passwordHash, input.password))) {
        throw new DomainError('INVALID_CREDENTIALS', 'E-mail or password is incorrect.');
      }
      await limiter.reset(`signin:email:${input.email}`);
      return issue(user);
    },

    signOut: (sessionId: string) => sessions.invalidate(sessionId),

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

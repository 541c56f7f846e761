import { createHmac, randomInt, timingSafeEqual } from 'node:crypto';
import type { Db } from '../../../db/client';
import { DomainError } from '../../lib/errors';
import type { SmsSender } from './channels/sms';
import { createPhoneRepo } from './phone.repo';

export type PhoneConfig = {
  codeTtlMs: number;
  maxTries: number;
  /** Codes per number and per account within `windowMs`. */
  perPhone: number;
  perAccount: number;
  windowMs: number;
  /** Markets whose customers need a verified phone before their first booking. */
  customerMarkets: string[];
  /** Technicians need a verified phone to go online (off only for load tools). */
  technicianRequired: boolean;
  /** Keys the code hashes (HMAC-SHA256): a stolen table does not give 6-digit codes away by brute force alone. */
  pepper: () => string;
};

/**
 * Phone verification by SMS (issue 11 §3): a 6-digit code, only its HMAC kept, 10 minutes, 5 tries, rate
 * limited per number and per account (counted in the database under advisory locks, so every node and
 * every concurrent request agrees).
 */
export function createPhoneService(deps: {
  db: Db;
  sms: SmsSender;
  config: PhoneConfig;
  /** The account changed (its phone): cached sessions must read it again. */
  changed?: (userId: string) => void;
}) {
  const { db, config } = deps;
  const repo = createPhoneRepo(db);
  const hash = (userId: string, phone: string, code: string) =>
    createHmac('sha256', config.pepper()).update(`${userId}\n${phone}\n${code}`).digest('base64url');

  return {
    async requestCode(userId: string, phone: string, locale: 'en' | 'ar' = 'en') {
      const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
      // Count and insert under the number's and the account's locks (always in that order, so two
      // requests never wait on each other crosswise): concurrent requests cannot all read "2 sent".
      const allowed = await db.transaction(async (tx) => {
        const r = createPhoneRepo(tx);
        await r.lockRequests(userId, phone);
        const sent = await r.sentSince(userId, phone, new Date(Date.now() - config.windowMs));
        if (sent.byPhone >= config.perPhone || sent.byUser >= config.perAccount) return false;
        await r.insertCode({
          userId,
          phone,
          codeHash: hash(userId, phone, code),
          expiresAt: new Date(Date.now() + config.codeTtlMs),
        });
        return true;
      });
      if (!allowed)
        throw new DomainError('RATE_LIMITED', 'Too many codes requested. Wait a while and try again.', {
          retryAfterSeconds: Math.ceil(config.windowMs / 1000),
        });
      const minutes = Math.round(config.codeTtlMs / 60_000);
      await deps.sms.send(
        phone,
        locale === 'ar'
          ? `رمز التحقق في فندي: ${code}. صالح لمدة ${minutes} دقائق. لا تشاركه مع أحد.`
          : `Your Fundi code is ${code}. It expires in ${minutes} minutes. Do not share it.`,
      );
      return { sent: true as const, expiresInSeconds: Math.round(config.codeTtlMs / 1000) };
    },

    async verify(userId: string, phone: string, code: string) {
      const outcome = await db.transaction(async (tx) => {
        const r = createPhoneRepo(tx);
        const row = await r.latestCode(userId, phone);
        if (!row || row.expiresAt.getTime() < Date.now()) return 'expired' as const;
        if (row.attempts >= config.maxTries) return 'tries' as const;
        await r.countTry(row.id);
        const a = Buffer.from(row.codeHash);
        const b = Buffer.from(hash(userId, phone, code));
        if (a.length !== b.length || !timingSafeEqual(a, b))
          return row.attempts + 1 >= config.maxTries ? ('tries' as const) : ('wrong' as const);
        await r.consumeCode(row.id);
        await r.markVerified(userId, phone);
        return 'ok' as const;
      });
      if (outcome === 'ok') deps.changed?.(userId);
      if (outcome === 'expired')
        throw new DomainError('VALIDATION', 'This code has expired. Ask for a new one.', {
          reason: 'expired',
        });
      if (outcome === 'tries')
        throw new DomainError('RATE_LIMITED', 'Too many wrong codes. Ask for a new one.', {
          reason: 'tries',
        });
      if (outcome === 'wrong')
        throw new DomainError('VALIDATION', 'That code is not right.', { reason: 'wrong' });
      return { verified: true as const, phone };
    },

    /** Seeding and test fixtures: a number taken as verified without a code. */
    markVerified: (userId: string, phone: string) => repo.markVerified(userId, phone),

    async status(userId: string) {
      const row = await repo.verified(userId);
      return { phone: row?.phone ?? null, verifiedAt: row?.verifiedAt.toISOString() ?? null };
    },

    /** Technicians go online only with a verified phone. */
    async assertVerified(userId: string) {
      if (!(await repo.verified(userId)))
        throw new DomainError('FORBIDDEN_ROLE', 'Verify your phone number first.', {
          reason: 'phone_unverified',
        });
    },

    async assertMayGoOnline(userId: string) {
      if (config.technicianRequired) await this.assertVerified(userId);
    },

    /** Customers book only with a verified phone where their market asks for one. */
    async assertMayBook(userId: string, market: string) {
      if (config.customerMarkets.includes(market)) await this.assertVerified(userId);
    },
  };
}

export type PhoneService = ReturnType<typeof createPhoneService>;

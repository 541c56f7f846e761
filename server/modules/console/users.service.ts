import { randomBytes } from 'node:crypto';
import type { Db } from '../../../db/client';
import type { OfferRow, UserRestrictionRow, UserRow } from '../../../db/schema';
import type { Restriction, RiskFlag, UserDetail, UserStatus, UserSummary } from '../../contracts/console';
import { decodeCursor, encodeCursor } from '../../lib/cursor';
import { DomainError, pgErrorCode } from '../../lib/errors';
import { log } from '../../lib/log';
import { createAuditRepo } from '../audit/audit.repo';
import type { SessionStore } from '../auth/session';
import type { TechnicianRecords } from '../technician/technician.records';
import type { FileStore } from '../upload/storage';
import type { RiskThresholds } from './risk.config';
import { createConsoleUsersRepo } from './users.repo';

type Caller = { id: string };
const PAGE = 30;
/** An admin's reads of one user's file within this window are one `user.view` audit row. */
export const USER_VIEW_AUDIT_SECONDS = 10 * 60;
const iso = (d: Date | string | null | undefined) => (d == null ? null : new Date(d).toISOString());

const toSummary = (u: UserRow, status: UserStatus): UserSummary => ({
  id: u.id,
  name: u.name,
  email: u.email,
  phone: u.phone,
  role: u.role,
  status,
  createdAt: u.createdAt.toISOString(),
});

const toRestriction = (r: UserRestrictionRow): Restriction => ({
  kind: r.kind,
  reason: r.reason,
  until: iso(r.until),
  at: r.createdAt.toISOString(),
  by: r.createdBy,
});

/** The SQLSTATE the database raises for a session of a suspended or banned user (migration 0016). */
export const RESTRICTED_SQLSTATE = 'FB001';
export const isRestrictedSessionError = (e: unknown) => pgErrorCode(e).code === RESTRICTED_SQLSTATE;

type Deps = {
  db: Db;
  sessions: SessionStore;
  risk: RiskThresholds;
  /** A suspended or erased technician's open offers end in the same transaction. */
  technicians: Pick<TechnicianRecords, 'withdrawOpenOffers'>;
  /** Offers a suspended technician held move on to others (dispatch). */
  offersWithdrawn: (technicianId: string, offers: OfferRow[]) => void;
  /** Their position leaves the live index on every node (tracking). */
  technicianChanged: (id: string) => Promise<void>;
  /** Where uploaded files are kept: an erased account's files are deleted from it. */
  files: Pick<FileStore, 'remove'>;
};

export function createConsoleUsersService(deps: Deps) {
  const { db, sessions } = deps;
  const repo = createConsoleUsersRepo(db);

  async function flagsOf(u: UserRow): Promise<RiskFlag[]> {
    const t = deps.risk;
    const f = await repo.riskFacts(u.id, u.email, t);
    const flags: RiskFlag[] = [];
    if (f.failed >= t.failedSignIns)
      flags.push({
        signal: 'failed_sign_ins',
        facts: { count: f.failed, hours: t.failedSignInHours, threshold: t.failedSignIns },
        at: iso(f.last_failed),
      });
    if (f.rapid >= t.rapidBookings)
      flags.push({
        signal: 'rapid_bookings',
        facts: { count: f.rapid, minutes: t.rapidBookingMinutes, threshold: t.rapidBookings },
        at: iso(f.rapid_at),
      });
    if (f.cancelled >= t.cancellations)
      flags.push({
        signal: 'many_cancellations',
        facts: { count: f.cancelled, days: t.cancellationDays, threshold: t.cancellations },
        at: iso(f.last_cancelled),
      });
    if (f.jump_kmh != null)
      flags.push({
        signal: 'location_jump',
        facts: {
          kmh: Math.round(f.jump_kmh),
          km: Math.round((f.jump_km ?? 0) * 10) / 10,
          threshold: t.jumpKmh,
        },
        at: iso(f.jump_at),
      });
    if (f.last_ip && f.last_ip_new && f.ok_before >= t.newAddressAfter)
      flags.push({
        signal: 'new_address',
        facts: { ip: f.last_ip, previousSignIns: f.ok_before },
        at: iso(f.last_ok_at),
      });
    return flags;
  }

  async function restrict(
    admin: Caller,
    kind: 'suspend' | 'ban',
    input: { id: string; reason: string; until?: string },
  ) {
    const until = input.until ? new Date(input.until) : null;
    if (until && until.getTime() <= Date.now())
      throw new DomainError('VALIDATION', 'The end date must be in the future.');
    let withdrawn: OfferRow[] = [];
    let technician = false;
    await db.transaction(async (tx) => {
      const r = createConsoleUsersRepo(tx);
      // The row lock orders this against sign-ins (their session insert waits, then sees the ban).
      const u = await r.lockUser(input.id);
      if (!u) throw new DomainError('NOT_FOUND', 'User not found.');
      if (u.id === admin.id) throw new DomainError('CONFLICT', 'You cannot suspend your own account.');
      if (u.role === 'admin') throw new DomainError('CONFLICT', 'Admin accounts cannot be suspended here.');
      const current = await r.restrictionInForce(u.id);
      // An open row that has already ended (or the one in force) is closed and replaced.
      await r.liftOpen(u.id, admin.id);
      const row = await r.insertRestriction({
        userId: u.id,
        kind,
        reason: input.reason,
        until,
        createdBy: admin.id,
      });
      await r.deleteSessions(u.id);
      if (u.role === 'technician') {
        technician = true;
        // History stays (bookings, reviews, earnings); only their availability ends.
        await r.takeOffline(u.id);
        withdrawn = await deps.technicians.withdrawOpenOffers(u.id, { tx });
      }
      await createAuditRepo(tx).record({
        actorId: admin.id,
        action: `user.${kind}`,
        subject: `user:${u.id}`,
        reason: input.reason,
        before: current ? { status: current.kind, until: iso(current.until) } : { status: 'active' },
        after: { status: kind === 'ban' ? 'banned' : 'suspended', until: iso(row.until) },
      });
    });
    // Every node drops the user's cached sessions and closes their sockets (bus: Redis with several nodes).
    await sessions.invalidateAllForUser(input.id);
    if (technician) {
      if (withdrawn.length) deps.offersWithdrawn(input.id, withdrawn);
      await deps.technicianChanged(input.id);
    }
    return get(input.id);
  }

  async function get(id: string): Promise<UserDetail> {
    const found = await repo.user(id);
    if (!found) throw new DomainError('NOT_FOUND', 'User not found.');
    const { user: u, status } = found;
    const [history, tech, bookingRows, reviewRows, paymentRows, reportRows, flags, caseRows, outcomes] =
      await Promise.all([
        repo.restrictions(id),
        u.role === 'technician' ? repo.technician(id) : Promise.resolve(undefined),
        repo.bookingsOf(id, 50),
        repo.reviewsOf(id, 50),
        repo.paymentsOf(id, 50),
        repo.reportsOf(id, 50),
        flagsOf(u),
        repo.disputesOf(id, 50),
        repo.outcomesOf(id),
      ]);
    const inForce =
      status === 'suspended' || status === 'banned' ? history.find((r) => !r.liftedAt) : undefined;
    return {
      ...toSummary(u, status),
      locale: u.locale,
      restriction: inForce ? toRestriction(inForce) : null,
      restrictions: history.map(toRestriction),
      technician: tech
        ? {
            verification: tech.verification,
            rating: {
              average: tech.ratingCount ? Math.round((tech.ratingSum / tech.ratingCount) * 10) / 10 : null,
              count: tech.ratingCount,
            },
          }
        : null,
      bookings: bookingRows.map(({ booking: b, serviceEn, serviceAr }) => ({
        id: b.id,
        as: b.customerId === id ? 'customer' : 'technician',
        status: b.status,
        service: { en: serviceEn, ar: serviceAr },
        total: { amount: b.priceTotal, currency: b.currency },
        createdAt: b.createdAt.toISOString(),
      })),
      reviews: reviewRows.map((r) => ({
        id: r.id,
        as: r.customerId === id ? 'author' : 'subject',
        rating: r.rating,
        comment: r.comment,
        hidden: r.hiddenAt !== null,
        createdAt: r.createdAt.toISOString(),
      })),
      payments: paymentRows.map((p) => ({
        id: p.id,
        bookingId: p.bookingId,
        status: p.status,
        amount: { amount: p.amount, currency: p.currency },
        refunded: p.refundedAmount ? { amount: p.refundedAmount, currency: p.currency } : null,
        createdAt: p.createdAt.toISOString(),
      })),
      reports: reportRows.map(({ report, reviewAuthor }) => ({
        id: report.id,
        reviewId: report.reviewId,
        as: report.reporterId === id ? 'reporter' : reviewAuthor === id ? 'reported' : 'reporter',
        reason: report.reason,
        createdAt: report.createdAt.toISOString(),
      })),
      disputes: caseRows.map(({ dispute: d, customerId }) => ({
        id: d.id,
        bookingId: d.bookingId,
        kind: d.kind,
        as: customerId === id ? ('customer' as const) : ('technician' as const),
        reason: d.reason,
        status: d.status,
        outcome: d.outcome,
        createdAt: d.createdAt.toISOString(),
      })),
      outcomes,
      flags,
    };
  }

  return {
    flags: flagsOf,

    async search(
      input: { q?: string; role?: UserRow['role']; status?: UserStatus; cursor?: string } | undefined,
    ) {
      const after = decodeCursor(input?.cursor);
      const rows = await repo.search(input ?? {}, after, PAGE + 1);
      const page = rows.slice(0, PAGE);
      const last = page.at(-1);
      return {
        items: page.map((r) => toSummary(r.user, r.status)),
        nextCursor: rows.length > PAGE && last ? encodeCursor(last.cursorAt, last.user.id) : null,
      };
    },

    async get(admin: Caller, id: string) {
      const detail = await get(id);
      // Reading a person's whole file is itself worth a trace: one per admin per user per sitting (the
      // page refetches on focus and after every action; that is the same reading).
      await db.transaction((tx) =>
        createAuditRepo(tx).recordUnlessRecent(
          { actorId: admin.id, action: 'user.view', subject: `user:${id}` },
          USER_VIEW_AUDIT_SECONDS,
        ),
      );
      return detail;
    },

    suspend: (admin: Caller, input: { id: string; reason: string; until?: string }) =>
      restrict(admin, 'suspend', input),
    ban: (admin: Caller, input: { id: string; reason: string; until?: string }) =>
      restrict(admin, 'ban', input),

    async unban(admin: Caller, input: { id: string }) {
      await db.transaction(async (tx) => {
        const r = createConsoleUsersRepo(tx);
        const u = await r.lockUser(input.id);
        if (!u) throw new DomainError('NOT_FOUND', 'User not found.');
        const current = await r.restrictionInForce(u.id);
        const lifted = await r.liftOpen(u.id, admin.id);
        if (!current && !lifted)
          throw new DomainError('CONFLICT', 'This account is not suspended or banned.');
        await createAuditRepo(tx).record({
          actorId: admin.id,
          action: 'user.unban',
          subject: `user:${u.id}`,
          before: current
            ? { status: current.kind === 'ban' ? 'banned' : 'suspended', until: iso(current.until) }
            : null,
          after: { status: 'active' },
        });
      });
      return get(input.id);
    },

    /** A JSON archive of everything stored about the user (data rights), audited. */
    async exportData(admin: Caller, input: { id: string }) {
      return db.transaction(async (tx) => {
        const r = createConsoleUsersRepo(tx);
        const u = await r.lockUser(input.id);
        if (!u) throw new DomainError('NOT_FOUND', 'User not found.');
        const data = await r.exportData(u.id);
        await createAuditRepo(tx).record({
          actorId: admin.id,
          action: 'user.export',
          subject: `user:${u.id}`,
        });
        const { passwordHash: _secret, ...user } = data.user!;
        return { format: 'fundi-user-export/1', exportedAt: new Date().toISOString(), ...data, user };
      });
    },

    /** Erases or anonymises the user's personal data; bookings and ledger rows stay (issue 14 §3). */
    async erase(admin: Caller, input: { id: string; reason: string }) {
      let technician = false;
      let storageKeys: string[] = [];
      let withdrawn: OfferRow[] = [];
      await db.transaction(async (tx) => {
        const r = createConsoleUsersRepo(tx);
        const u = await r.lockUser(input.id);
        if (!u) throw new DomainError('NOT_FOUND', 'User not found.');
        if (u.role === 'admin') throw new DomainError('CONFLICT', 'Admin accounts cannot be deleted here.');
        // Not a password hash at all: no password can ever match it.
        const erased = await r.erase(u.id, {
          reason: input.reason,
          by: admin.id,
          passwordHash: `!erased:${randomBytes(16).toString('hex')}`,
        });
        if (!erased) throw new DomainError('CONFLICT', 'This account is already deleted.');
        storageKeys = erased.storageKeys;
        if (u.role === 'technician') {
          technician = true;
          withdrawn = await deps.technicians.withdrawOpenOffers(u.id, { tx });
        }
        await createAuditRepo(tx).record({
          actorId: admin.id,
          action: 'user.delete',
          subject: `user:${u.id}`,
          reason: input.reason,
          // The audit row keeps no personal data either: only what kind of account it was.
          before: { role: u.role, status: 'active' },
          after: { status: 'deleted' },
        });
      });
      await sessions.invalidateAllForUser(input.id);
      // The stored files go after the commit (a rolled-back erasure keeps them), unless another upload
      // row still refers to the same file (public photos are stored once per content).
      for (const key of await repo.unreferencedKeys(storageKeys))
        await deps.files
          .remove(key)
          .catch((e: Error) => log.warn('erase: a stored file was not deleted', { key, error: e.message }));
      if (technician) {
        if (withdrawn.length) deps.offersWithdrawn(input.id, withdrawn);
        await deps.technicianChanged(input.id);
      }
      return { id: input.id, status: 'deleted' as const };
    },

    /** For sign-in: the restriction in force, if any (clear error instead of "wrong password"). */
    restrictionOf: async (userId: string) => {
      const r = await repo.restrictionInForce(userId);
      return r ? toRestriction(r) : null;
    },
    recordSignIn: (e: { userId: string | null; email: string; ok: boolean; ip: string }) =>
      repo.recordSignIn(e),
  };
}

export type ConsoleUsersService = ReturnType<typeof createConsoleUsersService>;

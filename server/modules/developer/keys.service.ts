import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { z } from 'zod';
import type { Db } from '../../../db/client';
import type { ApiKeyRow, UserRow } from '../../../db/schema';
import {
  type ApiKey,
  type ApiKeyScope,
  type CreatedApiKey,
  type createApiKeyInput,
  ORG_MANAGER_ROLES,
  type Org,
  type OrgMember,
  type OrgRole,
} from '../../contracts/developer';
import { DomainError, isUniqueViolation } from '../../lib/errors';
import { log } from '../../lib/log';
import type { RateLimiter } from '../../lib/rate-limit';
import { type Bus, channels } from '../../realtime/bus';
import { createAuditRepo } from '../audit/audit.repo';
import type { SessionStore, ValidSession } from '../auth/session';
import { createDeveloperRepo } from './developer.repo';

/** What a request authenticated by an API key carries in its context. */
export type ApiKeyPrincipal = {
  id: string;
  orgId: string;
  mode: 'live' | 'test';
  scopes: ReadonlySet<ApiKeyScope>;
};

export type KeyAuth = { session: ValidSession; user: UserRow; key: ApiKeyPrincipal };

/** Rate-limit facts for the response headers (RateLimit-Limit/Remaining/Reset). */
export type KeyRateHeaders = (name: string, value: string) => void;

const KEY_PATTERN = /^fk_(live|test)_[A-Za-z0-9_-]{43}$/;
/** The session id a key's requests and sockets carry: revoking the key ends them like a sign-out. */
export const keySessionId = (keyId: string) => `apikey:${keyId}`;
const CACHE_TTL_MS = 30_000;
const FAR_FUTURE = new Date('9999-12-31T00:00:00Z');

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

export function toApiKey(row: ApiKeyRow, pending?: { count: number; lastUsedAt: Date }): ApiKey {
  const lastUsed =
    pending && (!row.lastUsedAt || pending.lastUsedAt > row.lastUsedAt) ? pending.lastUsedAt : row.lastUsedAt;
  return {
    id: row.id,
    name: row.name,
    mode: row.mode,
    prefix: row.prefix,
    scopes: row.scopes as ApiKeyScope[],
    createdAt: row.createdAt.toISOString(),
    expiresAt: row.expiresAt?.toISOString() ?? null,
    revokedAt: row.revokedAt?.toISOString() ?? null,
    lastUsedAt: lastUsed?.toISOString() ?? null,
    usageCount: row.usageCount + (pending?.count ?? 0),
  };
}

type Cached = { row: ApiKeyRow; user: UserRow; cachedAt: number; auth: KeyAuth };

export function createKeyService(deps: {
  db: Db;
  bus: Bus;
  sessions: SessionStore;
  limiter: RateLimiter & { limit: number };
  usageFlushMs: number;
  now?: () => number;
}) {
  const repo = createDeveloperRepo(deps.db);
  const now = deps.now ?? Date.now;
  const cache = new Map<string, Cached>();
  const hashOfKey = new Map<string, string>();
  let generation = 0;
  /** Uses counted on this node since the last flush (one UPDATE every few seconds, not one per call). */
  const usage = new Map<string, { count: number; lastUsedAt: Date }>();

  // A revoked key's sign-out travels like a session's (every node): drop it from this node's cache.
  deps.bus.on<{ type: string; sessionId?: string }>(channels.sessions, (m) => {
    if (m.type !== 'revoked' || !m.sessionId?.startsWith('apikey:')) return;
    generation++;
    const id = m.sessionId.slice('apikey:'.length);
    const hash = hashOfKey.get(id);
    if (hash) cache.delete(hash);
    hashOfKey.delete(id);
  });

  async function flushUsage() {
    if (usage.size === 0) return;
    const rows = [...usage].map(([id, u]) => ({ id, ...u }));
    usage.clear();
    try {
      await repo.addUsage(rows);
    } catch (e) {
      // Put them back: counted next time.
      for (const r of rows) {
        const u = usage.get(r.id);
        usage.set(r.id, { count: (u?.count ?? 0) + r.count, lastUsedAt: u?.lastUsedAt ?? r.lastUsedAt });
      }
      log.warn('api key usage flush failed', { error: (e as Error).message });
    }
  }
  let timer: NodeJS.Timeout | undefined;

  /** The caller's membership of `orgId` (or of their only organisation); NOT_FOUND when none. */
  async function membership(userId: string, orgId: string | undefined) {
    const orgs = await repo.orgsOf(userId);
    const m = orgId ? orgs.find((o) => o.org.id === orgId) : orgs.length === 1 ? orgs[0] : undefined;
    if (!m) {
      if (!orgId && orgs.length > 1)
        throw new DomainError('VALIDATION', 'You belong to several organisations: say which (orgId).');
      throw new DomainError('NOT_FOUND', 'No such organisation.');
    }
    return m;
  }

  async function ownerOf(userId: string, orgId: string) {
    const m = await membership(userId, orgId);
    if (m.role !== 'owner') throw new DomainError('FORBIDDEN_ROLE', 'Only owners manage members.');
    return m.org;
  }

  /**
   * Adds, re-roles (`role`) or removes (null) a member in one transaction with its audit row. The
   * organisation's row is locked first, so two owners demoting each other at once cannot both succeed and
   * leave nobody in charge: whatever the change, at least one owner remains.
   */
  async function changeMember(
    actorId: string,
    orgId: string,
    memberId: string,
    role: OrgRole | null,
    action: 'org.member.add' | 'org.member.role' | 'org.member.remove',
  ) {
    await deps.db.transaction(async (tx) => {
      const r = createDeveloperRepo(tx);
      await r.lockOrg(orgId);
      const before = await r.memberRole(orgId, memberId);
      if (!before && action !== 'org.member.add') throw new DomainError('NOT_FOUND', 'No such member.');
      if (before === role) return;
      if (before === 'owner' && role !== 'owner' && (await r.ownerCount(orgId)) <= 1)
        throw new DomainError('CONFLICT', 'An organisation needs an owner: make someone else owner first.', {
          reason: 'LAST_OWNER',
        });
      if (role) await r.upsertMember(orgId, memberId, role);
      else await r.deleteMember(orgId, memberId);
      await createAuditRepo(tx).record({
        actorId,
        action,
        subject: `org:${orgId}`,
        detail: { userId: memberId },
        before: before ? { role: before } : null,
        after: role ? { role } : null,
      });
    });
  }

  async function managedOrg(userId: string, orgId: string | undefined) {
    const m = await membership(userId, orgId);
    if (!ORG_MANAGER_ROLES.includes(m.role))
      throw new DomainError('FORBIDDEN_ROLE', 'Only owners and developers of the organisation may do this.');
    return m.org;
  }

  return {
    membership,
    managedOrg,

    /** An organisation's bookings for any of its members (NOT_FOUND for anyone else): its principal's. */
    async principalOf(userId: string, orgId: string) {
      const m = await membership(userId, orgId);
      return m.org.principalUserId;
    },

    start() {
      timer = setInterval(() => void flushUsage(), deps.usageFlushMs);
      timer.unref();
    },
    async stop() {
      clearInterval(timer);
      await flushUsage();
    },
    flushUsage,

    async createOrg(user: UserRow, name: string): Promise<Org> {
      const id = randomBytes(12).toString('hex');
      const org = await repo.createOrg(name, user.id, {
        // The organisation's own account: never signs in (no password verifies against '!').
        email: `org-${id}@api.fundi.invalid`,
        passwordHash: '!',
        name,
        role: 'customer',
        locale: user.locale,
        timeZone: user.timeZone,
      });
      return { id: org.id, name: org.name, role: 'owner', createdAt: org.createdAt.toISOString() };
    },

    async orgs(userId: string): Promise<Org[]> {
      return (await repo.orgsOf(userId)).map(({ org, role }) => ({
        id: org.id,
        name: org.name,
        role,
        createdAt: org.createdAt.toISOString(),
      }));
    },

    async members(userId: string, orgId: string): Promise<OrgMember[]> {
      await membership(userId, orgId);
      return repo.members(orgId);
    },

    async addMember(userId: string, orgId: string, email: string, role: OrgRole) {
      await ownerOf(userId, orgId);
      const u = await repo.userByEmail(email);
      if (u?.role !== 'customer') throw new DomainError('NOT_FOUND', 'No customer account with that e-mail.');
      // An existing member's role changes (the same rules as setRole: never the last owner away).
      await changeMember(userId, orgId, u.id, role, 'org.member.add');
      return repo.members(orgId);
    },

    /** Owners change a member's role; the organisation always keeps an owner. Audited. */
    async setRole(userId: string, orgId: string, memberId: string, role: OrgRole) {
      await ownerOf(userId, orgId);
      await changeMember(userId, orgId, memberId, role, 'org.member.role');
      return repo.members(orgId);
    },

    /** Owners remove a member (their keys stay: they are the organisation's); never the last owner. Audited. */
    async removeMember(userId: string, orgId: string, memberId: string) {
      await ownerOf(userId, orgId);
      await changeMember(userId, orgId, memberId, null, 'org.member.remove');
      return repo.members(orgId);
    },

    async create(user: UserRow, input: z.output<typeof createApiKeyInput>): Promise<CreatedApiKey> {
      const org = await managedOrg(user.id, input.orgId);
      const expiresAt = input.expiresAt ? new Date(input.expiresAt) : null;
      if (expiresAt && expiresAt.getTime() <= now())
        throw new DomainError('VALIDATION', 'The expiry must be in the future.');
      const mode = input.mode ?? 'live';
      // 256 random bits, base64url (43 characters).
      const secret = `fk_${mode}_${randomBytes(32).toString('base64url')}`;
      try {
        const row = await repo.insertKey({
          orgId: org.id,
          name: input.name,
          mode,
          prefix: secret.slice(0, 12),
          hash: sha256(secret),
          scopes: [...new Set(input.scopes)],
          createdBy: user.id,
          expiresAt,
        });
        return { key: toApiKey(row), secret };
      } catch (e) {
        if (isUniqueViolation(e)) throw new DomainError('CONFLICT', 'Try again.');
        throw e;
      }
    },

    async orgOfKey(id: string) {
      const key = await repo.keyById(id);
      if (!key) throw new DomainError('NOT_FOUND', 'No such key.');
      return key.orgId;
    },

    async list(orgId: string): Promise<ApiKey[]> {
      return (await repo.keys(orgId)).map((k) => toApiKey(k, usage.get(k.id)));
    },

    async revoke(orgId: string, id: string): Promise<ApiKey> {
      const key = await repo.keyById(id);
      if (!key || key.orgId !== orgId) throw new DomainError('NOT_FOUND', 'No such key.');
      const row = (await repo.revokeKey(id)) ?? key;
      // Every node: its cache entry goes and its open sockets close (the sessions channel, as a sign-out).
      await deps.sessions.invalidate(keySessionId(id));
      return toApiKey(row);
    },

    /**
     * The key behind a bearer token (null: unknown, revoked or expired), counted for usage and against its
     * rate limit (RATE_LIMITED over it). Cached for 30 s like sessions; a revocation drops it everywhere.
     */
    async authenticate(token: string, setHeader?: KeyRateHeaders): Promise<KeyAuth | null> {
      if (!KEY_PATTERN.test(token)) return null;
      const hash = sha256(token);
      const t = now();
      let entry = cache.get(hash);
      if (!entry || t - entry.cachedAt > CACHE_TTL_MS) {
        const readAt = generation;
        const found = await repo.keyByHash(hash);
        if (!found) return null;
        // The lookup is by hash (an index); compared again in constant time all the same.
        if (!timingSafeEqual(Buffer.from(found.key.hash), Buffer.from(hash))) return null;
        const key: ApiKeyPrincipal = {
          id: found.key.id,
          orgId: found.key.orgId,
          mode: found.key.mode,
          scopes: new Set(found.key.scopes as ApiKeyScope[]),
        };
        const session: ValidSession = {
          id: keySessionId(found.key.id),
          userId: found.user.id,
          expiresAt: found.key.expiresAt ?? FAR_FUTURE,
          renewed: false,
          user: found.user,
        };
        entry = { row: found.key, user: found.user, cachedAt: t, auth: { session, user: found.user, key } };
        if (generation === readAt) {
          cache.set(hash, entry);
          hashOfKey.set(found.key.id, hash);
        }
      }
      const { row } = entry;
      if (row.revokedAt || (row.expiresAt && row.expiresAt.getTime() <= t)) return null;

      const rate = await deps.limiter.take(row.id);
      const resetSeconds = Math.max(1, Math.ceil(rate.resetMs / 1000));
      setHeader?.('RateLimit-Limit', String(deps.limiter.limit));
      setHeader?.('RateLimit-Remaining', String(rate.remaining));
      setHeader?.('RateLimit-Reset', String(resetSeconds));
      if (!rate.allowed) {
        throw new DomainError('RATE_LIMITED', 'This API key made too many requests: slow down.', {
          retryAfterSeconds: resetSeconds,
        });
      }
      const u = usage.get(row.id);
      usage.set(row.id, { count: (u?.count ?? 0) + 1, lastUsedAt: new Date(t) });
      return entry.auth;
    },
  };
}

export type KeyService = ReturnType<typeof createKeyService>;

import type { z } from 'zod';
import type { DbOrTx } from '../../../db/client';
import type {
  setServicesInput,
  TechnicianProfile,
  trackingUpdateInput,
  updateProfileInput,
  VerificationStatus,
} from '../../contracts/technician';
import { decodeCursor, encodeCursor, pageOf } from '../../lib/cursor';
import { DomainError, pgErrorCode } from '../../lib/errors';
import type { LocalRateLimiter } from '../../lib/rate-limit';
import type { PresenceService } from '../presence/presence.service';
import { createClockEstimator } from '../tracking/fix-filter';
import { liveFix } from '../tracking/tracking.ingest';
import type { TrackingService } from '../tracking/tracking.service';
import type { TechnicianRepo } from './technician.repo';

/** How long a technician's verification is trusted from memory by tracking.update (the hot path). */
const VERIFIED_CACHE_MS = 30_000;
/** …and read again in the background during its last this-many milliseconds (see refreshAhead). */
const VERIFIED_REFRESH_MS = 10_000;

type ProfileRow = NonNullable<Awaited<ReturnType<TechnicianRepo['profile']>>>;

export function createTechnicianService(deps: {
  repo: TechnicianRepo;
  tracking: Pick<TrackingService, 'ingest' | 'ingestFixes' | 'ingestFix' | 'changed' | 'lastPosition'>;
  presence: Pick<PresenceService, 'wentOnline' | 'isPresent'>;
  /** Counts location fixes per technician (each call costs its number of points). */
  fixLimiter: LocalRateLimiter;
  /** Called when a technician becomes available (online/verified) so waiting bookings can be offered. */
  onAvailable: (technicianId: string) => void;
  /** Refuses going online without a verified phone (issue 11 §3). */
  mayGoOnline?: (technicianId: string) => Promise<void>;
  /** A verification decision, in its transaction: the technician is notified (issue 11 §2). */
  verificationDecided?: (
    tx: DbOrTx,
    technicianId: string,
    status: VerificationStatus,
    note: string | null,
  ) => Promise<void>;
  /** Offers that were open for a technician who is no longer verified: dispatch moves them on. */
  onOffersWithdrawn?: (
    technicianId: string,
    offers: Awaited<ReturnType<TechnicianRepo['withdrawOpenOffers']>>,
  ) => void;
}) {
  const { repo } = deps;
  /** Phone clocks, estimated per technician (issue 15 §5). */
  const clocks = createClockEstimator();
  /** technician → (verified?, until when that answer is trusted): tracking.update checks it per call. */
  const verifiedCache = new Map<string, { verified: boolean; until: number }>();

  /** Reads a technician's verification into the cache (unless a decision dropped the entry meanwhile). */
  async function readVerified(technicianId: string) {
    const before = verifiedCache.get(technicianId);
    const row = await repo.profile(technicianId);
    // Suspended or rejected: no. Pending (still onboarding, never dispatched or watched) may share.
    const status = row?.profile.verification;
    const known = {
      verified: status === 'verified' || status === 'pending',
      until: Date.now() + VERIFIED_CACHE_MS,
    };
    // A decision while this read was on its way deleted the entry it replaces: that read may be older.
    if (before && verifiedCache.get(technicianId) !== before) return known;
    if (verifiedCache.size > 100_000) verifiedCache.clear();
    verifiedCache.set(technicianId, known);
    return known;
  }

  async function assertMayShareLocation(technicianId: string) {
    let known = verifiedCache.get(technicianId);
    if (!known || known.until < Date.now()) known = await readVerified(technicianId);
    if (!known.verified) throw suspended();
  }

  /**
   * In its last VERIFIED_REFRESH_MS an answer is read again in the background, so that a technician
   * sending fixes steadily never waits for it (tracking.update stays synchronous; issue 15 §7). The
   * answer in use is never older than VERIFIED_CACHE_MS, as before.
   */
  const refreshing = new Set<string>();
  function refreshAhead(technicianId: string, until: number, now: number) {
    if (until - now > VERIFIED_REFRESH_MS || refreshing.has(technicianId)) return;
    refreshInBackground(technicianId);
  }
  /** Its own function: a closure in refreshAhead would cost every fix a context (issue 15 §7). */
  function refreshInBackground(technicianId: string) {
    refreshing.add(technicianId);
    readVerified(technicianId)
      .catch(() => undefined)
      .finally(() => refreshing.delete(technicianId));
  }
  const suspended = () =>
    new DomainError('FORBIDDEN_ROLE', 'Your account is suspended: location sharing is off.');

  /** The fixes of one tracking.update call, once it is allowed: judged on server time, then ingested. */
  function acceptFixes(userId: string, input: z.output<typeof trackingUpdateInput>, receivedAt = Date.now()) {
    // Fixes are judged on server time (`receivedAt`): the device's clock offset, estimated per call, is
    // taken off. Each time is parsed once, here (issue 15 §7: the pipeline gets epoch milliseconds).
    const { points } = input;
    const sentAt = input.sentAt === undefined ? undefined : Date.parse(input.sentAt);
    if (points.length === 1) {
      // The usual call (a phone reports its newest fix): no arrays of times, no sort.
      const p = points[0]!;
      const at = Date.parse(p.recordedAt);
      const offset = clocks.offset(userId, receivedAt, at, at, sentAt);
      return deps.tracking.ingestFix(userId, liveFix(p, at - offset), receivedAt);
    }
    return acceptSeveral(userId, points, receivedAt, sentAt);
  }

  /** Several fixes in one call (a backlog after a tunnel). Its own function: see refreshInBackground. */
  function acceptSeveral(
    userId: string,
    points: z.output<typeof trackingUpdateInput>['points'],
    receivedAt: number,
    sentAt: number | undefined,
  ) {
    const times = points.map((p) => Date.parse(p.recordedAt));
    let newest = Number.NEGATIVE_INFINITY;
    let oldest = Number.POSITIVE_INFINITY;
    for (const at of times) {
      newest = Math.max(newest, at);
      oldest = Math.min(oldest, at);
    }
    const offset = clocks.offset(userId, receivedAt, oldest, newest, sentAt);
    const fixes = points.map((p, i) => liveFix(p, times[i]! - offset));
    if (fixes.length > 1) fixes.sort((a, b) => a.recordedAt - b.recordedAt);
    return deps.tracking.ingestFixes(userId, fixes, receivedAt);
  }

  /**
   * tracking.update. Hot path (issue 15 §7): answered synchronously when the technician's verification
   * is in the cache (the usual case; a promise only when it must be read from the database), so a fix
   * costs no promise, no microtask and no timer. Throws (synchronously) when refused.
   */
  function trackingUpdateNow(userId: string, input: z.output<typeof trackingUpdateInput>) {
    if (!deps.fixLimiter.hitNow(userId, input.points.length)) {
      throw new DomainError('RATE_LIMITED', 'Too many location fixes: send them more slowly.');
    }
    // A suspended (or never verified) technician's position is nobody's business (issue 15 §3).
    const known = verifiedCache.get(userId);
    const now = Date.now();
    if (known && known.until >= now) {
      if (!known.verified) throw suspended();
      refreshAhead(userId, known.until, now);
      return acceptFixes(userId, input, now);
    }
    return acceptWhenAllowed(userId, input);
  }

  /** A cache miss: verification read first. Its own function: the closure here would cost the hot path a context. */
  function acceptWhenAllowed(userId: string, input: z.output<typeof trackingUpdateInput>) {
    return assertMayShareLocation(userId).then(() => acceptFixes(userId, input));
  }

  async function view(
    row: ProfileRow,
    preloaded?: Awaited<ReturnType<TechnicianRepo['servicesOf']>>,
  ): Promise<TechnicianProfile> {
    const p = row.profile;
    // Positions reach PostGIS in batches: the pipeline's copy may be newer.
    const live = deps.tracking.lastPosition(p.userId);
    if (live && (!p.locationAt || live.recordedAt > p.locationAt.getTime())) {
      p.location = { lat: live.lat, lng: live.lng };
      p.locationAccuracy = live.accuracy;
      p.locationAt = new Date(live.recordedAt);
    }
    const svc = preloaded ?? (await repo.servicesOf(p.userId));
    return {
      userId: p.userId,
      name: row.name,
      bio: p.bio,
      photoUrl: p.photoUrl,
      verification: p.verification,
      verificationNote: p.verificationNote,
      rating: {
        average: p.ratingCount ? Math.round((p.ratingSum / p.ratingCount) * 100) / 100 : null,
        count: p.ratingCount,
      },
      online: p.online,
      presence: !p.online ? 'offline' : deps.presence.isPresent(p.userId) ? 'available' : 'away',
      location:
        p.location && p.locationAt
          ? {
              lat: p.location.lat,
              lng: p.location.lng,
              accuracy: p.locationAccuracy,
              at: p.locationAt.toISOString(),
            }
          : null,
      services: svc.map((s) => ({
        serviceId: s.serviceId,
        price: s.price === null ? null : { amount: s.price, currency: s.currency },
      })),
    };
  }

  async function me(userId: string): Promise<TechnicianProfile> {
    let row = await repo.profile(userId);
    if (!row) {
      await repo.ensureProfile(userId);
      row = await repo.profile(userId);
    }
    return view(row!);
  }

  /**
   * The error for a price the database refused as outside its service's bounds, naming the first such
   * service and its bounds (`details`: serviceId, currency, minPrice and/or maxPrice in minor units).
   */
  async function outOfBounds(list: Array<{ serviceId: string; price?: number | undefined }>) {
    const bounds = await repo.priceBounds(list.filter((s) => s.price !== undefined).map((s) => s.serviceId));
    for (const b of bounds) {
      const price = list.find((s) => s.serviceId === b.id)?.price;
      if (price === undefined) continue;
      if ((b.minPrice !== null && price < b.minPrice) || (b.maxPrice !== null && price > b.maxPrice)) {
        return new DomainError('VALIDATION', 'A price is outside what this service allows.', {
          reason: 'PRICE_OUT_OF_BOUNDS',
          serviceId: b.id,
          currency: b.currency,
          ...(b.minPrice !== null ? { minPrice: b.minPrice } : {}),
          ...(b.maxPrice !== null ? { maxPrice: b.maxPrice } : {}),
        });
      }
    }
    return new DomainError('VALIDATION', 'A price is outside what this service allows.', {
      reason: 'PRICE_OUT_OF_BOUNDS',
    });
  }

  const service = {
    me,

    async updateProfile(userId: string, patch: z.output<typeof updateProfileInput>) {
      await me(userId);
      await repo.updateProfile(userId, patch);
      return me(userId);
    },

    async setServices(userId: string, input: z.output<typeof setServicesInput>) {
      await me(userId);
      const unique = new Map(input.services.map((s) => [s.serviceId, s]));
      // A technician works in one city: its price list, in its currency (issue 13 §1).
      const markets = await repo.marketsOf([...unique.keys()]);
      if (markets.length > 1) {
        throw new DomainError('VALIDATION', 'Choose the services of one city only.', {
          reason: 'MIXED_MARKETS',
          markets: markets.sort().join(','),
        });
      }
      try {
        await repo.replaceServices(userId, [...unique.values()]);
      } catch (e) {
        if (pgErrorCode(e).code === '23503')
          throw new DomainError('NOT_FOUND', 'One of the services does not exist.');
        if (pgErrorCode(e).constraint === 'technician_services_price_within_bounds')
          throw await outOfBounds([...unique.values()]);
        throw e;
      }
      await deps.tracking.changed([userId]);
      const profile = await me(userId);
      if (profile.online) deps.onAvailable(userId);
      return profile;
    },

    async setOnline(userId: string, input: { online: boolean; lat?: number; lng?: number }) {
      await me(userId);
      if (input.online) {
        await deps.mayGoOnline?.(userId);
        if (input.lat === undefined || input.lng === undefined) {
          throw new DomainError('VALIDATION', 'Going online needs your position.');
        }
        // The position is an ordinary fix (issue 15 §5): judged by the same filter as tracking.update, so
        // going online again mid-job cannot move the reference point 500 km. Stored is the newest position
        // the filter accepted: this one, or the one it kept.
        const now = Date.now();
        deps.tracking.ingest(
          userId,
          [{ lat: input.lat, lng: input.lng, recordedAt: new Date(now).toISOString() }],
          now,
        );
        const kept = deps.tracking.lastPosition(userId);
        await repo.setOnline(userId, true, {
          point: kept ? { lat: kept.lat, lng: kept.lng } : { lat: input.lat, lng: input.lng },
          accuracy: kept ? (kept.accuracy ?? null) : null,
          time: new Date(kept ? kept.recordedAt : now),
        });
        deps.presence.wentOnline(userId);
      } else {
        await repo.setOnline(userId, false);
      }
      await deps.tracking.changed([userId]);
      const profile = await me(userId);
      if (profile.online) deps.onAvailable(userId);
      return profile;
    },

    /** Fixes go through the live-location pipeline (validated, in memory, persisted in batches). */
    trackingUpdateNow,

    /** tracking.update for callers that await it (always a promise; refusals reject). */
    async trackingUpdate(userId: string, input: z.output<typeof trackingUpdateInput>) {
      return trackingUpdateNow(userId, input);
    },

    async setVerification(
      technicianId: string,
      status: VerificationStatus,
      note: string | null,
      admin?: { id: string },
    ) {
      // "Verified" means an approved application (documents reviewed, issue 13 §4): approving one is
      // admin.onboarding.decide's job, and this cannot stand in for it. Suspending, rejecting, and
      // reinstating someone whose application is approved remain possible here.
      if (status === 'verified' && !(await repo.applicationApproved(technicianId))) {
        if (!(await repo.profile(technicianId))) throw new DomainError('NOT_FOUND', 'Technician not found.');
        throw new DomainError(
          'CONFLICT',
          'Only a technician whose onboarding application is approved can be verified. Review the application in the onboarding queue.',
          { reason: 'APPLICATION_NOT_APPROVED' },
        );
      }
      const decided = deps.verificationDecided;
      const stored = await repo.setVerification(
        technicianId,
        status,
        note,
        admin?.id,
        decided && ((tx) => decided(tx, technicianId, status, note)),
      );
      if (!stored) throw new DomainError('NOT_FOUND', 'Technician not found.');
      return service.verificationApplied(technicianId, status);
    },

    /**
     * After a verification change has committed (here, or in onboarding's decision): caches, the open
     * offers of a technician no longer verified, the live index. Doing it twice is harmless.
     */
    async verificationApplied(technicianId: string, status: VerificationStatus) {
      verifiedCache.delete(technicianId);
      // Suspended (rejected, back to pending): offers they hold are withdrawn and move on (issue 15 §3).
      if (status !== 'verified')
        deps.onOffersWithdrawn?.(technicianId, await repo.withdrawOpenOffers(technicianId));
      await deps.tracking.changed([technicianId]);
      return me(technicianId);
    },

    async list(input: { verification?: VerificationStatus; cursor?: string } | undefined) {
      const after = decodeCursor(input?.cursor);
      const limit = 50;
      const rows = await repo.list({ verification: input?.verification, after }, limit + 1);
      const { page, nextCursor } = pageOf(rows, limit, (last) =>
        encodeCursor(last.cursorAt, last.profile.userId),
      );
      // One query for the page's services, not one per row (issue 16 §3).
      const servicesByTechnician = await repo.servicesOfMany(page.map((r) => r.profile.userId));
      const items = await Promise.all(
        page.map(async (r) => ({
          ...(await view(r, servicesByTechnician.get(r.profile.userId) ?? [])),
          email: r.email,
          createdAt: r.createdAt.toISOString(),
          servicesCount: r.servicesCount,
        })),
      );
      return { items, nextCursor };
    },
  };
  return service;
}

export type TechnicianService = ReturnType<typeof createTechnicianService>;

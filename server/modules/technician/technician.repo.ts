import { and, asc, count, desc, eq, inArray, lt, notInArray, or, sql } from 'drizzle-orm';
import { type DbOrTx, isoMicros, reusable } from '../../../db/client';
import {
  dispatchOffers,
  services,
  technicianOnboarding,
  technicianProfiles,
  technicianServices,
  users,
} from '../../../db/schema';
import type { LngLat } from '../../../db/schema/columns';
import type { VerificationStatus } from '../../contracts/technician';
import { createAuditRepo } from '../audit/audit.repo';

const profileColumns = {
  profile: technicianProfiles,
  name: users.name,
  email: users.email,
  createdAt: users.createdAt,
};

// Read on every accept and offers-stream check: its SQL is built once (db/client.ts `reusable`).
const profileById = reusable('technician_profile', (db) =>
  db
    .select(profileColumns)
    .from(technicianProfiles)
    .innerJoin(users, eq(users.id, technicianProfiles.userId))
    .where(eq(technicianProfiles.userId, sql.placeholder('id')))
    .limit(1),
);

export function createTechnicianRepo(db: DbOrTx) {
  return {
    async ensureProfile(userId: string) {
      await db.insert(technicianProfiles).values({ userId }).onConflictDoNothing();
    },

    async profile(userId: string) {
      const [row] = await profileById(db, { id: userId });
      return row;
    },

    servicesOf: (userId: string) =>
      db
        .select({
          serviceId: technicianServices.serviceId,
          price: technicianServices.price,
          currency: services.currency,
        })
        .from(technicianServices)
        .innerJoin(services, eq(services.id, technicianServices.serviceId))
        .where(eq(technicianServices.technicianId, userId)),

    /** The services of several technicians in one query (a page of the admin list), by technician. */
    async servicesOfMany(userIds: string[]) {
      const byTechnician = new Map<string, { serviceId: string; price: number | null; currency: string }[]>();
      if (userIds.length === 0) return byTechnician;
      const rows = await db
        .select({
          technicianId: technicianServices.technicianId,
          serviceId: technicianServices.serviceId,
          price: technicianServices.price,
          currency: services.currency,
        })
        .from(technicianServices)
        .innerJoin(services, eq(services.id, technicianServices.serviceId))
        .where(inArray(technicianServices.technicianId, userIds));
      for (const { technicianId, ...s } of rows) {
        const list = byTechnician.get(technicianId) ?? [];
        list.push(s);
        byTechnician.set(technicianId, list);
      }
      return byTechnician;
    },

    async updateProfile(userId: string, patch: { bio?: string }) {
      const changes = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
      // `{}` is a no-op (an UPDATE with nothing to set is an error in Drizzle).
      if (Object.keys(changes).length === 0) return;
      await db.update(technicianProfiles).set(changes).where(eq(technicianProfiles.userId, userId));
    },

    /**
     * The technician's list becomes `list`: one transaction that first locks their profile row (so two
     * calls at once run one after the other, the last one winning), then upserts what is listed and prunes
     * the rest. Delete-then-insert raced on the primary key (issue 15 §4: 500s under concurrent calls).
     */
    async replaceServices(userId: string, list: Array<{ serviceId: string; price?: number }>) {
      await db.transaction(async (tx) => {
        await tx
          .select({ userId: technicianProfiles.userId })
          .from(technicianProfiles)
          .where(eq(technicianProfiles.userId, userId))
          .for('update');
        const ids = list.map((s) => s.serviceId);
        await tx
          .delete(technicianServices)
          .where(
            and(
              eq(technicianServices.technicianId, userId),
              ids.length ? notInArray(technicianServices.serviceId, ids) : undefined,
            ),
          );
        if (list.length) {
          await tx
            .insert(technicianServices)
            .values(
              [...list]
                .sort((a, b) => (a.serviceId < b.serviceId ? -1 : 1))
                .map((s) => ({ technicianId: userId, serviceId: s.serviceId, price: s.price ?? null })),
            )
            .onConflictDoUpdate({
              target: [technicianServices.technicianId, technicianServices.serviceId],
              set: { price: sql`excluded.price` },
            });
        }
      });
    },

    /** The catalogue's price bounds of these services (null: no bound that side). */
    /** The markets (cities) of these services, each once. */
    marketsOf: async (ids: string[]) =>
      ids.length === 0
        ? []
        : (
            await db
              .selectDistinct({ market: services.market })
              .from(services)
              .where(inArray(services.id, ids))
          ).map((r) => r.market),

    priceBounds: (ids: string[]) =>
      ids.length === 0
        ? Promise.resolve([])
        : db
            .select({
              id: services.id,
              minPrice: services.minPrice,
              maxPrice: services.maxPrice,
              currency: services.currency,
            })
            .from(services)
            .where(inArray(services.id, ids)),

    async setOnline(
      userId: string,
      online: boolean,
      at?: { point: LngLat; accuracy: number | null; time: Date },
    ) {
      await db
        .update(technicianProfiles)
        .set(
          at
            ? // Going online is hearing from them (presence, now), as is every fix and an open WebSocket.
              {
                online,
                location: at.point,
                locationAccuracy: at.accuracy,
                locationAt: at.time,
                seenAt: new Date(),
                heardAt: new Date(),
              }
            : { online },
        )
        .where(eq(technicianProfiles.userId, userId));
    },

    /** Stores a position only when it is newer than the current one: late fixes never move the pin back. */
    async updateLocation(
      userId: string,
      point: LngLat,
      accuracy: number | null,
      time: Date,
    ): Promise<boolean> {
      const updated = await db
        .update(technicianProfiles)
        .set({ location: point, locationAccuracy: accuracy, locationAt: time })
        .where(
          and(
            eq(technicianProfiles.userId, userId),
            or(sql`${technicianProfiles.locationAt} IS NULL`, lt(technicianProfiles.locationAt, time)),
          ),
        )
        .returning({ userId: technicianProfiles.userId });
      return updated.length > 0;
    },

    /** A technician who may no longer work: their open offers end (`withdrawn`), returned for dispatch. */
    withdrawOpenOffers: (technicianId: string) =>
      db
        .update(dispatchOffers)
        .set({ status: 'withdrawn', respondedAt: sql`now()`, reason: 'technician not verified' })
        .where(and(eq(dispatchOffers.technicianId, technicianId), eq(dispatchOffers.status, 'offered')))
        .returning(),

    /** Whether the technician's onboarding application is approved (issue 13 §4: what "verified" rests on). */
    async applicationApproved(userId: string): Promise<boolean> {
      const [row] = await db
        .select({ status: technicianOnboarding.status })
        .from(technicianOnboarding)
        .where(eq(technicianOnboarding.technicianId, userId));
      return row?.status === 'approved';
    },

    /** With `actorId` (an admin's decision): the audit row is written in the same transaction. */
    /**
     * `decided` runs inside the same transaction (the technician's notification is written with the
     * change it reports, issue 11 §2).
     */
    async setVerification(
      userId: string,
      status: VerificationStatus,
      note: string | null,
      actorId?: string,
      decided?: (tx: DbOrTx) => Promise<void>,
    ) {
      return db.transaction(async (tx) => {
        const [before] = await tx
          .select({
            verification: technicianProfiles.verification,
            note: technicianProfiles.verificationNote,
          })
          .from(technicianProfiles)
          .where(eq(technicianProfiles.userId, userId))
          .for('update');
        if (!before) return false;
        await tx
          .update(technicianProfiles)
          .set({
            verification: status,
            verificationNote: note,
            ...(status === 'verified' ? {} : { online: false }),
          })
          .where(eq(technicianProfiles.userId, userId));
        if (actorId)
          await createAuditRepo(tx).record({
            actorId,
            action: 'technician.setVerification',
            subject: `user:${userId}`,
            reason: note,
            before,
            after: { verification: status, note },
          });
        await decided?.(tx);
        return true;
      });
    },

    /** Admin list, oldest sign-ups first so the verification queue is worked in order. Cursor: created_at|id. */
    async list(
      filter: { verification?: VerificationStatus; after?: { instant: string; id: string } },
      limit: number,
    ) {
      return db
        .select({
          ...profileColumns,
          cursorAt: isoMicros(users.createdAt),
          servicesCount:
            sql<number>`(select count(*) from ${technicianServices} where ${technicianServices.technicianId} = ${technicianProfiles.userId})`.mapWith(
              Number,
            ),
        })
        .from(technicianProfiles)
        .innerJoin(users, eq(users.id, technicianProfiles.userId))
        .where(
          and(
            filter.verification ? eq(technicianProfiles.verification, filter.verification) : undefined,
            filter.after
              ? sql`(${users.createdAt}, ${users.id}) > (${filter.after.instant}::timestamptz, ${filter.after.id}::uuid)`
              : undefined,
          ),
        )
        .orderBy(asc(users.createdAt), asc(users.id))
        .limit(limit);
    },

    countByVerification: () =>
      db
        .select({ verification: technicianProfiles.verification, count: count() })
        .from(technicianProfiles)
        .groupBy(technicianProfiles.verification)
        .orderBy(desc(count())),
  };
}

export type TechnicianRepo = ReturnType<typeof createTechnicianRepo>;

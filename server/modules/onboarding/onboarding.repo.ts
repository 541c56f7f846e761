import { and, asc, desc, eq, sql } from 'drizzle-orm';
import { type DbOrTx, isoMicros, queryRows } from '../../../db/client';
import {
  auditLog,
  type OnboardingRow,
  phoneVerifications,
  services,
  technicianAreas,
  technicianCertificates,
  technicianOnboarding,
  technicianProfiles,
  technicianServices,
  users,
} from '../../../db/schema';
import type { OnboardingStatus } from '../../contracts/onboarding';

export type OnboardingPatch = Partial<Omit<OnboardingRow, 'technicianId' | 'updatedAt'>>;

/** Onboarding's SQL: the application row, certificates, and what the checklist and the queue read. */
export function createOnboardingRepo(db: DbOrTx) {
  return {
    async get(technicianId: string, opts: { forUpdate?: boolean } = {}): Promise<OnboardingRow | undefined> {
      const q = db
        .select()
        .from(technicianOnboarding)
        .where(eq(technicianOnboarding.technicianId, technicianId));
      const [row] = await (opts.forUpdate ? q.for('update') : q);
      return row;
    },

    async ensure(technicianId: string) {
      await db.insert(technicianOnboarding).values({ technicianId }).onConflictDoNothing();
    },

    async update(technicianId: string, patch: OnboardingPatch) {
      const [row] = await db
        .update(technicianOnboarding)
        .set(patch)
        .where(eq(technicianOnboarding.technicianId, technicianId))
        .returning();
      return row;
    },

    /** The user, if they are a technician (with their profile's verification). */
    async technician(technicianId: string) {
      const [row] = await db
        .select({
          id: users.id,
          name: users.name,
          email: users.email,
          phone: users.phone,
          photoUrl: technicianProfiles.photoUrl,
          verification: technicianProfiles.verification,
        })
        .from(technicianProfiles)
        .innerJoin(users, eq(users.id, technicianProfiles.userId))
        .where(eq(technicianProfiles.userId, technicianId));
      return row;
    },

    /**
     * Certificate kinds the technician's services require (`services.required_certificates`), with the
     * services asking for each.
     */
    async requiredCertificates(technicianId: string) {
      const rows = await queryRows<{
        kind: string;
        kind_en: string | null;
        kind_ar: string | null;
        name_en: string;
        name_ar: string;
      }>(
        db,
        sql`SELECT DISTINCT k.kind, ck.name_en AS kind_en, ck.name_ar AS kind_ar, s.name_en, s.name_ar
              FROM technician_services ts
              JOIN services s ON s.id = ts.service_id
              CROSS JOIN LATERAL unnest(s.required_certificates) AS k(kind)
              LEFT JOIN certificate_kinds ck ON ck.slug = k.kind
             WHERE ts.technician_id = ${technicianId}
             ORDER BY k.kind, s.name_en`,
      );
      const byKind = new Map<
        string,
        { name: { en: string; ar: string }; services: Array<{ en: string; ar: string }> }
      >();
      for (const r of rows) {
        // A kind no row names yet: its slug in words, in both languages.
        const plain = r.kind.replaceAll('-', ' ');
        const entry = byKind.get(r.kind) ?? {
          name: { en: r.kind_en ?? plain, ar: r.kind_ar ?? plain },
          services: [],
        };
        entry.services.push({ en: r.name_en, ar: r.name_ar });
        byKind.set(r.kind, entry);
      }
      return [...byKind].map(([kind, e]) => ({ kind, name: e.name, services: e.services }));
    },

    /** Certificate kinds required by a service (to accept one only for what is asked). */
    async kindRequiredOf(technicianId: string, kind: string): Promise<boolean> {
      const rows = await queryRows<{ one: number }>(
        db,
        sql`SELECT 1 AS one FROM technician_services ts JOIN services s ON s.id = ts.service_id
             WHERE ts.technician_id = ${technicianId} AND ${kind} = ANY (s.required_certificates) LIMIT 1`,
      );
      return rows.length > 0;
    },

    certificates: (technicianId: string) =>
      db.select().from(technicianCertificates).where(eq(technicianCertificates.technicianId, technicianId)),

    async setCertificate(technicianId: string, kind: string, uploadId: string, expiresOn: string | null) {
      await db
        .insert(technicianCertificates)
        .values({ technicianId, kind, uploadId, expiresOn })
        .onConflictDoUpdate({
          target: [technicianCertificates.technicianId, technicianCertificates.kind],
          set: { uploadId, expiresOn },
        });
    },

    services: (technicianId: string) =>
      db
        .select({
          serviceId: technicianServices.serviceId,
          nameEn: services.nameEn,
          nameAr: services.nameAr,
          price: technicianServices.price,
          currency: services.currency,
        })
        .from(technicianServices)
        .innerJoin(services, eq(services.id, technicianServices.serviceId))
        .where(eq(technicianServices.technicianId, technicianId))
        .orderBy(asc(services.nameEn)),

    async counts(technicianId: string) {
      const [row] = await queryRows<{ services: number; areas: number; hours: number; phone: number }>(
        db,
        sql`SELECT (SELECT count(*) FROM ${technicianServices} WHERE technician_id = ${technicianId})::int AS services,
                   (SELECT count(*) FROM ${technicianAreas} WHERE technician_id = ${technicianId})::int AS areas,
                   (SELECT count(*) FROM technician_schedules WHERE technician_id = ${technicianId})::int AS hours,
                   (SELECT count(*) FROM ${phoneVerifications} WHERE user_id = ${technicianId})::int AS phone`,
      );
      return {
        services: Number(row?.services ?? 0),
        areas: Number(row?.areas ?? 0),
        hours: Number(row?.hours ?? 0),
        phone: Number(row?.phone ?? 0),
      };
    },

    /** The review queue: oldest first (by submission, else by last change). Cursor: (that time, id). */
    async queue(status: OnboardingStatus, after: { instant: string; id: string } | undefined, limit: number) {
      const at = sql`coalesce(${technicianOnboarding.submittedAt}, ${technicianOnboarding.updatedAt})`;
      return db
        .select({
          technicianId: technicianOnboarding.technicianId,
          status: technicianOnboarding.status,
          submittedAt: technicianOnboarding.submittedAt,
          at: sql<Date>`${at}`.mapWith(technicianOnboarding.updatedAt),
          cursorAt: isoMicros(at),
          name: users.name,
          email: users.email,
          servicesCount:
            sql<number>`(SELECT count(*) FROM ${technicianServices} WHERE ${technicianServices.technicianId} = ${technicianOnboarding.technicianId})`.mapWith(
              Number,
            ),
          areasCount:
            sql<number>`(SELECT count(*) FROM ${technicianAreas} WHERE ${technicianAreas.technicianId} = ${technicianOnboarding.technicianId})`.mapWith(
              Number,
            ),
        })
        .from(technicianOnboarding)
        .innerJoin(users, eq(users.id, technicianOnboarding.technicianId))
        .where(
          and(
            eq(technicianOnboarding.status, status),
            after
              ? sql`(${at}, ${technicianOnboarding.technicianId}) > (${after.instant}::timestamptz, ${after.id}::uuid)`
              : undefined,
          ),
        )
        .orderBy(asc(at), asc(technicianOnboarding.technicianId))
        .limit(limit);
    },

    /** The application's audit trail (submissions, decisions, expiries, admin reads), newest first. */
    history: (technicianId: string) =>
      db
        .select({ action: auditLog.action, actorName: users.name, at: auditLog.at, detail: auditLog.detail })
        .from(auditLog)
        .leftJoin(users, eq(users.id, auditLog.actorId))
        .where(
          and(
            eq(auditLog.subject, `technician:${technicianId}`),
            sql`${auditLog.action} LIKE 'onboarding.%'`,
          ),
        )
        .orderBy(desc(auditLog.at), desc(auditLog.id))
        .limit(50),

    /**
     * Approved technicians holding an expired required document on `today` (YYYY-MM-DD): their ID, or a
     * certificate one of their services requires. A document is valid through its expiry date.
     */
    async expired(
      today: string,
    ): Promise<Array<{ technicianId: string; id: boolean; certificates: boolean }>> {
      const rows = await queryRows<{ technician_id: string; id_expired: boolean; cert_expired: boolean }>(
        db,
        sql`SELECT o.technician_id,
                   (o.id_expires_on IS NOT NULL AND o.id_expires_on < ${today}::date) AS id_expired,
                   EXISTS (
                     SELECT 1 FROM technician_certificates c
                       JOIN technician_services ts ON ts.technician_id = c.technician_id
                       JOIN services s ON s.id = ts.service_id AND c.kind = ANY (s.required_certificates)
                      WHERE c.technician_id = o.technician_id AND c.expires_on < ${today}::date
                   ) AS cert_expired
              FROM technician_onboarding o
             WHERE o.status = 'approved'`,
      );
      return rows
        .filter((r) => r.id_expired || r.cert_expired)
        .map((r) => ({ technicianId: r.technician_id, id: r.id_expired, certificates: r.cert_expired }));
    },
  };
}

export type OnboardingRepo = ReturnType<typeof createOnboardingRepo>;

import { and, desc, eq, ilike, inArray, isNotNull, isNull, or, type SQL, sql } from 'drizzle-orm';
import { type DbOrTx, isoMicros, queryRows } from '../../../db/client';
import {
  bookingStatusHistory,
  bookings,
  chatMessages,
  chatReadMarkers,
  customerRatings,
  disputeMessages,
  disputes,
  favorites,
  notificationPreferences,
  notifications,
  organizations,
  orgMembers,
  payments,
  payouts,
  phoneCodes,
  phoneVerifications,
  pushSubscriptions,
  refunds,
  reviewReports,
  reviews,
  services,
  sessions,
  signInEvents,
  technicianAreas,
  technicianCertificates,
  technicianHours,
  technicianLanguages,
  technicianOnboarding,
  technicianProfiles,
  technicianSchedules,
  technicianServices,
  technicianTimeOff,
  trackingBreadcrumbs,
  uploads,
  userErasures,
  userRestrictions,
  users,
} from '../../../db/schema';
import type { UserStatus } from '../../contracts/console';
import type { RiskThresholds } from './risk.config';

/** The restriction in force: open and not yet ended. */
const inForce = sql`${userRestrictions.liftedAt} IS NULL AND (${userRestrictions.until} IS NULL OR ${userRestrictions.until} > now())`;

const statusExpr = sql<UserStatus>`CASE WHEN ${userErasures.userId} IS NOT NULL THEN 'deleted'
  WHEN ${userRestrictions.kind} = 'ban' THEN 'banned' WHEN ${userRestrictions.kind} = 'suspend' THEN 'suspended'
  ELSE 'active' END`;

const escapeLike = (s: string) => s.replace(/[\\%_]/g, '\\$&');

export function createConsoleUsersRepo(db: DbOrTx) {
  return {
    async search(
      filter: { q?: string; role?: 'customer' | 'technician' | 'admin'; status?: UserStatus },
      after: { instant: string; id: string } | undefined,
      limit: number,
    ) {
      const where: Array<SQL | undefined> = [];
      if (filter.q) {
        const p = `%${escapeLike(filter.q)}%`;
        where.push(or(ilike(users.name, p), ilike(users.email, p), ilike(users.phone, p)));
      }
      if (filter.role) where.push(eq(users.role, filter.role));
      if (filter.status === 'deleted') where.push(isNotNull(userErasures.userId));
      else if (filter.status) {
        where.push(isNull(userErasures.userId));
        if (filter.status === 'active') where.push(isNull(userRestrictions.id));
        else where.push(eq(userRestrictions.kind, filter.status === 'banned' ? 'ban' : 'suspend'));
      }
      if (after)
        where.push(
          sql`(${users.createdAt}, ${users.id}) < (${after.instant}::timestamptz, ${after.id}::uuid)`,
        );
      return db
        .select({ user: users, status: statusExpr, cursorAt: isoMicros(users.createdAt) })
        .from(users)
        .leftJoin(userRestrictions, and(eq(userRestrictions.userId, users.id), inForce))
        .leftJoin(userErasures, eq(userErasures.userId, users.id))
        .where(and(...where))
        .orderBy(desc(users.createdAt), desc(users.id))
        .limit(limit);
    },

    async user(id: string) {
      const [row] = await db
        .select({ user: users, status: statusExpr })
        .from(users)
        .leftJoin(userRestrictions, and(eq(userRestrictions.userId, users.id), inForce))
        .leftJoin(userErasures, eq(userErasures.userId, users.id))
        .where(eq(users.id, id))
        .limit(1);
      return row;
    },

    /** The user row, locked: a ban, unban or erasure of one user at a time (and sign-ins wait, see migration 0016). */
    async lockUser(id: string) {
      const [row] = await db.select().from(users).where(eq(users.id, id)).for('update').limit(1);
      return row;
    },

    restrictions: (userId: string) =>
      db
        .select()
        .from(userRestrictions)
        .where(eq(userRestrictions.userId, userId))
        .orderBy(desc(userRestrictions.createdAt))
        .limit(50),

    async restrictionInForce(userId: string) {
      const [row] = await db
        .select()
        .from(userRestrictions)
        .where(and(eq(userRestrictions.userId, userId), inForce))
        .limit(1);
      return row;
    },

    /** Closes the open restriction (in force or expired); returns the closed row. */
    async liftOpen(userId: string, by: string | null) {
      const [row] = await db
        .update(userRestrictions)
        .set({ liftedAt: sql`now()`, liftedBy: by })
        .where(and(eq(userRestrictions.userId, userId), isNull(userRestrictions.liftedAt)))
        .returning();
      return row;
    },

    async insertRestriction(values: typeof userRestrictions.$inferInsert) {
      const [row] = await db.insert(userRestrictions).values(values).returning();
      return row!;
    },

    deleteSessions: (userId: string) => db.delete(sessions).where(eq(sessions.userId, userId)),

    technician: async (userId: string) =>
      (await db.select().from(technicianProfiles).where(eq(technicianProfiles.userId, userId)).limit(1))[0],

    /** A technician taken off work (suspension): offline; their open offers are withdrawn by the caller. */
    takeOffline: (userId: string) =>
      db.update(technicianProfiles).set({ online: false }).where(eq(technicianProfiles.userId, userId)),

    bookingsOf: (userId: string, limit: number) =>
      db
        .select({
          booking: bookings,
          serviceEn: services.nameEn,
          serviceAr: services.nameAr,
        })
        .from(bookings)
        .innerJoin(services, eq(services.id, bookings.serviceId))
        .where(or(eq(bookings.customerId, userId), eq(bookings.technicianId, userId)))
        .orderBy(desc(bookings.createdAt))
        .limit(limit),

    reviewsOf: (userId: string, limit: number) =>
      db
        .select()
        .from(reviews)
        .where(or(eq(reviews.customerId, userId), eq(reviews.technicianId, userId)))
        .orderBy(desc(reviews.createdAt))
        .limit(limit),

    paymentsOf: (userId: string, limit: number) =>
      db
        .select()
        .from(payments)
        .where(eq(payments.customerId, userId))
        .orderBy(desc(payments.createdAt))
        .limit(limit),

    /** Reports the user filed, and reports about reviews the user wrote. */
    reportsOf: (userId: string, limit: number) =>
      db
        .select({ report: reviewReports, reviewAuthor: reviews.customerId })
        .from(reviewReports)
        .innerJoin(reviews, eq(reviews.id, reviewReports.reviewId))
        .where(or(eq(reviewReports.reporterId, userId), eq(reviews.customerId, userId)))
        .orderBy(desc(reviewReports.createdAt))
        .limit(limit),

    /** Cases on the user's bookings, either side: their disputes, reports about them, and the reverse. */
    disputesOf: (userId: string, limit: number) =>
      db
        .select({ dispute: disputes, customerId: bookings.customerId })
        .from(disputes)
        .innerJoin(bookings, eq(bookings.id, disputes.bookingId))
        .where(or(eq(bookings.customerId, userId), eq(bookings.technicianId, userId)))
        .orderBy(desc(disputes.createdAt), desc(disputes.id))
        .limit(limit),

    /** How many cases ended in a penalty for them as a technician, or a warning for them as a customer. */
    async outcomesOf(userId: string) {
      const [row] = await queryRows<{ penalties: number; warnings: number }>(
        db,
        sql`SELECT count(*) FILTER (WHERE d.outcome = 'technician_penalty' AND b.technician_id = ${userId})::int AS penalties,
                   count(*) FILTER (WHERE d.outcome = 'customer_warning' AND b.customer_id = ${userId})::int AS warnings
              FROM disputes d JOIN bookings b ON b.id = d.booking_id
             WHERE b.customer_id = ${userId} OR b.technician_id = ${userId}`,
      );
      return { technicianPenalties: row?.penalties ?? 0, customerWarnings: row?.warnings ?? 0 };
    },

    recordSignIn: (e: { userId: string | null; email: string; ok: boolean; ip: string }) =>
      db.insert(signInEvents).values({ ...e, email: e.email.toLowerCase() }),

    /**
     * The raw numbers behind the risk flags, each from the real tables in one round trip. Thresholds only
     * shape the windows; the caller compares.
     */
    async riskFacts(userId: string, email: string, t: RiskThresholds) {
      const [row] = await queryRows<{
        failed: number;
        last_failed: Date | string | null;
        rapid: number;
        rapid_at: Date | string | null;
        cancelled: number;
        last_cancelled: Date | string | null;
        jump_kmh: number | null;
        jump_km: number | null;
        jump_at: Date | string | null;
        ok_before: number;
        last_ip: string | null;
        last_ip_new: boolean | null;
        last_ok_at: Date | string | null;
      }>(
        db,
        sql`WITH failed AS (
          SELECT count(*)::int AS n, max(at) AS last FROM sign_in_events
           WHERE (user_id = ${userId} OR email = lower(${email})) AND NOT ok
             AND at > now() - make_interval(hours => ${t.failedSignInHours}::int)
        ), rapid AS (
          SELECT count(*) OVER w AS n, created_at FROM bookings
           WHERE customer_id = ${userId} AND created_at > now() - interval '30 days'
          WINDOW w AS (ORDER BY created_at RANGE BETWEEN make_interval(mins => ${t.rapidBookingMinutes}::int) PRECEDING AND CURRENT ROW)
        ), rapid_max AS (
          SELECT n, created_at FROM rapid ORDER BY n DESC, created_at DESC LIMIT 1
        ), cancelled AS (
          SELECT count(*)::int AS n, max(created_at) AS last FROM booking_status_history
           WHERE actor_id = ${userId} AND to_status = 'cancelled'
             AND created_at > now() - make_interval(days => ${t.cancellationDays}::int)
        ), fixes AS (
          SELECT recorded_at,
                 ST_Distance(location, lag(location) OVER (ORDER BY recorded_at)) AS m,
                 extract(epoch FROM recorded_at - lag(recorded_at) OVER (ORDER BY recorded_at)) AS s
            FROM tracking_breadcrumbs
           WHERE technician_id = ${userId} AND recorded_at > now() - interval '30 days'
        ), jump AS (
          SELECT (m / 1000) / (greatest(s, 1) / 3600) AS kmh, m / 1000 AS km, recorded_at FROM fixes
           WHERE m >= 2000 AND (m / 1000) / (greatest(s, 1) / 3600) > ${t.jumpKmh}
           ORDER BY recorded_at DESC LIMIT 1
        ), oks AS (
          SELECT ip, at,
                 CASE WHEN position(':' in ip) > 0 THEN array_to_string((string_to_array(ip, ':'))[1:3], ':')
                      ELSE regexp_replace(ip, '\\.[0-9]+$', '') END AS block
            FROM sign_in_events WHERE user_id = ${userId} AND ok
        ), last_ok AS (
          SELECT ip, at, block FROM oks ORDER BY at DESC LIMIT 1
        )
        SELECT (SELECT n FROM failed) AS failed, (SELECT last FROM failed) AS last_failed,
               coalesce((SELECT n FROM rapid_max), 0)::int AS rapid, (SELECT created_at FROM rapid_max) AS rapid_at,
               (SELECT n FROM cancelled) AS cancelled, (SELECT last FROM cancelled) AS last_cancelled,
               (SELECT kmh FROM jump)::float8 AS jump_kmh, (SELECT km FROM jump)::float8 AS jump_km,
               (SELECT recorded_at FROM jump) AS jump_at,
               (SELECT count(*) FROM oks WHERE at < (SELECT at FROM last_ok))::int AS ok_before,
               (SELECT ip FROM last_ok) AS last_ip,
               NOT EXISTS (SELECT 1 FROM oks WHERE at < (SELECT at FROM last_ok) AND block = (SELECT block FROM last_ok)) AS last_ip_new,
               (SELECT at FROM last_ok) AS last_ok_at`,
      );
      return row!;
    },

    // ── Data rights ────────────────────────────────────────────────────────────────────────────────
    /** Everything stored about one user, keyed by table (their own rows only). */
    async exportData(userId: string) {
      const asCustomerOrTech = or(eq(bookings.customerId, userId), eq(bookings.technicianId, userId));
      const [user] = await db.select().from(users).where(eq(users.id, userId));
      const own = await db.select({ id: bookings.id }).from(bookings).where(asCustomerOrTech);
      const ids = own.map((b) => b.id);
      return {
        user,
        technicianProfile:
          (await db.select().from(technicianProfiles).where(eq(technicianProfiles.userId, userId)))[0] ??
          null,
        bookings: await db
          .select({
            id: bookings.id,
            role: sql<string>`CASE WHEN ${bookings.customerId} = ${userId} THEN 'customer' ELSE 'technician' END`,
            status: bookings.status,
            serviceId: bookings.serviceId,
            address: bookings.address,
            addressDetails: bookings.addressDetails,
            notes: bookings.notes,
            location: bookings.location,
            scheduledFor: bookings.scheduledFor,
            emergency: bookings.emergency,
            currency: bookings.currency,
            priceBase: bookings.priceBase,
            priceSurcharge: bookings.priceSurcharge,
            priceTotal: bookings.priceTotal,
            paymentMethod: bookings.paymentMethod,
            siteContactName: bookings.siteContactName,
            siteContactPhone: bookings.siteContactPhone,
            cancelReason: bookings.cancelReason,
            disputeReason: bookings.disputeReason,
            createdAt: bookings.createdAt,
            completedAt: bookings.completedAt,
            cancelledAt: bookings.cancelledAt,
          })
          .from(bookings)
          .where(asCustomerOrTech)
          .orderBy(bookings.createdAt),
        bookingHistory: await db
          .select()
          .from(bookingStatusHistory)
          .where(ids.length ? inArray(bookingStatusHistory.bookingId, ids) : sql`false`)
          .orderBy(bookingStatusHistory.id),
        // Only their own messages: the other party's words are the other party's data.
        chatMessages: await db
          .select({
            bookingId: chatMessages.bookingId,
            body: chatMessages.body,
            createdAt: chatMessages.createdAt,
          })
          .from(chatMessages)
          .where(eq(chatMessages.senderId, userId))
          .orderBy(chatMessages.id),
        reviewsWritten: await db.select().from(reviews).where(eq(reviews.customerId, userId)),
        reviewsReceived: await db.select().from(reviews).where(eq(reviews.technicianId, userId)),
        ratingsGiven: await db.select().from(customerRatings).where(eq(customerRatings.technicianId, userId)),
        reportsFiled: await db.select().from(reviewReports).where(eq(reviewReports.reporterId, userId)),
        payments: await db.select().from(payments).where(eq(payments.customerId, userId)),
        refunds: await db
          .select({ refund: refunds })
          .from(refunds)
          .innerJoin(payments, eq(payments.id, refunds.paymentId))
          .where(eq(payments.customerId, userId))
          .then((rows) => rows.map((r) => r.refund)),
        favorites: await db.select().from(favorites).where(eq(favorites.userId, userId)),
        uploads: await db
          .select({
            id: uploads.id,
            kind: uploads.kind,
            status: uploads.status,
            contentType: uploads.contentType,
            size: uploads.size,
            bookingId: uploads.bookingId,
            createdAt: uploads.createdAt,
          })
          .from(uploads)
          .where(eq(uploads.ownerId, userId)),
        signIns: await db
          .select({ ok: signInEvents.ok, ip: signInEvents.ip, at: signInEvents.at })
          .from(signInEvents)
          .where(eq(signInEvents.userId, userId))
          .orderBy(signInEvents.id),
        restrictions: await db.select().from(userRestrictions).where(eq(userRestrictions.userId, userId)),
        // Cases on their bookings; a report's details only when they wrote it (as the app shows them).
        disputes: await db
          .select({
            id: disputes.id,
            bookingId: disputes.bookingId,
            kind: disputes.kind,
            openedByThem: sql<boolean>`${disputes.openedBy} = ${userId}`,
            reason: disputes.reason,
            details: sql<
              string | null
            >`CASE WHEN ${disputes.openedBy} = ${userId} THEN ${disputes.details} END`,
            status: disputes.status,
            outcome: disputes.outcome,
            outcomeNote: disputes.outcomeNote,
            refundAmount: disputes.refundAmount,
            createdAt: disputes.createdAt,
            resolvedAt: disputes.resolvedAt,
            closedAt: disputes.closedAt,
          })
          .from(disputes)
          .innerJoin(bookings, eq(bookings.id, disputes.bookingId))
          .where(asCustomerOrTech)
          .orderBy(disputes.createdAt),
        // Their thread with the admins on each case (never the other party's thread).
        disputeMessages: await db
          .select({
            disputeId: disputeMessages.disputeId,
            from: disputeMessages.authorRole,
            body: disputeMessages.body,
            createdAt: disputeMessages.createdAt,
          })
          .from(disputeMessages)
          .innerJoin(disputes, eq(disputes.id, disputeMessages.disputeId))
          .innerJoin(bookings, eq(bookings.id, disputes.bookingId))
          .where(
            or(
              and(eq(bookings.customerId, userId), eq(disputeMessages.party, 'customer')),
              and(eq(bookings.technicianId, userId), eq(disputeMessages.party, 'technician')),
            ),
          )
          .orderBy(disputeMessages.id),
        notifications: await db
          .select({
            kind: notifications.kind,
            data: notifications.data,
            createdAt: notifications.createdAt,
            readAt: notifications.readAt,
          })
          .from(notifications)
          .where(eq(notifications.userId, userId))
          .orderBy(notifications.id),
        notificationPreferences: await db
          .select()
          .from(notificationPreferences)
          .where(eq(notificationPreferences.userId, userId)),
        // The endpoints their browsers registered (not the browsers' keys).
        pushSubscriptions: await db
          .select({ endpoint: pushSubscriptions.endpoint, createdAt: pushSubscriptions.createdAt })
          .from(pushSubscriptions)
          .where(eq(pushSubscriptions.userId, userId)),
        phoneVerification:
          (await db.select().from(phoneVerifications).where(eq(phoneVerifications.userId, userId)))[0] ??
          null,
        // Codes sent to them (never the codes: only a keyed hash is kept, and it is left out).
        phoneCodes: await db
          .select({ phone: phoneCodes.phone, createdAt: phoneCodes.createdAt, usedAt: phoneCodes.usedAt })
          .from(phoneCodes)
          .where(eq(phoneCodes.userId, userId))
          .orderBy(phoneCodes.id),
        // The application; the ID number is kept encrypted and is stated as on file, not written out.
        onboarding:
          (
            await db
              .select({
                status: technicianOnboarding.status,
                idFrontUploadId: technicianOnboarding.idFrontUploadId,
                idBackUploadId: technicianOnboarding.idBackUploadId,
                idNumberOnFile: sql<boolean>`${technicianOnboarding.idNumberCipher} IS NOT NULL`,
                idExpiresOn: technicianOnboarding.idExpiresOn,
                submittedAt: technicianOnboarding.submittedAt,
                decision: technicianOnboarding.decision,
                decidedAt: technicianOnboarding.decidedAt,
                reasonCode: technicianOnboarding.reasonCode,
                note: technicianOnboarding.note,
                fix: technicianOnboarding.fix,
              })
              .from(technicianOnboarding)
              .where(eq(technicianOnboarding.technicianId, userId))
          )[0] ?? null,
        certificates: await db
          .select({
            kind: technicianCertificates.kind,
            uploadId: technicianCertificates.uploadId,
            expiresOn: technicianCertificates.expiresOn,
          })
          .from(technicianCertificates)
          .where(eq(technicianCertificates.technicianId, userId)),
        // What they offer and at what price of their own (null: the service's base price).
        technicianServices: await db
          .select({
            serviceId: technicianServices.serviceId,
            market: services.market,
            slug: services.slug,
            nameEn: services.nameEn,
            nameAr: services.nameAr,
            ownPrice: technicianServices.price,
            currency: services.currency,
          })
          .from(technicianServices)
          .innerJoin(services, eq(services.id, technicianServices.serviceId))
          .where(eq(technicianServices.technicianId, userId))
          .orderBy(services.market, services.slug),
        // Weekly hours in their time zone (minutes after local midnight; null: never set, always available).
        workingHours: await db
          .select({ timeZone: technicianSchedules.timeZone })
          .from(technicianSchedules)
          .where(eq(technicianSchedules.technicianId, userId))
          .then(async ([schedule]) =>
            schedule
              ? {
                  timeZone: schedule.timeZone,
                  ranges: await db
                    .select({
                      weekday: technicianHours.weekday,
                      startMinute: technicianHours.startMinute,
                      endMinute: technicianHours.endMinute,
                    })
                    .from(technicianHours)
                    .where(eq(technicianHours.technicianId, userId))
                    .orderBy(technicianHours.weekday, technicianHours.startMinute),
                }
              : null,
          ),
        // Where they work: drawn polygons (as GeoJSON) and picked zones.
        serviceAreas: await db
          .select({
            name: technicianAreas.name,
            nameAr: technicianAreas.nameAr,
            zone: technicianAreas.zone,
            area: sql<unknown>`ST_AsGeoJSON(${technicianAreas.area}, 6)::json`,
            createdAt: technicianAreas.createdAt,
          })
          .from(technicianAreas)
          .where(eq(technicianAreas.technicianId, userId))
          .orderBy(technicianAreas.createdAt, technicianAreas.id),
        languages: await db
          .select({ language: technicianLanguages.language })
          .from(technicianLanguages)
          .where(eq(technicianLanguages.technicianId, userId))
          .orderBy(technicianLanguages.language)
          .then((rows) => rows.map((r) => r.language)),
        // Paid to them (the admin who paid is the admin's data, left out).
        payouts: await db
          .select({
            id: payouts.id,
            currency: payouts.currency,
            amount: payouts.amount,
            status: payouts.status,
            periodStart: payouts.periodStart,
            reference: payouts.reference,
            createdAt: payouts.createdAt,
            paidAt: payouts.paidAt,
          })
          .from(payouts)
          .where(eq(payouts.technicianId, userId))
          .orderBy(payouts.createdAt),
        timeOff: await db
          .select({
            startsAt: technicianTimeOff.startsAt,
            endsAt: technicianTimeOff.endsAt,
            reason: technicianTimeOff.reason,
          })
          .from(technicianTimeOff)
          .where(eq(technicianTimeOff.technicianId, userId)),
        organisations: await db
          .select({
            orgId: orgMembers.orgId,
            name: organizations.name,
            role: orgMembers.role,
            since: orgMembers.createdAt,
          })
          .from(orgMembers)
          .innerJoin(organizations, eq(organizations.id, orgMembers.orgId))
          .where(eq(orgMembers.userId, userId)),
        // How technicians rated them as a customer (the technicians' ids are theirs, left out).
        ratingsReceivedAsCustomer: await db
          .select({
            bookingId: customerRatings.bookingId,
            rating: customerRatings.rating,
            createdAt: customerRatings.createdAt,
          })
          .from(customerRatings)
          .where(eq(customerRatings.customerId, userId)),
      };
    },

    /**
     * Erases personal data (inside the caller's transaction): the users row becomes an anonymous husk
     * (bookings, payments and ledger rows keep pointing at it, as the law wants them kept), contact
     * details on their bookings go, their live trails, sessions, sign-in history and favourites are deleted,
     * their chat messages are blanked. The later tables too: their case texts and messages are blanked,
     * notifications, push subscriptions, phone codes and verification, the onboarding application (the
     * encrypted ID number with it), certificates, organisation memberships and ratings about them go, as
     * do their uploads (returned: the caller deletes the stored files after the commit). Their replies to
     * reviews are cleared, the reasons of review reports they filed blanked, their service areas (names
     * and polygons) deleted. A customer's bookings lose their on-site contact and their route trails.
     * Returns false when already erased.
     */
    async erase(
      userId: string,
      values: { reason: string; by: string | null; passwordHash: string },
    ): Promise<false | { storageKeys: string[] }> {
      const inserted = await db
        .insert(userErasures)
        .values({ userId, reason: values.reason, erasedBy: values.by })
        .onConflictDoNothing()
        .returning();
      if (inserted.length === 0) return false;
      await db
        .update(users)
        .set({
          email: `erased-${userId}@erased.fundi.invalid`,
          name: 'Deleted user',
          phone: null,
          passwordHash: values.passwordHash,
        })
        .where(eq(users.id, userId));
      await db.delete(sessions).where(eq(sessions.userId, userId));
      await db.delete(signInEvents).where(eq(signInEvents.userId, userId));
      await db.delete(favorites).where(or(eq(favorites.userId, userId), eq(favorites.technicianId, userId)));
      // Live trails: the ones they drove, and the ones of their own bookings as a customer.
      await db
        .delete(trackingBreadcrumbs)
        .where(
          or(
            eq(trackingBreadcrumbs.technicianId, userId),
            sql`${trackingBreadcrumbs.bookingId} IN (SELECT id FROM bookings WHERE customer_id = ${userId})`,
          ),
        );
      await db.delete(chatReadMarkers).where(eq(chatReadMarkers.userId, userId));
      await db.update(chatMessages).set({ body: '[deleted]' }).where(eq(chatMessages.senderId, userId));
      // Their bookings stay (amounts, times, service, status); the address text goes and the pin is
      // coarsened to a ~1 km grid (the city area stays for the records, the door does not).
      await db
        .update(bookings)
        .set({
          address: '[erased]',
          addressDetails: null,
          notes: null,
          siteContactName: null,
          siteContactPhone: null,
          location: sql`ST_SnapToGrid(${bookings.location}::geometry, 0.01)::geography` as never,
        })
        .where(eq(bookings.customerId, userId));
      await db
        .update(technicianProfiles)
        .set({
          bio: '',
          photoUrl: null,
          online: false,
          location: null,
          locationAccuracy: null,
          locationAt: null,
        })
        .where(eq(technicianProfiles.userId, userId));
      await db.update(reviews).set({ comment: null }).where(eq(reviews.customerId, userId));
      // Their replies to reviews of their work (the review itself is the customer's and stays).
      await db
        .update(reviews)
        .set({ reply: null, repliedAt: null })
        .where(and(eq(reviews.technicianId, userId), isNotNull(reviews.reply)));
      // Reports they filed stay (the admins acted on them); the reason they wrote goes.
      await db.update(reviewReports).set({ reason: '[erased]' }).where(eq(reviewReports.reporterId, userId));
      // Where they work: the names they gave and the polygons they drew (a home street, often).
      await db.delete(technicianAreas).where(eq(technicianAreas.technicianId, userId));
      // Cases stay (outcomes, refunds are records); what they wrote in them goes.
      await db.update(disputes).set({ details: '[erased]' }).where(eq(disputes.openedBy, userId));
      await db.update(disputeMessages).set({ body: '[deleted]' }).where(eq(disputeMessages.authorId, userId));
      await db.delete(notifications).where(eq(notifications.userId, userId));
      await db.delete(notificationPreferences).where(eq(notificationPreferences.userId, userId));
      await db.delete(pushSubscriptions).where(eq(pushSubscriptions.userId, userId));
      await db.delete(phoneCodes).where(eq(phoneCodes.userId, userId));
      await db.delete(phoneVerifications).where(eq(phoneVerifications.userId, userId));
      await db.delete(technicianOnboarding).where(eq(technicianOnboarding.technicianId, userId));
      await db.delete(technicianCertificates).where(eq(technicianCertificates.technicianId, userId));
      await db.delete(orgMembers).where(eq(orgMembers.userId, userId));
      // Time off says why they were away (a wedding, an illness): it goes; their working hours stay.
      await db.delete(technicianTimeOff).where(eq(technicianTimeOff.technicianId, userId));
      await db.delete(customerRatings).where(eq(customerRatings.customerId, userId));
      // Their files: ID documents, certificates, photos (profile photos go with them by cascade).
      const gone = await db
        .delete(uploads)
        .where(eq(uploads.ownerId, userId))
        .returning({ key: uploads.storageKey });
      return { storageKeys: [...new Set(gone.map((g) => g.key).filter((k): k is string => !!k))] };
    },

    /** Of these storage keys, the ones no upload row refers to any more (a public file may be shared). */
    async unreferencedKeys(keys: string[]) {
      if (!keys.length) return [];
      const still = await db
        .select({ key: uploads.storageKey })
        .from(uploads)
        .where(inArray(uploads.storageKey, keys));
      const used = new Set(still.map((r) => r.key));
      return keys.filter((k) => !used.has(k));
    },
  };
}

export type ConsoleUsersRepo = ReturnType<typeof createConsoleUsersRepo>;

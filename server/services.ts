import { EventEmitter } from 'node:events';
import type { Database } from '../db/client';
import type { Config } from './config';
import { createAdmission } from './lib/admission';
import { createLoopDelay } from './lib/loop-delay';
import { createBackoff, createLocalRateLimiter, createRateLimiter } from './lib/rate-limit';
import { createAdminRepo } from './modules/admin/admin.repo';
import { createAdminService } from './modules/admin/admin.service';
import { createAnalyticsService } from './modules/analytics/analytics.service';
import { createAreaRepo } from './modules/area/area.repo';
import { createAreaService } from './modules/area/area.service';
import { createAuthRepo } from './modules/auth/auth.repo';
import { createAuthService } from './modules/auth/auth.service';
import { createSessionStore } from './modules/auth/session';
import { createBookingLifecycle } from './modules/booking/booking.lifecycle';
import { createBookingRecords } from './modules/booking/booking.records';
import { createBookingService } from './modules/booking/booking.service';
import { createZoneSurcharges } from './modules/booking/zone-surcharge';
import { createAdminBookingsService } from './modules/cases/bookings.service';
import { createDisputesService } from './modules/cases/disputes.service';
import { createCatalogService } from './modules/catalog/catalog.service';
import { createChatService } from './modules/chat/chat.service';
import { createLeader } from './modules/cluster/leader';
import { createConsole } from './modules/console/console';
import { createDeveloperServices } from './modules/developer/developer.service';
import { createSandboxDriver } from './modules/developer/sandbox';
import { createDispatchService, offerPrice } from './modules/dispatch/dispatch.service';
import { createEarningsService } from './modules/earnings/earnings.service';
import { createLedger } from './modules/ledger/ledger.service';
import { createMarketRepo } from './modules/market/market.repo';
import { createMarketService } from './modules/market/market.service';
import { createMeService } from './modules/me/me.service';
import { createNotifications } from './modules/notification/notifications';
import { createFieldCipher } from './modules/onboarding/field-crypto';
import { createOnboardingService } from './modules/onboarding/onboarding.service';
import { createExtrasService } from './modules/payments/extras.service';
import { createPaymentsService } from './modules/payments/payments.service';
import { createProviders } from './modules/payments/providers';
import { createPresenceRepo } from './modules/presence/presence.repo';
import { createPresenceService } from './modules/presence/presence.service';
import { createReviewService } from './modules/review/review.service';
import { createScheduleService } from './modules/schedule/schedule.service';
import { createSearchService } from './modules/search/search.service';
import { createTechnicianRecords } from './modules/technician/technician.records';
import { createTechnicianRepo } from './modules/technician/technician.repo';
import { createTechnicianService } from './modules/technician/technician.service';
import { createTrackingService } from './modules/tracking/tracking.service';
import { createSigner } from './modules/upload/signing';
import { createFileStore } from './modules/upload/storage';
import { createUploadService } from './modules/upload/upload.service';
import { type Bus, channels, createBus, createRedisBus } from './realtime/bus';
import { connectRedis, type RedisConnections } from './realtime/redis';

/** With REDIS_URL: the node's Redis connections (cluster mode). Without: nothing to connect. */
export async function connectCluster(config: Config): Promise<RedisConnections | null> {
  return config.redisUrl ? connectRedis(config.redisUrl, config.nodeId) : null;
}

/**
 * Composition of the domain services; transports and routers reach the domain only through this.
 * `redis` set: this is one node of several (Redis bus, shared rate limits, presence across nodes).
 */
export function createServices(database: Database, config: Config, redis: RedisConnections | null = null) {
  const { db } = database;
  const bus: Bus = redis
    ? createRedisBus({ pub: redis.pub, sub: redis.sub, nodeId: config.nodeId, prefix: config.redisPrefix })
    : createBus(config.nodeId);
  const leader = createLeader(db, config.nodeId);
  // Bookings and technicians as other modules' services read (and lock, in their transactions) them.
  const bookingRecords = createBookingRecords(db);
  const technicianRecords = createTechnicianRecords(db);
  const authRepo = createAuthRepo(db);
  const sessions = createSessionStore(authRepo, Date.now, bus);
  // Organisations, API keys and outgoing webhooks (issue 17); booking changes write its outbox rows.
  const developer = createDeveloperServices({
    db,
    bus,
    sessions,
    config: config.developer,
    redis: redis?.limits,
    redisPrefix: config.redisPrefix,
    // Called at run time only (notifications is made below): the owners' notice, in that transaction.
    endpointDisabled: (tx, notice) => notifications.hooks.webhookDisabled(tx, notice),
  });
  const auth = createAuthService({
    repo: authRepo,
    sessions,
    limiter: createRateLimiter({
      name: 'auth',
      limit: config.authRateLimit,
      windowMs: 10 * 60 * 1000,
      redis: redis?.limits,
      prefix: config.redisPrefix,
    }),
    backoff: createBackoff({
      name: 'signin',
      freeAttempts: config.authBackoff.freeAttempts,
      maxMs: config.authBackoff.maxMs,
      redis: redis?.limits,
      prefix: config.redisPrefix,
    }),
    // Suspensions/bans and sign-in events (issue 14 §3); called only once requests flow.
    guard: {
      restrictionOf: (id) => adminConsole.users.restrictionOf(id),
      recordSignIn: (e) => adminConsole.users.recordSignIn(e),
    },
    // Admins' technician lists (me.events `technicians`) show a new sign-up without a reload (issue 11 §4).
    technicianJoined: (id) => tracking.changed([id]),
  });

  const presence = createPresenceService({
    repo: createPresenceRepo(db),
    bus,
    leader,
    config: config.presence,
    single: !redis,
  });
  const markets = createMarketService(createMarketRepo(db), { fallback: config.marketFallback });
  const catalog = createCatalogService(db, config.market);
  const tracking = createTrackingService({
    db,
    config: config.tracking,
    bus,
    presence,
    leader,
    bookings: bookingRecords,
    // Issue 11 §2: "arriving" (ETA under 2 min) comes from the ETA tracking computes on each fix.
    arriving: (tx, bookingId) => notifications.hooks.arriving(tx, bookingId),
  });
  const areas = createAreaService({
    repo: createAreaRepo(db),
    onChanged: (id) => tracking.changed([id]),
  });
  // Notifications (issue 11): the outbox rows commit with the changes that cause them.
  const notifications = createNotifications({
    db,
    bus,
    config,
    bookings: bookingRecords,
    userChanged: (id) => sessions.forgetUser(id),
  });
  const lifecycle = createBookingLifecycle(bus, {
    notices: notifications.hooks.notices,
    noticeSpecs: notifications.hooks.noticeSpecs,
    async bookingChanged(tx, change, noticesWritten) {
      await developer.webhooks.bookingChanged(tx, change);
      await notifications.hooks.bookingChanged(tx, change, noticesWritten);
    },
  });
  // Working hours, time off and travel-aware slots (issue 12 §5).
  const schedule = createScheduleService({
    db,
    catalog,
    markets,
    defaultMarket: config.market,
    config: { ...config.schedule, radiusMeters: config.dispatch.radiusMeters },
    onChanged: async (id) => {
      await tracking.changed([id]);
      dispatch.onTechnicianAvailable(id);
    },
  });
  const dispatch = createDispatchService({
    schedule,
    db,
    bus,
    lifecycle,
    bookings: bookingRecords,
    technicians: technicianRecords,
    config: config.dispatch,
    presence,
    presenceTimeoutMs: config.presence.timeoutMs,
    pushReachableMs: config.presence.pushReachableMs,
    leader,
    service: catalog.service,
    nearest: tracking.nearest,
    offerNotice: async (tx, row, offer) => {
      const service = await catalog.service(row.serviceId, tx);
      if (!service) return null;
      return notifications.hooks.offerNotice({
        bookingId: row.id,
        serviceEn: service.nameEn,
        serviceAr: service.nameAr,
        price: offerPrice(offer, row, service).earnings,
        currency: row.currency,
      });
    },
    offered: (tx) => notifications.hooks.offered(tx),
  });
  // Uploaded files: local disk under DATA_DIR/uploads, or S3 when S3_BUCKET is set.
  const fileStore = createFileStore(config.uploads);
  // The operations console's users, catalogue and audit (issue 14 §3–§5).
  const adminConsole = createConsole({
    db,
    bus,
    sessions,
    catalog,
    markets,
    risk: config.risk,
    technicians: technicianRecords,
    offersWithdrawn: (id, offers) => dispatch.offersWithdrawn(id, offers),
    technicianChanged: (id) => tracking.changed([id]),
    files: fileStore,
  });
  // Money (issue 10): the ledger, gateways whose keys are configured, payments, extras, earnings.
  const ledger = createLedger();
  const payments = createPaymentsService({
    db,
    ledger,
    providers: createProviders(config.payments),
    market: config.market,
    // Each market's payment methods, cancellation fee and unpaid grace: its row (cached with the outlines).
    markets,
    publicUrl: () => config.publicUrl ?? `http://localhost:${config.port}`,
    bus,
    paid: notifications.hooks.paid,
    refunded: notifications.hooks.refunded,
    // payment.succeeded / payment.refunded webhooks, committed with the payment change (issue 17 §2).
    outbox: {
      paymentChanged: (tx, change) => developer.webhooks.paymentChanged(tx, change),
      committed: (bookingId) => developer.webhooks.paymentCommitted(bookingId),
    },
    // Declared below; called only once requests are served.
    photos: (bookingId) => uploads.bookingPhotos(bookingId),
  });
  /** The event loop's delay: one of the signals that refuse new bookings when the process is saturated. */
  const loopDelay = createLoopDelay();
  const bookings = createBookingService({
    schedule,
    markets,
    zoneAt: createZoneSurcharges((market) => areas.zones(market)),
    billing: payments,
    db,
    bus,
    catalog,
    lifecycle,
    dispatch,
    config,
    available: tracking.availability,
    lastPosition: tracking.lastPosition,
    admission: createAdmission(
      'new bookings',
      {
        maxInFlight: config.shedding.createsInFlight,
        maxBacklog: config.shedding.dispatchBacklog,
        retryAfterSeconds: config.shedding.retryAfterSeconds,
        // Embedded PGlite runs its queries on this event loop: its delay is the database working, not
        // saturation, and one user's demo on a slow laptop is not a rush either.
        maxLoopDelayMs: database.driver === 'pglite' ? 0 : config.shedding.loopDelayMs,
        maxLatencyMs: database.driver === 'pglite' ? 0 : config.shedding.createLatencyMs,
      },
      { backlog: dispatch.backlog, loopDelayMs: loopDelay.meanMs },
    ),
    mayBook: (id, market) => notifications.phone.assertMayBook(id, market),
    // Test-mode bookings (issue 17 §3): driven by a simulated technician, never dispatched.
    sandbox: { drive: (id) => sandbox.drive(id) },
    createLimiter: createRateLimiter({
      name: 'booking-create',
      limit: config.bookingCreateLimit.limit,
      windowMs: config.bookingCreateLimit.windowMs,
      redis: redis?.limits,
      prefix: config.redisPrefix,
    }),
    cancelLimiter: createRateLimiter({
      name: 'booking-cancel',
      limit: config.bookingCancelLimit.limit,
      windowMs: config.bookingCancelLimit.windowMs,
      redis: redis?.limits,
      prefix: config.redisPrefix,
    }),
  });
  const sandbox = createSandboxDriver({
    db,
    lifecycle,
    bookings: () => bookings,
    bookingRecords,
    tracking,
    leader,
    config: config.developer.sandbox,
  });
  const technicians = createTechnicianService({
    repo: createTechnicianRepo(db),
    tracking,
    // Location fixes per technician per 10 s: a phone sends one every few seconds, a reconnecting one
    // its offline backlog (100 per call); a flood gets TOO_MANY_REQUESTS and the phone retries later.
    // Counted on each node, not in Redis: measured (npm run bench:api, two-node section), counting fixes
    // in Redis made each tracking.update cost 3–10× the node CPU. A technician's fixes arrive on the
    // node their socket is on, so this still caps a flood; spread over N nodes it is at most N× the limit.
    fixLimiter: createLocalRateLimiter({ limit: config.tracking.rateLimit, windowMs: 10_000 }),
    presence,
    onAvailable: (id) => dispatch.onTechnicianAvailable(id),
    onOffersWithdrawn: (id, offers) => dispatch.offersWithdrawn(id, offers),
    mayGoOnline: (id) => notifications.phone.assertMayGoOnline(id),
    verificationDecided: notifications.hooks.verificationDecided,
  });

  const chat = createChatService({
    db,
    bus,
    // Messages per user per minute (in Redis with several nodes); a retried clientId is not counted.
    limiter: createRateLimiter({
      name: 'chat',
      limit: config.chat.rateLimit,
      windowMs: 60_000,
      redis: redis?.limits,
      prefix: config.redisPrefix,
    }),
    config: config.chat,
    notify: (tx, m) => notifications.hooks.chatMessage(tx, m),
  });

  const extras = createExtrasService(db);
  const earnings = createEarningsService({
    db,
    ledger,
    // A technician with no earnings yet sees zeros in the currency of their market (that of the services
    // they offer), else of the deployment's default market (MARKET): the markets table's data.
    currency: async (technicianId) => {
      const [offered] = await technicianRecords.servicesOf(technicianId);
      const currency = offered?.currency ?? (await markets.bySlug(config.market))?.currency;
      if (!currency)
        throw new Error(`MARKET=${config.market} is not in the markets table (db/seed/markets.ts).`);
      return currency;
    },
  });

  // Reviews and ratings (issue 12 §1), technician profiles, search and favourites (§2, §3).
  const reviews = createReviewService({ db, config: config.reviews });
  const search = createSearchService({
    db,
    presenceTimeoutMs: config.presence.timeoutMs,
    topTags: (id) => reviews.topTags(id),
    schedule,
  });

  // Uploads (issue 13 §3): local disk under DATA_DIR/uploads, or S3 when S3_BUCKET is set.
  const uploads = createUploadService({
    db,
    store: fileStore,
    signer: createSigner({ key: config.uploads.signingKey, dataDir: config.uploads.dataDir }),
    config: config.uploads,
  });

  // Analytics (issue 14 §6): SQL over the real tables, plus a presence sample per market per minute.
  const analytics = createAnalyticsService({
    db,
    presenceTimeoutMs: config.presence.timeoutMs,
    reviewWindowMs: config.reviews.windowMs,
    leader,
  });

  // Onboarding and verification (issue 13 §4): ID numbers encrypted with FIELD_ENCRYPTION_KEY.
  const onboarding = createOnboardingService({
    db,
    uploads,
    areas,
    cipher: createFieldCipher({ key: config.fieldEncryptionKey, dataDir: config.dataDir }),
    leader,
    technicians: technicianRecords,
    verificationDecided: notifications.hooks.verificationDecided,
    verificationChanged: (id, status) => technicians.verificationApplied(id, status),
    // Every node's me.events tells its admins (their review queue refreshes, issue 11 §4).
    applicationChanged: (technicianId, status) =>
      bus.publish(channels.applications, { technicianId, status }),
    phoneRequired: config.notifications.technicianPhoneRequired,
  });

  // One shared timer for every heartbeat subscriber instead of one per connection.
  const clock = new EventEmitter();
  clock.setMaxListeners(0);
  const tick = setInterval(() => clock.emit('tick'), config.heartbeatMs);
  tick.unref();

  // The operations console's bookings board and dispute cases (issue 14 §1, §2).
  const adminBookings = createAdminBookingsService({
    db,
    lifecycle,
    bookings,
    bookingRecords,
    chat,
    tracking,
    dispatch,
    uploads,
    schedule,
  });
  const disputes = createDisputesService({
    db,
    bus,
    bookings,
    bookingRecords,
    adminBookings,
    payments,
    outcomeDecided: notifications.hooks.disputeDecided,
  });

  return {
    database,
    auth,
    sessions,
    admin: createAdminService(createAdminRepo(db)),
    adminConsole,
    bus,
    presence,
    leader,
    catalog,
    markets,
    areas,
    bookings,
    dispatch,
    schedule,
    technicians,
    tracking,
    ledger,
    payments,
    extras,
    earnings,
    chat,
    adminBookings,
    disputes,
    me: createMeService({ db, bus }),
    notifications: notifications.service,
    phone: notifications.phone,
    reviews,
    search,
    uploads,
    developer,
    sandbox,
    analytics,
    onboarding,
    clock,
    /** Background work (dispatch timers and sweeps); not started by CLIs and unit tests that don't need it. */
    async start() {
      await presence.start();
      await tracking.start();
      await dispatch.start();
      reviews.start();
      notifications.service.start();
      developer.start();
      await sandbox.start();
      onboarding.start();
      analytics.start();
      presence.startOfflineSweep((ids) => void tracking.changed(ids).catch(() => undefined));
    },
    async stop() {
      clearInterval(tick);
      clock.emit('stop');
      loopDelay.stop();
      await presence.stop();
      await dispatch.stop();
      await sandbox.stop();
      await reviews.stop();
      await notifications.service.stop();
      await developer.stop();
      await onboarding.stop();
      await analytics.stop();
      await tracking.stop();
      await leader.releaseAll();
      await bus.close();
      await redis?.close();
    },
  };
}

export type Services = ReturnType<typeof createServices>;

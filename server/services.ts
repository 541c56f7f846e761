import { EventEmitter } from 'node:events';
import type { Database } from '../db/client';
import type { Config } from './config';
import { createRateLimiter } from './lib/rate-limit';
import { createAdminRepo } from './modules/admin/admin.repo';
import { createAdminService } from './modules/admin/admin.service';
import { createAuthRepo } from './modules/auth/auth.repo';
import { createAuthService } from './modules/auth/auth.service';
import { createSessionStore } from './modules/auth/session';
import { createBookingLifecycle } from './modules/booking/booking.lifecycle';
import { createBookingService } from './modules/booking/booking.service';
import { createCatalogRepo } from './modules/catalog/catalog.repo';
import { createCatalogService } from './modules/catalog/catalog.service';
import { createDispatchService } from './modules/dispatch/dispatch.service';
import { createTechnicianRepo } from './modules/technician/technician.repo';
import { createTechnicianService } from './modules/technician/technician.service';
import { createTrackingService } from './modules/tracking/tracking.service';
import { createBus } from './realtime/bus';

/** Composition of the domain services; transports and routers reach the domain only through this. */
export function createServices(database: Database, config: Config) {
  const { db } = database;
  const authRepo = createAuthRepo(db);
  const sessions = createSessionStore(authRepo);
  const auth = createAuthService({
    repo: authRepo,
    sessions,
    limiter: createRateLimiter({ limit: config.authRateLimit, windowMs: 10 * 60 * 1000 }),
  });

  const bus = createBus();
  const catalog = createCatalogService(createCatalogRepo(db), config.market);
  const tracking = createTrackingService({ db, config: config.tracking });
  const lifecycle = createBookingLifecycle(db, bus, tracking.onBookingChange);
  const dispatch = createDispatchService({
    db,
    bus,
    lifecycle,
    config: config.dispatch,
    nearest: tracking.nearest,
  });
  const bookings = createBookingService({
    db,
    bus,
    catalog,
    lifecycle,
    dispatch,
    config,
    available: tracking.availability,
    lastPosition: tracking.lastPosition,
  });
  const technicians = createTechnicianService({
    repo: createTechnicianRepo(db),
    tracking,
    // Location fixes per technician per 10 s: a phone sends one every few seconds, a reconnecting one
    // its offline backlog (100 per call); a flood gets TOO_MANY_REQUESTS and the phone retries later.
    fixLimiter: createRateLimiter({ limit: config.tracking.rateLimit, windowMs: 10_000 }),
    onAvailable: (id) => dispatch.onTechnicianAvailable(id),
  });

  // One shared timer for every heartbeat subscriber instead of one per connection.
  const clock = new EventEmitter();
  clock.setMaxListeners(0);
  const tick = setInterval(() => clock.emit('tick'), config.heartbeatMs);
  tick.unref();

  return {
    database,
    auth,
    sessions,
    admin: createAdminService(createAdminRepo(db)),
    bus,
    catalog,
    bookings,
    dispatch,
    technicians,
    tracking,
    clock,
    /** Background work (dispatch timers and sweeps); not started by CLIs and unit tests that don't need it. */
    async start() {
      await tracking.start();
      await dispatch.start();
    },
    async stop() {
      clearInterval(tick);
      clock.emit('stop');
      await dispatch.stop();
      await tracking.stop();
    },
  };
}

export type Services = ReturnType<typeof createServices>;

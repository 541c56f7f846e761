import { EventEmitter } from 'node:events';
import type { Database } from '../db/client';
import type { Config } from './config';
import { createRateLimiter } from './lib/rate-limit';
import { createAdminRepo } from './modules/admin/admin.repo';
import { createAdminService } from './modules/admin/admin.service';
import { createAuthRepo } from './modules/auth/auth.repo';
import { createAuthService } from './modules/auth/auth.service';
import { createSessionStore } from './modules/auth/session';

/** Composition of the domain services; transports and routers reach the domain only through this. */
export function createServices(database: Database, config: Config) {
  const authRepo = createAuthRepo(database.db);
  const sessions = createSessionStore(authRepo);
  const auth = createAuthService({
    repo: authRepo,
    sessions,
    limiter: createRateLimiter({ limit: config.authRateLimit, windowMs: 10 * 60 * 1000 }),
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
    admin: createAdminService(createAdminRepo(database.db)),
    clock,
    stop() {
      clearInterval(tick);
      clock.emit('stop');
    },
  };
}

export type Services = ReturnType<typeof createServices>;

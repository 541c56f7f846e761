import type { Redis } from 'ioredis';
import type { Db } from '../../../db/client';
import type { Config } from '../../config';
import { createRateLimiter } from '../../lib/rate-limit';
import type { Bus } from '../../realtime/bus';
import type { SessionStore } from '../auth/session';
import { createKeyService } from './keys.service';
import { createWebhookService, type EndpointDisabledHook, type WebhookConfig } from './webhooks.service';

/** Requests per key per window (RateLimit-* headers; TOO_MANY_REQUESTS past it) and the webhook outbox. */
export type DeveloperConfig = Config['developer'] & { webhooks: WebhookConfig };

/** Issue 17: organisations and their API keys, and outgoing webhooks with their outbox worker. */
export function createDeveloperServices(deps: {
  db: Db;
  bus: Bus;
  sessions: SessionStore;
  config: DeveloperConfig;
  redis?: Redis;
  redisPrefix?: string;
  /** A webhook endpoint was switched off: its organisation's notice (in that transaction). */
  endpointDisabled?: EndpointDisabledHook;
}) {
  const limiter = createRateLimiter({
    name: 'api-key',
    limit: deps.config.keyRateLimit,
    windowMs: deps.config.keyRateWindowMs,
    redis: deps.redis,
    prefix: deps.redisPrefix,
  });
  const keys = createKeyService({
    db: deps.db,
    bus: deps.bus,
    sessions: deps.sessions,
    limiter,
    usageFlushMs: deps.config.usageFlushMs,
  });
  const webhooks = createWebhookService({
    db: deps.db,
    bus: deps.bus,
    config: deps.config.webhooks,
    endpointDisabled: deps.endpointDisabled,
  });
  return {
    keys,
    webhooks,
    start() {
      keys.start();
      webhooks.start();
    },
    async stop() {
      await webhooks.stop();
      await keys.stop();
    },
  };
}

export type DeveloperServices = ReturnType<typeof createDeveloperServices>;

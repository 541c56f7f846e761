import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { z } from 'zod';
import { type RiskThresholds, riskThresholdsEnv } from './modules/console/risk.config';
import type { WebhookConfig } from './modules/developer/webhooks.service';
import { PUBLIC_PUSH_SERVICES } from './modules/notification/channels/push-origins';
import type { SmsConfig } from './modules/notification/channels/sms';

const csv = z
  .string()
  .optional()
  .transform((v) =>
    (v ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  );

/** A key or secret: unset and empty both mean "not configured". */
const optionalSecret = z
  .string()
  .optional()
  .transform((v) => (v?.trim() ? v.trim() : undefined));

const envSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    HOST: z.string().min(1).default('0.0.0.0'),
    DATABASE_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
      .optional()
      .or(z.literal('').transform(() => undefined)),
    /** The tables' owner, for migrations only; DATABASE_URL then logs in as a role that owns nothing. */
    DATABASE_MIGRATION_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
      .optional()
      .or(z.literal('').transform(() => undefined)),
    DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
    // Named prepared statements (parsed once per connection); false behind a transaction-mode pooler.
    DATABASE_PREPARE: z.enum(['true', 'false']).default('true'),
    DATA_DIR: z.string().min(1).default('./.data'),
    TLS_CERT: z.string().optional(),
    TLS_KEY: z.string().optional(),
    PUBLIC_URL: z.url().optional(),
    ALLOWED_ORIGINS: csv.pipe(z.array(z.url({ message: 'each allowed origin must be a URL' }))),
    STATIC_DIR: z.string().default('./dist'),
    ADMIN_EMAIL: z.email().optional(),
    ADMIN_PASSWORD: z.string().min(8, 'must be at least 8 characters').optional(),
    // Unset: demo data only for the embedded database outside production (see loadConfig).
    SEED_DEMO: z
      .enum(['true', 'false', '1', '0'])
      .optional()
      .transform((v) => (v === undefined ? undefined : v === 'true' || v === '1')),
    HEARTBEAT_MS: z.coerce.number().int().min(100).max(60_000).default(5_000),
    LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
    AUTH_RATE_LIMIT: z.coerce.number().int().min(1).default(20),
    // Failed sign-ins per account: this many are free, then each waits twice as long (capped), ASVS 2.2.1.
    AUTH_BACKOFF_FREE_ATTEMPTS: z.coerce.number().int().min(1).max(1000).default(5),
    AUTH_BACKOFF_MAX_SECONDS: z.coerce.number().min(0.1).max(3600).default(60),
    // WebSocket caps (issue 15 §1): subscriptions per socket, sockets per IP and per user, calls per second.
    WS_MAX_SUBSCRIPTIONS: z.coerce.number().int().min(1).max(10_000).default(50),
    WS_MAX_SOCKETS_PER_IP: z.coerce.number().int().min(1).max(1_000_000).default(256),
    WS_MAX_SOCKETS_PER_USER: z.coerce.number().int().min(1).max(1_000_000).default(10),
    WS_CALLS_PER_SECOND: z.coerce.number().min(0.1).max(1_000_000).default(50),
    // New bookings per customer per window (the Egyptian design document: 3 attempts a minute).
    BOOKING_CREATE_LIMIT: z.coerce.number().int().min(1).max(1_000_000).default(3),
    BOOKING_CREATE_WINDOW_SECONDS: z.coerce.number().min(1).max(86_400).default(60),
    // Cancellations per customer per window (issue 15 §1: create/cancel churn), counted like creations.
    BOOKING_CANCEL_LIMIT: z.coerce.number().int().min(1).max(1_000_000).default(3),
    BOOKING_CANCEL_WINDOW_SECONDS: z.coerce.number().min(1).max(86_400).default(60),
    // The default market (a `markets` slug): see the README's configuration table.
    MARKET: z
      .string()
      .regex(/^[a-z0-9-]{1,40}$/, 'a market slug')
      .default('lagos'),
    MARKET_FALLBACK: z
      .string()
      .regex(/^[a-z0-9-]{1,40}$/, 'a market slug')
      .optional()
      .or(z.literal('').transform(() => undefined)),
    COMMISSION_RATE_BPS: z.coerce.number().int().min(0).max(10_000).default(1500),
    DISPATCH_RADIUS_METERS: z.coerce.number().int().min(100).max(100_000).default(10_000),
    OFFER_WINDOW_SECONDS: z.coerce.number().min(1).max(600).default(30),
    /** Ratings in dispatch: the best-rated within this many metres beyond the nearest is asked first (0: off). */
    DISPATCH_RATING_BAND_METERS: z.coerce.number().int().min(0).max(5_000).default(300),
    /** A customer technicians rate below this average (over CUSTOMER_RATING_MIN_COUNT ratings)… */
    CUSTOMER_RATING_FLOOR: z.coerce.number().min(1).max(5).default(2.5),
    CUSTOMER_RATING_MIN_COUNT: z.coerce.number().int().min(1).max(1_000).default(3),
    /** …is offered only to technicians with at least this many completed jobs (0: off). */
    CUSTOMER_FLAGGED_MIN_JOBS: z.coerce.number().int().min(0).max(10_000).default(10),
    DISPATCH_SEARCH_WINDOW_SECONDS: z.coerce.number().min(0).max(3600).default(120),
    DISPATCH_SWEEP_MS: z.coerce.number().int().min(100).max(60_000).default(5_000),
    SCHEDULE_LEAD_MINUTES: z.coerce
      .number()
      .int()
      .min(0)
      .max(24 * 60)
      .default(60),
    // Working hours and slots (issue 12 §5): the buffer added to every drive between jobs, the slot grid.
    TRAVEL_BUFFER_MINUTES: z.coerce.number().int().min(0).max(240).default(10),
    SLOT_STEP_MINUTES: z.coerce.number().int().min(5).max(240).default(30),
    SLOT_MIN_LEAD_MINUTES: z.coerce
      .number()
      .int()
      .min(0)
      .max(7 * 24 * 60)
      .default(60),
    MAX_OPEN_BOOKINGS: z.coerce.number().int().min(1).max(100).default(3),
    SHED_CREATES_IN_FLIGHT: z.coerce.number().int().min(1).max(10_000).default(12),
    SHED_DISPATCH_BACKLOG: z.coerce.number().int().min(1).max(100_000).default(48),
    SHED_RETRY_AFTER_SECONDS: z.coerce.number().int().min(1).max(300).default(2),
    SHED_LOOP_DELAY_MS: z.coerce.number().min(0).max(10_000).default(30),
    SHED_CREATE_LATENCY_MS: z.coerce.number().min(0).max(60_000).default(100),
    TRACKING_FLUSH_MS: z.coerce.number().int().min(50).max(60_000).default(1_000),
    TRACKING_STALE_SECONDS: z.coerce.number().min(1).max(3600).default(60),
    TRACKING_RATE_LIMIT: z.coerce.number().int().min(1).default(600),
    BREADCRUMB_RETENTION_DAYS: z.coerce.number().min(0.001).max(3650).default(30),
    PRESENCE_TIMEOUT_SECONDS: z.coerce.number().min(1).max(3600).default(60),
    /**
     * A technician whose app is closed or phone locked (no socket) still gets offers by Web Push while they
     * are online, have a push subscription and were heard from (socket, fix) within this window. 0: never.
     */
    PUSH_REACHABLE_MS: z.coerce
      .number()
      .int()
      .min(0)
      .max(24 * 3600_000)
      .default(600_000),
    PRESENCE_OFFLINE_MINUTES: z.coerce
      .number()
      .min(0.05)
      .max(7 * 24 * 60)
      .default(30),
    DRAIN_SECONDS: z.coerce.number().min(0).max(300).optional(),
    TRUST_PROXY: z.coerce.number().int().min(0).max(5).default(0),
    // API keys and outgoing webhooks (issue 17): see server/modules/developer.
    API_KEY_RATE_LIMIT: z.coerce.number().int().min(1).max(1_000_000).default(600),
    API_KEY_RATE_WINDOW_SECONDS: z.coerce.number().min(1).max(86_400).default(60),
    WEBHOOK_ALLOW_HTTP: z.enum(['true', 'false']).optional(),
    WEBHOOK_ALLOW_ADDRESSES: csv,
    WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(5_000),
    // Idle workers look for due deliveries this often (new events wake them at once, on the node that wrote them).
    WEBHOOK_POLL_MS: z.coerce.number().int().min(10).max(600_000).default(30_000),
    WEBHOOK_RETRY_BASE_SECONDS: z.coerce.number().min(0.01).max(3600).default(30),
    WEBHOOK_RETRY_HOURS: z.coerce.number().min(0.0001).max(336).default(72),
    WEBHOOK_DISABLE_AFTER_HOURS: z.coerce.number().min(0.0001).max(336).default(72),
    WEBHOOK_LEASE_SECONDS: z.coerce.number().min(1).max(3600).default(60),
    WEBHOOK_WORKER: z.enum(['true', 'false']).default('true'),
    // Test mode (fk_test_ keys): the simulated technician accepts after SANDBOX_ACCEPT_MS, then takes
    // one step (a fix on the way, or a status) every SANDBOX_STEP_MS.
    SANDBOX_ACCEPT_MS: z.coerce.number().int().min(0).max(600_000).default(2_000),
    SANDBOX_STEP_MS: z.coerce.number().int().min(10).max(600_000).default(1_000),
    ARRIVAL_RADIUS_METERS: z.coerce.number().int().min(10).max(100_000).default(300),
    CHAT_RATE_LIMIT: z.coerce.number().int().min(1).default(60),
    CHAT_OPEN_HOURS_AFTER_COMPLETION: z.coerce
      .number()
      .min(0)
      .max(30 * 24)
      .default(24),
    // Notifications (issue 11 §2, §3): Web Push, SMS, e-mail, the outbox worker, phone verification.
    WEB_PUSH_ALLOWED_ORIGINS: csv,
    VAPID_PUBLIC_KEY: optionalSecret,
    VAPID_PRIVATE_KEY: optionalSecret,
    VAPID_SUBJECT: z.string().trim().min(1).default('mailto:support@fundi.app'),
    SMS_PROVIDER: z.enum(['log', 'termii', 'twilio', 'auto']).default('log'),
    TERMII_BASE_URL: z.url().default('https://api.ng.termii.com'),
    TERMII_API_KEY: optionalSecret,
    TERMII_SENDER_ID: z.string().trim().min(1).max(11).default('Fundi'),
    TWILIO_BASE_URL: z.url().default('https://api.twilio.com'),
    TWILIO_ACCOUNT_SID: optionalSecret,
    TWILIO_AUTH_TOKEN: optionalSecret,
    TWILIO_FROM: optionalSecret,
    SMTP_URL: optionalSecret,
    MAIL_FROM: z.string().trim().min(3).default('Fundi <no-reply@fundi.app>'),
    NOTIFY_BATCH_MS: z.coerce.number().int().min(0).max(60_000).default(200),
    NOTIFY_SWEEP_SECONDS: z.coerce.number().min(0.1).max(3600).default(30),
    NOTIFY_CHAT_DELAY_SECONDS: z.coerce.number().min(0).max(3600).default(10),
    NOTIFY_REVIEW_DELAY_MINUTES: z.coerce
      .number()
      .min(0)
      .max(7 * 24 * 60)
      .default(60),
    PHONE_VERIFICATION_MARKETS: csv,
    // Off only for load tools whose simulated technicians cannot receive an SMS.
    TECHNICIAN_PHONE_REQUIRED: z
      .enum(['true', 'false', '1', '0'])
      .default('true')
      .transform((v) => v === 'true' || v === '1'),
    PHONE_CODE_SECRET: optionalSecret,
    REVIEW_WINDOW_DAYS: z.coerce.number().min(0.0001).max(365).default(14),
    REVIEW_SWEEP_SECONDS: z.coerce.number().min(0.1).max(3600).default(60),
    REDIS_URL: z
      .string()
      .regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL')
      .optional()
      .or(z.literal('').transform(() => undefined)),
    REDIS_PREFIX: z
      .string()
      .regex(/^[A-Za-z0-9_.-]{1,64}$/, 'letters, digits, dot, dash and underscore (at most 64)')
      .default('fundi'),
    NODE_ID: z
      .string()
      .regex(/^[A-Za-z0-9_.-]{1,64}$/, 'letters, digits, dot, dash and underscore (at most 64)')
      .optional(),
    // Payments (issue 10): a gateway whose keys are missing is simply not offered; cash always is.
    PAYSTACK_BASE_URL: z.url().default('https://api.paystack.co'),
    PAYSTACK_SECRET_KEY: optionalSecret,
    STRIPE_BASE_URL: z.url().default('https://api.stripe.com'),
    STRIPE_SECRET_KEY: optionalSecret,
    STRIPE_WEBHOOK_SECRET: optionalSecret,
    PAYMOB_BASE_URL: z.url().default('https://accept.paymob.com'),
    PAYMOB_SECRET_KEY: optionalSecret,
    PAYMOB_PUBLIC_KEY: optionalSecret,
    PAYMOB_HMAC_SECRET: optionalSecret,
    PAYMOB_INTEGRATION_IDS: csv.pipe(
      z.array(z.string().regex(/^[0-9]+$/, 'each Paymob integration id must be a number')),
    ),
    // Uploads (issue 13 §3): signed slots and URLs; local disk under DATA_DIR/uploads, or an S3-compatible store.
    UPLOAD_SIGNING_KEY: optionalSecret.pipe(
      z.string().min(32, 'must be at least 32 characters (e.g. openssl rand -hex 32)').optional(),
    ),
    // Onboarding (issue 13 §4): AES-256-GCM key of the national ID numbers (unset: generated under DATA_DIR).
    FIELD_ENCRYPTION_KEY: optionalSecret.pipe(
      z
        .string()
        .regex(/^[0-9a-fA-F]{64}$/, 'must be 64 hex characters (openssl rand -hex 32)')
        .optional(),
    ),
    // Risk-signal thresholds of the operations console (issue 14 §3): server/modules/console/risk.config.ts.
    RISK_THRESHOLDS: riskThresholdsEnv,
    UPLOAD_SLOT_SECONDS: z.coerce.number().int().min(1).max(3600).default(900),
    UPLOAD_URL_SECONDS: z.coerce.number().int().min(1).max(86_400).default(300),
    S3_ENDPOINT: z
      .url()
      .optional()
      .or(z.literal('').transform(() => undefined)),
    S3_BUCKET: optionalSecret,
    S3_REGION: z.string().trim().min(1).default('us-east-1'),
    S3_ACCESS_KEY_ID: optionalSecret,
    S3_SECRET_ACCESS_KEY: optionalSecret,
    S3_FORCE_PATH_STYLE: z
      .enum(['true', 'false', '1', '0'])
      .default('false')
      .transform((v) => v === 'true' || v === '1'),
  })
  .superRefine((env, ctx) => {
    if (env.DATABASE_MIGRATION_URL && !env.DATABASE_URL) {
      ctx.addIssue({
        code: 'custom',
        path: ['DATABASE_MIGRATION_URL'],
        message: 'DATABASE_MIGRATION_URL needs DATABASE_URL (the embedded database has no roles to separate)',
      });
    }
    if (Boolean(env.STRIPE_SECRET_KEY) !== Boolean(env.STRIPE_WEBHOOK_SECRET)) {
      ctx.addIssue({
        code: 'custom',
        path: ['STRIPE_SECRET_KEY'],
        message: 'STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET must be set together',
      });
    }
    const paymob = [env.PAYMOB_SECRET_KEY, env.PAYMOB_PUBLIC_KEY, env.PAYMOB_HMAC_SECRET];
    if (paymob.some(Boolean) && (!paymob.every(Boolean) || env.PAYMOB_INTEGRATION_IDS.length === 0)) {
      ctx.addIssue({
        code: 'custom',
        path: ['PAYMOB_SECRET_KEY'],
        message:
          'PAYMOB_SECRET_KEY, PAYMOB_PUBLIC_KEY, PAYMOB_HMAC_SECRET and PAYMOB_INTEGRATION_IDS must be set together',
      });
    }
    if (
      (env.S3_ENDPOINT || env.S3_ACCESS_KEY_ID || env.S3_SECRET_ACCESS_KEY) &&
      !(env.S3_BUCKET && Boolean(env.S3_ACCESS_KEY_ID) === Boolean(env.S3_SECRET_ACCESS_KEY))
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['S3_BUCKET'],
        message: 'S3 storage needs S3_BUCKET (and S3_ACCESS_KEY_ID with S3_SECRET_ACCESS_KEY, or neither)',
      });
    }
    if (Boolean(env.TLS_CERT) !== Boolean(env.TLS_KEY)) {
      ctx.addIssue({
        code: 'custom',
        path: ['TLS_CERT'],
        message: 'TLS_CERT and TLS_KEY must be set together',
      });
    }
    if (env.NODE_ENV === 'production' && env.SEED_DEMO === true) {
      ctx.addIssue({
        code: 'custom',
        path: ['SEED_DEMO'],
        message: 'demo accounts (with a published password) are never seeded in production',
      });
    }
    if (Boolean(env.ADMIN_EMAIL) !== Boolean(env.ADMIN_PASSWORD)) {
      ctx.addIssue({
        code: 'custom',
        path: ['ADMIN_EMAIL'],
        message: 'ADMIN_EMAIL and ADMIN_PASSWORD must be set together',
      });
    }
  });

export type Config = {
  nodeEnv: 'development' | 'production' | 'test';
  port: number;
  host: string;
  databaseUrl: string | undefined;
  /** The tables' owner, for migrations only (PostgreSQL); unset: DATABASE_URL migrates too. */
  databaseMigrationUrl: string | undefined;
  databasePoolSize: number;
  databasePrepare: boolean;
  dataDir: string;
  tls: { cert: string; key: string } | null;
  publicUrl: string | undefined;
  allowedOrigins: string[];
  staticDir: string;
  admin: { email: string; password: string } | null;
  seedDemo: boolean;
  heartbeatMs: number;
  logLevel: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  authRateLimit: number;
  /** Sign-in slow-down per account: free failures, then exponential waits up to `maxMs`. */
  authBackoff: { freeAttempts: number; maxMs: number };
  /** WebSocket caps (see server/transport/ws.ts). */
  ws: {
    maxSubscriptions: number;
    maxSocketsPerIp: number;
    maxSocketsPerUser: number;
    callsPerSecond: number;
  };
  /** booking.create attempts per customer per window. */
  bookingCreateLimit: { limit: number; windowMs: number };
  bookingCancelLimit: { limit: number; windowMs: number };
  /** Cookies get `Secure` over TLS or in production. */
  secureCookies: boolean;
  /** MARKET: the default market (catalogue without a pin, earnings currency, the simulator's city). */
  market: string;
  /** The market of pins outside every boundary (test rigs); unset: such bookings are refused. */
  marketFallback: string | undefined;
  commissionBps: number;
  dispatch: {
    radiusMeters: number;
    offerWindowMs: number;
    searchWindowMs: number;
    sweepMs: number;
    scheduleLeadMs: number;
    signals: {
      ratingBandMeters: number;
      customerFloor: number;
      customerMinRatings: number;
      flaggedMinJobs: number;
    };
  };
  /** Slots and travel between jobs (server/modules/schedule). */
  schedule: { travelBufferMs: number; slotStepMs: number; slotMinLeadMs: number };
  maxOpenBookings: number;
  /** Overload shedding of booking.create (issue 18 §3): see server/lib/admission.ts. */
  shedding: {
    createsInFlight: number;
    dispatchBacklog: number;
    retryAfterSeconds: number;
    loopDelayMs: number;
    createLatencyMs: number;
  };
  tracking: { flushMs: number; staleAfterMs: number; breadcrumbRetentionMs: number; rateLimit: number };
  /** `pushReachableMs`: see PUSH_REACHABLE_MS (offers by push to a technician without a live socket). */
  presence: { timeoutMs: number; offlineAfterMs: number; pushReachableMs: number };
  /** After SIGTERM: serve this long with /healthz at 503 before closing (5 s by default with Redis). */
  drainMs: number;
  /** Load balancers of ours in front: client IPs come from their X-Forwarded-For (0: the peer). */
  trustProxies: number;
  /** "I've arrived" farther than this from the job (with a fresh fix) must be confirmed. */
  arrivalRadiusMeters: number;
  /** API keys' rate limits and the webhook outbox (issue 17). */
  developer: {
    keyRateLimit: number;
    keyRateWindowMs: number;
    usageFlushMs: number;
    /** Test mode's simulated technicians (issue 17 §3). */
    sandbox: { acceptAfterMs: number; stepMs: number };
    webhooks: WebhookConfig;
  };
  /** Chat: messages per user per minute; sending stays open this long after completion. */
  chat: { rateLimit: number; openAfterCompletionMs: number };
  /** Notifications and phone verification (server/modules/notification; README "Notifications"). */
  notifications: {
    allowedPushOrigins: string[];
    vapid: { publicKey: string | undefined; privateKey: string | undefined; subject: string };
    sms: SmsConfig;
    smtp: { url: string | undefined; from: string };
    batchMs: number;
    sweepMs: number;
    chatDelayMs: number;
    reviewRequestDelayMs: number;
    phoneMarkets: string[];
    technicianPhoneRequired: boolean;
    phoneCodeSecret: string | undefined;
  };
  /** Reviews: customers review (technicians rate customers) within `windowMs` of completion; the sweep period. */
  reviews: { windowMs: number; sweepMs: number };
  /** Thresholds of the admin console's risk flags (they inform; they block nothing). */
  risk: RiskThresholds;
  /** Set: cluster mode (several nodes share Redis and PostgreSQL). Unset: one process, nothing else. */
  redisUrl: string | undefined;
  /** Prefix of this deployment's keys and channels in Redis (several deployments may share one Redis). */
  redisPrefix: string;
  /** This node's name in logs, leases and cross-node messages (random when unset). */
  nodeId: string;
  /** Gateways with their keys (null: not configured, not offered). */
  payments: PaymentsConfig;
  /** Uploads: see server/modules/upload. */
  uploads: UploadsConfig;
  /** Key of encrypted fields (unset: generated once, kept in DATA_DIR/field-encryption.key). */
  fieldEncryptionKey: string | undefined;
};

export type UploadsConfig = {
  /** Signs upload slots and private file URLs (unset: generated once, kept in DATA_DIR/upload-signing.key). */
  signingKey: string | undefined;
  /** Local storage folder (when `s3` is null) and where a generated signing key is kept. */
  dir: string;
  dataDir: string;
  slotMs: number;
  urlMs: number;
  /** Set: files go to this S3-compatible bucket instead of the local disk. */
  s3: {
    endpoint: string | undefined;
    bucket: string;
    region: string;
    credentials: { accessKeyId: string; secretAccessKey: string } | undefined;
    forcePathStyle: boolean;
  } | null;
};

export type PaymentsConfig = {
  paystack: { baseUrl: string; secretKey: string } | null;
  stripe: { baseUrl: string; secretKey: string; webhookSecret: string } | null;
  paymob: {
    baseUrl: string;
    secretKey: string;
    publicKey: string;
    hmacSecret: string;
    integrationIds: number[];
  } | null;
};

export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.') || 'env'}: ${i.message}`));
  }
  const e = parsed.data;
  const tls = e.TLS_CERT && e.TLS_KEY ? { cert: e.TLS_CERT, key: e.TLS_KEY } : null;
  return {
    nodeEnv: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    databaseMigrationUrl: e.DATABASE_MIGRATION_URL,
    databasePoolSize: e.DATABASE_POOL_SIZE,
    databasePrepare: e.DATABASE_PREPARE === 'true',
    dataDir: e.DATA_DIR,
    tls,
    publicUrl: e.PUBLIC_URL,
    allowedOrigins: [...e.ALLOWED_ORIGINS, ...(e.PUBLIC_URL ? [new URL(e.PUBLIC_URL).origin] : [])].map(
      (o) => new URL(o).origin,
    ),
    staticDir: e.STATIC_DIR,
    admin: e.ADMIN_EMAIL && e.ADMIN_PASSWORD ? { email: e.ADMIN_EMAIL, password: e.ADMIN_PASSWORD } : null,
    seedDemo: e.SEED_DEMO ?? (!e.DATABASE_URL && e.NODE_ENV !== 'production'),
    heartbeatMs: e.HEARTBEAT_MS,
    logLevel: e.LOG_LEVEL,
    authRateLimit: e.AUTH_RATE_LIMIT,
    authBackoff: {
      freeAttempts: e.AUTH_BACKOFF_FREE_ATTEMPTS,
      maxMs: Math.round(e.AUTH_BACKOFF_MAX_SECONDS * 1000),
    },
    ws: {
      maxSubscriptions: e.WS_MAX_SUBSCRIPTIONS,
      maxSocketsPerIp: e.WS_MAX_SOCKETS_PER_IP,
      maxSocketsPerUser: e.WS_MAX_SOCKETS_PER_USER,
      callsPerSecond: e.WS_CALLS_PER_SECOND,
    },
    bookingCreateLimit: {
      limit: e.BOOKING_CREATE_LIMIT,
      windowMs: Math.round(e.BOOKING_CREATE_WINDOW_SECONDS * 1000),
    },
    bookingCancelLimit: {
      limit: e.BOOKING_CANCEL_LIMIT,
      windowMs: Math.round(e.BOOKING_CANCEL_WINDOW_SECONDS * 1000),
    },
    secureCookies: tls !== null || e.NODE_ENV === 'production',
    market: e.MARKET,
    marketFallback: e.MARKET_FALLBACK,
    commissionBps: e.COMMISSION_RATE_BPS,
    dispatch: {
      radiusMeters: e.DISPATCH_RADIUS_METERS,
      offerWindowMs: Math.round(e.OFFER_WINDOW_SECONDS * 1000),
      searchWindowMs: Math.round(e.DISPATCH_SEARCH_WINDOW_SECONDS * 1000),
      sweepMs: e.DISPATCH_SWEEP_MS,
      scheduleLeadMs: e.SCHEDULE_LEAD_MINUTES * 60_000,
      signals: {
        ratingBandMeters: e.DISPATCH_RATING_BAND_METERS,
        customerFloor: e.CUSTOMER_RATING_FLOOR,
        customerMinRatings: e.CUSTOMER_RATING_MIN_COUNT,
        flaggedMinJobs: e.CUSTOMER_FLAGGED_MIN_JOBS,
      },
    },
    schedule: {
      travelBufferMs: e.TRAVEL_BUFFER_MINUTES * 60_000,
      slotStepMs: e.SLOT_STEP_MINUTES * 60_000,
      slotMinLeadMs: e.SLOT_MIN_LEAD_MINUTES * 60_000,
    },
    maxOpenBookings: e.MAX_OPEN_BOOKINGS,
    shedding: {
      createsInFlight: e.SHED_CREATES_IN_FLIGHT,
      dispatchBacklog: e.SHED_DISPATCH_BACKLOG,
      retryAfterSeconds: e.SHED_RETRY_AFTER_SECONDS,
      loopDelayMs: e.SHED_LOOP_DELAY_MS,
      createLatencyMs: e.SHED_CREATE_LATENCY_MS,
    },
    tracking: {
      flushMs: e.TRACKING_FLUSH_MS,
      staleAfterMs: Math.round(e.TRACKING_STALE_SECONDS * 1000),
      breadcrumbRetentionMs: Math.round(e.BREADCRUMB_RETENTION_DAYS * 86_400_000),
      rateLimit: e.TRACKING_RATE_LIMIT,
    },
    presence: {
      timeoutMs: Math.round(e.PRESENCE_TIMEOUT_SECONDS * 1000),
      offlineAfterMs: Math.round(e.PRESENCE_OFFLINE_MINUTES * 60_000),
      pushReachableMs: e.PUSH_REACHABLE_MS,
    },
    arrivalRadiusMeters: e.ARRIVAL_RADIUS_METERS,
    developer: {
      keyRateLimit: e.API_KEY_RATE_LIMIT,
      keyRateWindowMs: Math.round(e.API_KEY_RATE_WINDOW_SECONDS * 1000),
      usageFlushMs: 5_000,
      sandbox: { acceptAfterMs: e.SANDBOX_ACCEPT_MS, stepMs: e.SANDBOX_STEP_MS },
      webhooks: {
        // Production sends to https:// only, and to public addresses only, whatever the settings say.
        allowHttp: e.NODE_ENV !== 'production' && (e.WEBHOOK_ALLOW_HTTP ?? 'true') === 'true',
        allowAddresses: e.NODE_ENV === 'production' ? [] : e.WEBHOOK_ALLOW_ADDRESSES,
        timeoutMs: e.WEBHOOK_TIMEOUT_MS,
        pollMs: e.WEBHOOK_POLL_MS,
        retryBaseMs: Math.round(e.WEBHOOK_RETRY_BASE_SECONDS * 1000),
        retryForMs: Math.round(e.WEBHOOK_RETRY_HOURS * 3600_000),
        disableAfterMs: Math.round(e.WEBHOOK_DISABLE_AFTER_HOURS * 3600_000),
        leaseMs: Math.round(e.WEBHOOK_LEASE_SECONDS * 1000),
        batch: 16,
        worker: e.WEBHOOK_WORKER === 'true',
      },
    },
    chat: {
      rateLimit: e.CHAT_RATE_LIMIT,
      openAfterCompletionMs: Math.round(e.CHAT_OPEN_HOURS_AFTER_COMPLETION * 3600_000),
    },
    notifications: {
      allowedPushOrigins: e.WEB_PUSH_ALLOWED_ORIGINS.length
        ? e.WEB_PUSH_ALLOWED_ORIGINS
        : PUBLIC_PUSH_SERVICES,
      vapid: { publicKey: e.VAPID_PUBLIC_KEY, privateKey: e.VAPID_PRIVATE_KEY, subject: e.VAPID_SUBJECT },
      sms: {
        provider: e.SMS_PROVIDER,
        termii: { baseUrl: e.TERMII_BASE_URL, apiKey: e.TERMII_API_KEY, senderId: e.TERMII_SENDER_ID },
        twilio: {
          baseUrl: e.TWILIO_BASE_URL,
          accountSid: e.TWILIO_ACCOUNT_SID,
          authToken: e.TWILIO_AUTH_TOKEN,
          from: e.TWILIO_FROM,
        },
      },
      smtp: { url: e.SMTP_URL, from: e.MAIL_FROM },
      batchMs: e.NOTIFY_BATCH_MS,
      sweepMs: Math.round(e.NOTIFY_SWEEP_SECONDS * 1000),
      chatDelayMs: Math.round(e.NOTIFY_CHAT_DELAY_SECONDS * 1000),
      reviewRequestDelayMs: Math.round(e.NOTIFY_REVIEW_DELAY_MINUTES * 60_000),
      phoneMarkets: e.PHONE_VERIFICATION_MARKETS,
      technicianPhoneRequired: e.TECHNICIAN_PHONE_REQUIRED,
      phoneCodeSecret: e.PHONE_CODE_SECRET,
    },
    reviews: {
      windowMs: Math.round(e.REVIEW_WINDOW_DAYS * 86_400_000),
      sweepMs: Math.round(e.REVIEW_SWEEP_SECONDS * 1000),
    },
    risk: e.RISK_THRESHOLDS,
    trustProxies: e.TRUST_PROXY,
    drainMs: Math.round((e.DRAIN_SECONDS ?? (e.REDIS_URL ? 5 : 0)) * 1000),
    redisUrl: e.REDIS_URL,
    redisPrefix: e.REDIS_PREFIX,
    nodeId: e.NODE_ID ?? `node-${randomBytes(4).toString('hex')}`,
    fieldEncryptionKey: e.FIELD_ENCRYPTION_KEY,
    uploads: {
      signingKey: e.UPLOAD_SIGNING_KEY,
      dir: path.join(e.DATA_DIR, 'uploads'),
      dataDir: e.DATA_DIR,
      slotMs: e.UPLOAD_SLOT_SECONDS * 1000,
      urlMs: e.UPLOAD_URL_SECONDS * 1000,
      s3: e.S3_BUCKET
        ? {
            endpoint: e.S3_ENDPOINT,
            bucket: e.S3_BUCKET,
            region: e.S3_REGION,
            credentials:
              e.S3_ACCESS_KEY_ID && e.S3_SECRET_ACCESS_KEY
                ? { accessKeyId: e.S3_ACCESS_KEY_ID, secretAccessKey: e.S3_SECRET_ACCESS_KEY }
                : undefined,
            forcePathStyle: e.S3_FORCE_PATH_STYLE,
          }
        : null,
    },
    payments: {
      paystack: e.PAYSTACK_SECRET_KEY
        ? { baseUrl: e.PAYSTACK_BASE_URL, secretKey: e.PAYSTACK_SECRET_KEY }
        : null,
      stripe:
        e.STRIPE_SECRET_KEY && e.STRIPE_WEBHOOK_SECRET
          ? {
              baseUrl: e.STRIPE_BASE_URL,
              secretKey: e.STRIPE_SECRET_KEY,
              webhookSecret: e.STRIPE_WEBHOOK_SECRET,
            }
          : null,
      paymob:
        e.PAYMOB_SECRET_KEY && e.PAYMOB_PUBLIC_KEY && e.PAYMOB_HMAC_SECRET && e.PAYMOB_INTEGRATION_IDS.length
          ? {
              baseUrl: e.PAYMOB_BASE_URL,
              secretKey: e.PAYMOB_SECRET_KEY,
              publicKey: e.PAYMOB_PUBLIC_KEY,
              hmacSecret: e.PAYMOB_HMAC_SECRET,
              integrationIds: e.PAYMOB_INTEGRATION_IDS.map(Number),
            }
          : null,
    },
  };
}

import type { Db } from '../../../db/client';
import type { Config } from '../../config';
import { keyFileText } from '../../lib/key-file';
import type { Bus } from '../../realtime/bus';
import type { BookingRecords } from '../booking/booking.records';
import { createMailer } from './channels/email';
import { loadVapidKeys, type VapidKeys } from './channels/push';
import { createSmsSender } from './channels/sms';
import { createNotificationHooks } from './notification.hooks';
import { createNotificationService } from './notification.service';
import { createPhoneService } from './phone.service';

/** A secret kept in DATA_DIR (made on first use), for nodes that share the folder. */
const keptSecret = (dataDir: string, name: string): string => keyFileText(dataDir, name).text;

/** The notifications module as services.ts composes it: the service, the hooks others call, phones. */
export function createNotifications(deps: {
  db: Db;
  bus: Bus;
  config: Config;
  /** The booking module's reads (the hooks lock a booking's row in their transaction). */
  bookings: Pick<BookingRecords, 'withParties'>;
  userChanged?: (id: string) => void;
}) {
  const c = deps.config.notifications;
  const dataDir = deps.config.dataDir;
  let vapid: VapidKeys | null = null;
  let pepper: string | null = c.phoneCodeSecret ?? null;
  const sms = createSmsSender(c.sms);
  const service = createNotificationService({
    db: deps.db,
    bus: deps.bus,
    sms,
    mailer: createMailer(c.smtp),
    // Read lazily: processes that never push touch no disk.
    vapid: () => {
      vapid ??= loadVapidKeys({ ...c.vapid, dataDir });
      return vapid;
    },
    config: {
      batchMs: c.batchMs,
      sweepMs: c.sweepMs,
      leaseMs: 60_000,
      maxAttempts: 8,
      backoffMs: 2_000,
      chatDelayMs: c.chatDelayMs,
      reviewRequestDelayMs: c.reviewRequestDelayMs,
      allowedPushOrigins: c.allowedPushOrigins,
      publicUrl: () => deps.config.publicUrl ?? `http://localhost:${deps.config.port}`,
    },
  });
  const phone = createPhoneService({
    db: deps.db,
    sms,
    changed: deps.userChanged,
    config: {
      codeTtlMs: 10 * 60_000,
      maxTries: 5,
      perPhone: 3,
      perAccount: 5,
      windowMs: 60 * 60_000,
      customerMarkets: c.phoneMarkets,
      technicianRequired: c.technicianPhoneRequired,
      pepper: () => {
        pepper ??= keptSecret(dataDir, 'phone-code.key');
        return pepper;
      },
    },
  });
  const hooks = createNotificationHooks(
    service.notify,
    {
      chatDelayMs: c.chatDelayMs,
      reviewRequestDelayMs: c.reviewRequestDelayMs,
    },
    deps.bookings,
  );
  return { service, hooks, phone };
}

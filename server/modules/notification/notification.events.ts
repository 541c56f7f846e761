import type { ExternalChannel, NotificationData, NotificationKind } from '../../contracts/notification';

/**
 * Defaults per event and channel (a user's preferences override them). The in-app feed always gets
 * everything. Push for what someone waits for; SMS only for what matters when the app is closed and the
 * phone may be offline; e-mail for money and account matters.
 */
export const defaultChannels: Record<NotificationKind, Record<ExternalChannel, boolean>> = {
  offer: { push: true, sms: false, email: false },
  assigned: { push: true, sms: false, email: false },
  en_route: { push: true, sms: false, email: false },
  arriving: { push: true, sms: false, email: false },
  arrived: { push: true, sms: true, email: false },
  completed: { push: true, sms: false, email: false },
  cancelled: { push: true, sms: true, email: false },
  unfulfilled: { push: true, sms: true, email: false },
  chat: { push: true, sms: false, email: false },
  verification: { push: true, sms: true, email: true },
  receipt: { push: false, sms: false, email: true },
  refund: { push: true, sms: false, email: true },
  review_request: { push: true, sms: false, email: false },
  // A decision about money or someone's standing: worth an e-mail as well.
  dispute_outcome: { push: true, sms: false, email: true },
  // An integration stopped receiving events: the people who run it hear of it by e-mail too.
  webhook_disabled: { push: false, sms: false, email: true },
};

/** The PWA screen a tap opens: an offer lands on the technician's offer card. */
export function urlOf(kind: NotificationKind, data: NotificationData): string {
  const booking = typeof data.bookingId === 'string' ? data.bookingId : null;
  switch (kind) {
    case 'offer':
      return `/home?offer=${encodeURIComponent(String(data.offerId ?? ''))}#offers`;
    case 'verification':
      return '/home';
    case 'webhook_disabled':
      return '/developer';
    case 'receipt':
    case 'refund':
      return booking ? `/bookings/${booking}/receipt` : '/bookings';
    default:
      return booking ? `/bookings/${booking}` : '/home';
  }
}

/** Web Push options: an offer is urgent and worthless once its window closed. */
export function pushOptions(
  kind: NotificationKind,
  data: NotificationData,
): { urgency: 'high' | 'normal'; ttl: number } {
  if (kind === 'offer') {
    const expires = typeof data.expiresAt === 'string' ? Date.parse(data.expiresAt) : Number.NaN;
    const left = Number.isFinite(expires) ? Math.floor((expires - Date.now()) / 1000) : 30;
    return { urgency: 'high', ttl: Math.max(0, Math.min(left, 60)) };
  }
  if (kind === 'arriving' || kind === 'arrived' || kind === 'chat') return { urgency: 'high', ttl: 10 * 60 };
  return { urgency: 'normal', ttl: 24 * 3600 };
}

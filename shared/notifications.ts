/**
 * What Fundi notifies about, shared by the server (which sends) and the PWA (whose preferences screen
 * lists what concerns the signed-in role). No zod and no Node here.
 */

/** Every event Fundi notifies about (issue 11 §2). The README's "Notifications" section lists them. */
export const notificationKinds = [
  /** Technician: a job is offered to you (high urgency, short TTL). */
  'offer',
  /** Customer: a technician accepted your booking. */
  'assigned',
  /** Customer: your technician is on the way. */
  'en_route',
  /** Customer: your technician is under 2 minutes away. */
  'arriving',
  /** Customer: your technician has arrived. */
  'arrived',
  /** Customer: the job is done. */
  'completed',
  /** The other party cancelled the booking (or the technician handed it back). */
  'cancelled',
  /** Customer: nobody could take the booking. */
  'unfulfilled',
  /** A new chat message (not sent when the recipient read it meanwhile). */
  'chat',
  /** Technician: your verification was decided. */
  'verification',
  /** Customer: payment received. */
  'receipt',
  /** Customer: money refunded. */
  'refund',
  /** Customer: how was the job? (an hour after completion) */
  'review_request',
  /** Both parties of a dispute or report: an admin decided its outcome (issue 14 §2). */
  'dispute_outcome',
  /** Owners and developers of an organisation: a webhook endpoint was switched off (issue 17 §2). */
  'webhook_disabled',
] as const;
export type NotificationKind = (typeof notificationKinds)[number];

/** Only a technician is told of these; every other kind can concern a customer. */
const TECHNICIAN_ONLY: readonly NotificationKind[] = ['offer', 'verification'];

/** What concerns which role (the rest never reaches them). */
export const NOTIFICATION_KINDS_FOR: Record<'customer' | 'technician', readonly NotificationKind[]> = {
  technician: ['offer', 'cancelled', 'chat', 'verification', 'dispute_outcome'],
  customer: notificationKinds.filter((k) => !TECHNICIAN_ONLY.includes(k)),
};

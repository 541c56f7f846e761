import type { BookingStatus } from './booking';
import type { DisputeStatus } from './cases';

/**
 * `me.events`: what changed for the signed-in user, so every screen they have open can refresh itself.
 * Hints, not state: the screens refetch what they show. The first event of every (re)subscription is
 * `resync` (changes made while disconnected are not replayed: refetch).
 */
export type MeEvent =
  | { type: 'resync' }
  /** One of your bookings changed status or technician (as customer, or as its technician). */
  | { type: 'booking'; bookingId: string; status: BookingStatus }
  /** Your technician profile changed: verification decided, online, services. */
  | { type: 'technician' }
  /** Admins: technicians changed (verification queue, who is online). */
  | { type: 'technicians' }
  /** Admins: onboarding applications changed (one submitted, decided, or sent back after an expiry). */
  | { type: 'applications' }
  /** A new chat message for you in a booking's conversation. */
  | { type: 'chat'; bookingId: string; messageId: string }
  /** A dispute case about one of your bookings changed: a message for you, an outcome, closed (issue 14). */
  | { type: 'dispute'; bookingId: string; disputeId: string; status: DisputeStatus };

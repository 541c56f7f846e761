import { ACTIVE_JOB_STATUSES } from '#shared/booking';
import type { BookingHistoryRow } from '../../../db/schema';
import type { Booking, BookingHistoryEntry } from '../../contracts/booking';
import { money } from '../../lib/money';
import type { BookingWithParties } from './booking.repo';
import { surchargeLines } from './zone-surcharge';

/** A booking as the API returns it, made from its rows (the repo's `BookingWithParties`, history rows). */

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** Phone numbers are shown to the other party only while the job is on (issue 11: contact stays private). */
const CONTACT_STATUSES: ReadonlySet<string> = new Set(ACTIVE_JOB_STATUSES);

export function toBooking(v: BookingWithParties): Booking {
  const b = v.booking;
  const contact = CONTACT_STATUSES.has(b.status);
  const m = (amount: number) => money(amount, b.currency);
  return {
    id: b.id,
    status: b.status,
    service: {
      id: v.service.id,
      name: { en: v.service.nameEn, ar: v.service.nameAr },
      durationMinutes: v.service.durationMinutes,
    },
    market: v.service.market,
    customer: {
      id: v.customer.id,
      name: v.customer.name,
      phone: contact ? v.customer.phone : null,
      photoUrl: null,
      rating: null,
    },
    technician: v.technician
      ? {
          id: v.technician.id,
          name: v.technician.name,
          phone: contact ? v.technician.phone : null,
          photoUrl: v.techProfile?.photoUrl ?? null,
          rating: v.techProfile?.ratingCount
            ? Math.round((v.techProfile.ratingSum / v.techProfile.ratingCount) * 100) / 100
            : null,
        }
      : null,
    location: { lat: b.location.lat, lng: b.location.lng, address: b.address, details: b.addressDetails },
    siteContact:
      b.siteContactName !== null
        ? { name: b.siteContactName, phone: contact ? b.siteContactPhone : null }
        : null,
    notes: b.notes,
    scheduledFor: iso(b.scheduledFor),
    emergency: b.emergency,
    price: {
      base: m(b.priceBase),
      surcharge: m(b.priceSurcharge),
      total: m(b.priceTotal),
      commission: m(b.commission),
      technicianEarnings: m(b.technicianEarnings),
      lines: surchargeLines({
        base: b.priceBase,
        surcharge: b.priceSurcharge,
        currency: b.currency,
        emergency: b.emergency,
        emergencyPct: null,
        zone: b.zoneSurcharge,
      }),
    },
    chosenTechnicianId: b.preferredTechnicianId,
    fallbackToNearest: b.fallbackToNearest,
    paymentMethod: b.paymentMethod,
    cancelReason: b.cancelReason,
    disputeReason: b.disputeReason,
    createdAt: b.createdAt.toISOString(),
    assignedAt: iso(b.assignedAt),
    enRouteAt: iso(b.enRouteAt),
    arrivedAt: iso(b.arrivedAt),
    startedAt: iso(b.startedAt),
    completedAt: iso(b.completedAt),
    cancelledAt: iso(b.cancelledAt),
    updatedAt: b.updatedAt.toISOString(),
  };
}

export const toHistoryEntry = (h: BookingHistoryRow): BookingHistoryEntry => ({
  id: String(h.id),
  from: h.fromStatus,
  to: h.toStatus,
  by: { id: h.actorId, role: h.actorRole },
  reason: h.reason,
  at: h.createdAt.toISOString(),
});

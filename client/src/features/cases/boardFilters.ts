import { type BookingStatus, bookingStatuses } from '../../../../server/contracts/booking';

/**
 * The bookings board's filters as they live in the URL (`/admin/bookings?status=searching&customer=…`),
 * so a view of the board can be reloaded, bookmarked or sent to a colleague. Unknown or malformed values
 * are dropped rather than sent to the server (which would refuse the whole query).
 */
export type BoardFilters = {
  status?: BookingStatus;
  market?: string;
  service?: string;
  /** Days (YYYY-MM-DD) in the admin's time zone. */
  from?: string;
  to?: string;
  customer?: string;
  technician?: string;
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DAY = /^\d{4}-\d{2}-\d{2}$/;
const MARKET = /^[a-z0-9-]{2,40}$/;
const KEYS = ['status', 'market', 'service', 'from', 'to', 'customer', 'technician'] as const;

const valid: Record<(typeof KEYS)[number], (v: string) => boolean> = {
  status: (v) => (bookingStatuses as readonly string[]).includes(v),
  market: (v) => MARKET.test(v),
  service: (v) => UUID.test(v),
  from: (v) => DAY.test(v) && !Number.isNaN(Date.parse(v)),
  to: (v) => DAY.test(v) && !Number.isNaN(Date.parse(v)),
  customer: (v) => UUID.test(v),
  technician: (v) => UUID.test(v),
};

export function parseBoardFilters(params: URLSearchParams): BoardFilters {
  const out: Record<string, string> = {};
  for (const key of KEYS) {
    const v = params.get(key)?.trim();
    if (v && valid[key](v))
      out[key] = key === 'service' || key === 'customer' || key === 'technician' ? v.toLowerCase() : v;
  }
  return out as BoardFilters;
}

/** The query string for these filters (`''` when none), in a fixed key order so equal views share a URL. */
export function boardQuery(filters: BoardFilters): string {
  const params = new URLSearchParams();
  for (const key of KEYS) {
    const v = filters[key];
    if (v) params.set(key, v);
  }
  const s = params.toString();
  return s ? `?${s}` : '';
}

/** A date input's day as the start of that day in the admin's time zone, ISO (or undefined). */
export const dayStart = (day: string | undefined) =>
  day ? new Date(`${day}T00:00:00`).toISOString() : undefined;
/** The end of that day (the start of the next), ISO (or undefined). */
export const dayEnd = (day: string | undefined) =>
  day ? new Date(new Date(`${day}T00:00:00`).getTime() + 24 * 3600_000).toISOString() : undefined;

/** The server's list input for these filters. */
export function boardInput(f: BoardFilters) {
  return {
    status: f.status,
    market: f.market,
    serviceId: f.service,
    from: dayStart(f.from),
    to: dayEnd(f.to),
    customerId: f.customer,
    technicianId: f.technician,
  };
}

import { z } from 'zod';

/** The longest range one call may ask for (a year and a day: "the last 12 months" plus a leap day). */
export const MAX_RANGE_DAYS = 366;
/** The default range when `from` is left out. */
export const DEFAULT_RANGE_DAYS = 30;
/** Hourly charts show at most the last week of the range (168 points). */
export const HOURLY_DAYS = 7;
/** Demand heatmap cell size in degrees (~1.1 km north–south; ~1.1 km east–west at Lagos and Cairo). */
export const HEATMAP_CELL_DEGREES = 0.01;

/**
 * Every admin.analytics procedure takes a market and a date range: [from, to), ISO timestamps.
 * `to` defaults to now, `from` to 30 days before `to`.
 */
export const analyticsInput = z
  .object({
    market: z
      .string()
      .trim()
      .min(1)
      .max(40)
      .regex(/^[a-z0-9-]+$/),
    from: z.iso.datetime({ offset: true }).optional(),
    to: z.iso.datetime({ offset: true }).optional(),
  })
  .refine((v) => !v.from || !v.to || Date.parse(v.from) < Date.parse(v.to), {
    message: '`from` must be before `to`.',
    path: ['from'],
  })
  .refine((v) => !v.from || !v.to || Date.parse(v.to) - Date.parse(v.from) <= MAX_RANGE_DAYS * 86_400_000, {
    message: `At most ${MAX_RANGE_DAYS} days.`,
    path: ['from'],
  });
export type AnalyticsInput = z.infer<typeof analyticsInput>;

/** The range a result covers (after defaults), and the market's currency and time zone. */
export type AnalyticsRange = { market: string; from: string; to: string; currency: string; timeZone: string };

/** An hour (its start, ISO UTC) and the bookings requested in it. */
export type HourlyCount = { at: string; count: number };

export type BookingsPerHour = { points: HourlyCount[] };

/**
 * Of the bookings requested in the range: how many got a technician, how many ran out of time
 * (`unfulfilled`, with the reason written on the status change), were cancelled before a technician was
 * assigned, or are still searching. Rate = assigned / (assigned + unfulfilled); null when both are 0.
 */
export type Fulfilment = {
  requested: number;
  assigned: number;
  unfulfilled: number;
  cancelledBeforeAssignment: number;
  searching: number;
  rate: number | null;
  reasons: { reason: string; count: number }[];
};

/**
 * On-demand bookings (not scheduled) requested in the range and assigned: seconds from request to
 * assignment, counted in whole seconds (floor), percentile_cont over those (the daily rollups keep a
 * histogram of whole seconds, so a year's percentiles read a few thousand rows, not every booking).
 */
export type TimeToAssignment = {
  count: number;
  p50Seconds: number | null;
  p90Seconds: number | null;
};

/**
 * Offers made for bookings requested in the range. Rate = accepted / (accepted + declined + expired):
 * offers withdrawn by the system (the technician went offline) or still open are not a decision.
 */
export type OfferAcceptance = {
  total: number;
  accepted: number;
  declined: number;
  expired: number;
  withdrawn: number;
  open: number;
  rate: number | null;
};

export type CancelSide = 'customer' | 'technician' | 'admin' | 'system';

/** Bookings requested in the range and cancelled: by who cancelled (the status change's actor) and reason. */
export type Cancellations = {
  total: number;
  bySide: { side: CancelSide; count: number }[];
  /** The most frequent reasons (trimmed, case-folded), at most 10, most frequent first. */
  byReason: { reason: string; count: number }[];
};

/**
 * From the ledger, per day in the market's time zone, in the market's currency (minor units):
 * revenue = customer charges (invoices: jobs and cancellation fees); commission and tips net of refunds;
 * refunds = money given back (to the card or as credit).
 */
export type MoneyDay = { day: string; revenue: number; commission: number; tips: number; refunds: number };
export type MoneyPerDay = {
  currency: string;
  days: MoneyDay[];
  totals: Omit<MoneyDay, 'day'>;
};

/** Per hour: bookings requested against technicians online and available (averages of minute samples). */
export type SupplyDemandPoint = { at: string; requests: number; online: number; available: number };
export type SupplyDemand = { points: SupplyDemandPoint[] };

/** Reviews of the bookings requested in the range (hidden ones excluded). counts[i] = stars i+1. */
export type RatingsDistribution = { count: number; average: number | null; counts: number[] };

/** Bookings requested in the range per grid cell: the cell's centre and its count, busiest first. */
export type DemandHeatmap = {
  cellDegrees: number;
  cells: { lat: number; lng: number; count: number }[];
  max: number;
};

export type AnalyticsDashboard = {
  range: AnalyticsRange;
  bookingsPerHour: BookingsPerHour;
  fulfilment: Fulfilment;
  timeToAssignment: TimeToAssignment;
  offers: OfferAcceptance;
  cancellations: Cancellations;
  money: MoneyPerDay;
  supplyDemand: SupplyDemand;
  ratings: RatingsDistribution;
  heatmap: DemandHeatmap;
};

// Inputs and outputs of the operations console's users, catalogue and audit procedures (issue 14 §3–§5).
import { z } from 'zod';
import type { BookingStatus } from './booking';
import type { DisputeKind, DisputeOutcome, DisputeStatus } from './cases';
import type { Money, PriceUnit } from './catalog';
import { marketSlugSchema, priceUnits } from './catalog';
import { CONTROL_CHARACTERS_MESSAGE, MULTI_LINE_TEXT, SINGLE_LINE_TEXT } from './text';

const line = (max: number) =>
  z.string().trim().min(1).max(max).regex(SINGLE_LINE_TEXT, CONTROL_CHARACTERS_MESSAGE);
const para = (max: number) => z.string().trim().max(max).regex(MULTI_LINE_TEXT, CONTROL_CHARACTERS_MESSAGE);
const cursor = z.string().max(200).optional();
const reason = line(500);

// ── Audit ────────────────────────────────────────────────────────────────────────────────────────────
export const auditListInput = z
  .object({
    actorId: z.uuid().optional(),
    /** Exact dotted verb (`user.ban`) or a prefix ending in a dot (`user.`). */
    action: z
      .string()
      .regex(/^[a-zA-Z0-9_.-]{1,80}$/)
      .optional(),
    /** A typed reference: `user:<uuid>`, `booking:<uuid>` … (exact match). */
    subject: z.string().min(1).max(200).regex(SINGLE_LINE_TEXT).optional(),
    from: z.iso.datetime({ offset: true }).optional(),
    to: z.iso.datetime({ offset: true }).optional(),
    cursor,
  })
  .optional();

export type AuditEntryView = {
  id: number;
  at: string;
  actor: { id: string; name: string; email: string } | null;
  action: string;
  subject: string;
  reason: string | null;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  detail: Record<string, unknown> | null;
  ip: string | null;
};

// ── Users ────────────────────────────────────────────────────────────────────────────────────────────
export const userStatuses = ['active', 'suspended', 'banned', 'deleted'] as const;
export type UserStatus = (typeof userStatuses)[number];

export const userSearchInput = z
  .object({
    /** Part of a name, an e-mail or a phone number. */
    q: z.string().trim().max(100).regex(SINGLE_LINE_TEXT).optional(),
    role: z.enum(['customer', 'technician', 'admin']).optional(),
    status: z.enum(userStatuses).optional(),
    cursor,
  })
  .optional();

export const userIdInput = z.object({ id: z.uuid() });
export const suspendUserInput = z.object({
  id: z.uuid(),
  reason,
  /** When it ends by itself; absent: until an admin lifts it. */
  until: z.iso.datetime({ offset: true }).optional(),
});
export const banUserInput = suspendUserInput;
export const deleteUserInput = z.object({ id: z.uuid(), reason });

export type Restriction = {
  kind: 'suspend' | 'ban';
  reason: string;
  until: string | null;
  at: string;
  by: string | null;
};

export type UserSummary = {
  id: string;
  name: string;
  email: string;
  phone: string | null;
  role: 'customer' | 'technician' | 'admin';
  status: UserStatus;
  createdAt: string;
};

export const riskSignals = [
  'failed_sign_ins',
  'rapid_bookings',
  'many_cancellations',
  'location_jump',
  'new_address',
] as const;
export type RiskSignal = (typeof riskSignals)[number];
/** A risk flag: it helps a person decide; it blocks nothing by itself. */
export type RiskFlag = {
  signal: RiskSignal;
  /** Plain facts the client words its own sentence from (counts, the threshold, the window, km/h …). */
  facts: Record<string, string | number>;
  at: string | null;
};

export type UserDetail = UserSummary & {
  locale: 'en' | 'ar';
  restriction: Restriction | null;
  restrictions: Restriction[];
  technician: { verification: string; rating: { average: number | null; count: number } } | null;
  bookings: Array<{
    id: string;
    as: 'customer' | 'technician';
    status: BookingStatus;
    service: { en: string; ar: string };
    total: Money;
    createdAt: string;
  }>;
  reviews: Array<{
    id: string;
    as: 'author' | 'subject';
    rating: number;
    comment: string | null;
    hidden: boolean;
    createdAt: string;
  }>;
  payments: Array<{
    id: string;
    bookingId: string;
    status: string;
    amount: Money;
    refunded: Money | null;
    createdAt: string;
  }>;
  /** Reports this user made and reports about their reviews. */
  reports: Array<{
    id: number;
    reviewId: string;
    as: 'reporter' | 'reported';
    reason: string;
    createdAt: string;
  }>;
  /**
   * Cases on their bookings, newest first: as the customer (their disputes, technicians' reports about
   * them) and as the technician (customers' disputes about their work, their reports).
   */
  disputes: Array<{
    id: string;
    bookingId: string;
    kind: DisputeKind;
    as: 'customer' | 'technician';
    /** A code of customerDisputeReasons / customerReportReasons. */
    reason: string;
    status: DisputeStatus;
    outcome: DisputeOutcome | null;
    createdAt: string;
  }>;
  /** Outcomes against them over all their cases. */
  outcomes: { technicianPenalties: number; customerWarnings: number };
  flags: RiskFlag[];
};

// ── Catalogue ────────────────────────────────────────────────────────────────────────────────────────
/** The built-in SVG icon set (drawn in client/src/features/console/icons.tsx): no emoji, no uploads. */
export const catalogIcons = [
  'tools',
  'shoe',
  'tap',
  'bulb',
  'snowflake',
  'broom',
  'saw',
  'plug',
  'phone',
  'wrench',
  'paint',
  'key',
  'car',
  'scissors',
  'leaf',
  'bug',
] as const;
export type CatalogIcon = (typeof catalogIcons)[number];

const slug = z.string().regex(/^[a-z0-9][a-z0-9-]{0,59}$/, 'Lower-case letters, digits and dashes');
const certificate = z.string().regex(/^[a-z0-9][a-z0-9-]{0,59}$/);
const minor = z.number().int().positive().max(100_000_000);

const sortOrder = z.number().int().min(0).max(10_000);
/**
 * The fields without their defaults: an update's absent field must stay as it is (zod 4 applies a
 * default inside `.partial()`, which would reset e.g. `active` or `sortOrder` on every partial update).
 */
const categoryFields = z.object({
  slug,
  nameEn: line(80),
  nameAr: line(80),
  descriptionEn: para(500),
  descriptionAr: para(500),
  icon: z.enum(catalogIcons),
  sortOrder,
});
export const categoryInput = categoryFields.extend({
  descriptionEn: para(500).default(''),
  descriptionAr: para(500).default(''),
  sortOrder: sortOrder.default(0),
});
export const createCategoryInput = categoryInput;
export const updateCategoryInput = categoryFields.partial().extend({ id: z.uuid() });

const serviceBase = z.object({
  categoryId: z.uuid(),
  market: marketSlugSchema,
  slug,
  nameEn: line(100),
  nameAr: line(100),
  descriptionEn: para(500),
  descriptionAr: para(500),
  basePrice: minor,
  minPrice: minor.nullable(),
  maxPrice: minor.nullable(),
  priceUnit: z.enum(priceUnits),
  durationMinutes: z
    .number()
    .int()
    .min(5)
    .max(24 * 60),
  emergencySurchargePct: z.number().int().min(0).max(200),
  requiredCertificates: z.array(certificate).max(10),
  active: z.boolean(),
  sortOrder,
});
const serviceFields = serviceBase.extend({
  descriptionEn: para(500).default(''),
  descriptionAr: para(500).default(''),
  minPrice: minor.nullable().default(null),
  maxPrice: minor.nullable().default(null),
  priceUnit: z.enum(priceUnits).default('fixed'),
  emergencySurchargePct: z.number().int().min(0).max(200).default(0),
  requiredCertificates: z.array(certificate).max(10).default([]),
  active: z.boolean().default(true),
  sortOrder: sortOrder.default(0),
});
const boundsOk = (s: { basePrice?: number; minPrice?: number | null; maxPrice?: number | null }) =>
  (s.minPrice == null || s.maxPrice == null || s.maxPrice >= s.minPrice) &&
  (s.basePrice == null || s.minPrice == null || s.basePrice >= s.minPrice) &&
  (s.basePrice == null || s.maxPrice == null || s.basePrice <= s.maxPrice);
const boundsMessage = { message: 'Bounds must satisfy min ≤ base price ≤ max', path: ['basePrice'] };
export const createServiceInput = serviceFields.refine(boundsOk, boundsMessage);
export const updateServiceInput = serviceBase
  .omit({ market: true })
  .partial()
  .extend({ id: z.uuid() })
  .refine(boundsOk, boundsMessage);
export const catalogListInput = z
  .object({
    market: marketSlugSchema.optional(),
  })
  .optional();
export const idInput = z.object({ id: z.uuid() });

export type AdminCategory = {
  id: string;
  slug: string;
  name: { en: string; ar: string };
  description: { en: string; ar: string };
  icon: string;
  sortOrder: number;
  /** Its services in every market (only an empty category can be deleted). */
  services: number;
  /**
   * Its active services in the listed market (null when the list is of every market). A category is
   * shown to customers of a market only when this is above zero (catalog.categories({ market })).
   */
  activeInMarket: number | null;
};
export type AdminService = {
  id: string;
  categoryId: string;
  market: string;
  slug: string;
  name: { en: string; ar: string };
  description: { en: string; ar: string };
  basePrice: Money;
  minPrice: Money | null;
  maxPrice: Money | null;
  priceUnit: PriceUnit;
  durationMinutes: number;
  emergencySurchargePct: number;
  requiredCertificates: string[];
  active: boolean;
  sortOrder: number;
};

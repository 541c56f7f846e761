// Pure zod schemas + types for technician onboarding and its review (issue 13 §4); no Node imports.
import { z } from 'zod';
import type { ChecklistItem, OnboardingDecision, OnboardingStatus } from '#shared/onboarding';
import { onboardingDecisions, onboardingStatuses } from '#shared/onboarding';

export type { ChecklistItem, OnboardingDecision, OnboardingStatus } from '#shared/onboarding';
export { checklistItems, onboardingDecisions, onboardingStatuses } from '#shared/onboarding';

import type { ServiceArea } from './area';
import type { Money } from './catalog';
import { CONTROL_CHARACTERS_MESSAGE, MULTI_LINE_TEXT } from './text';
import type { UploadUrl } from './upload';

/**
 * The fixed list of reasons an admin picks from (plus a free note), and what each asks the technician to
 * fix. `document_expired` is also what the expiry sweep writes.
 */
export const reasonCodes = {
  approved: [],
  id_unreadable: ['national_id'],
  id_mismatch: ['national_id'],
  document_expired: ['national_id'],
  certificate_missing: ['certificates'],
  certificate_invalid: ['certificates'],
  photo_unsuitable: ['photo'],
  areas_unsuitable: ['areas'],
  services_unsuitable: ['services'],
  duplicate_account: [],
  other: [],
} as const satisfies Record<string, readonly ChecklistItem[]>;
export type ReasonCode = keyof typeof reasonCodes;
export const reasonCodeList = Object.keys(reasonCodes) as ReasonCode[];

/** A national ID number: letters, digits, spaces and dashes (Egypt: 14 digits; Nigeria NIN: 11). */
const idNumber = z
  .string()
  .trim()
  .transform((v) => v.replace(/[\s-]+/g, '').toUpperCase())
  .pipe(z.string().regex(/^[0-9A-Z]{5,30}$/, 'An ID number has 5 to 30 letters and digits'));

const isoDate = z.iso.date();

export const setIdDocumentInput = z
  .object({
    frontUploadId: z.uuid().optional(),
    backUploadId: z.uuid().optional(),
    idNumber: idNumber.optional(),
    /** The ID's expiry date (YYYY-MM-DD, the day it stops being valid). */
    expiresOn: isoDate.optional(),
  })
  .refine((v) => Object.values(v).some((x) => x !== undefined), 'Nothing to save');

/** A certificate kind, as services list them in `requiredCertificates` (`electrical-licence`). */
export const certificateKind = z.string().regex(/^[a-z0-9-]{1,60}$/, 'A certificate kind');

export const setCertificateInput = z.object({
  kind: certificateKind,
  uploadId: z.uuid(),
  expiresOn: isoDate.optional(),
});

export const technicianIdInput = z.object({ technicianId: z.uuid() });

export const queueInput = z
  .object({
    status: z.enum(onboardingStatuses).optional(),
    cursor: z.string().max(200).optional(),
  })
  .optional();

export const decideInput = z
  .object({
    technicianId: z.uuid(),
    decision: z.enum(onboardingDecisions),
    reasonCode: z.enum(reasonCodeList as [ReasonCode, ...ReasonCode[]]),
    note: z.string().trim().max(1000).regex(MULTI_LINE_TEXT, CONTROL_CHARACTERS_MESSAGE).optional(),
  })
  .refine((v) => (v.decision === 'approve') === (v.reasonCode === 'approved'), {
    path: ['reasonCode'],
    message: 'Approve with "approved"; reject or request changes with a reason from the list',
  });

export type ChecklistEntry = {
  item: ChecklistItem;
  done: boolean;
  /** The last decision asked for this to be fixed (and it has not been resubmitted since). */
  toFix: boolean;
};

export type CertificateEntry = {
  kind: string;
  /** What the kind is called (`certificate_kinds`; its slug in words when no row names it). */
  name: { en: string; ar: string };
  /** Their services that require it. */
  services: Array<{ en: string; ar: string }>;
  document: UploadUrl | null;
  expiresOn: string | null;
  expired: boolean;
};

export type LastDecision = {
  decision: OnboardingDecision;
  reasonCode: ReasonCode;
  note: string | null;
  at: string;
};

/** What the technician sees: their checklist, progress, documents and the last decision. */
export type OnboardingView = {
  status: OnboardingStatus;
  checklist: ChecklistEntry[];
  progress: { done: number; total: number };
  canSubmit: boolean;
  submittedAt: string | null;
  lastDecision: LastDecision | null;
  idDocument: {
    front: UploadUrl | null;
    back: UploadUrl | null;
    /** The owner sees only the last 4 characters. */
    idNumberMasked: string | null;
    expiresOn: string | null;
    expired: boolean;
  };
  /** One per certificate kind their services require. */
  certificates: CertificateEntry[];
};

export type QueueItem = {
  technicianId: string;
  name: string;
  email: string;
  status: OnboardingStatus;
  submittedAt: string | null;
  servicesCount: number;
  areasCount: number;
};

/** What an admin sees to decide (documents through short-lived signed URLs). */
export type ApplicationView = {
  technicianId: string;
  name: string;
  email: string;
  phone: string | null;
  photoUrl: string | null;
  verification: 'pending' | 'verified' | 'rejected' | 'suspended';
  onboarding: OnboardingView;
  /** Decrypted for admins only (every read is audited). */
  idNumber: string | null;
  services: Array<{ serviceId: string; name: { en: string; ar: string }; price: Money | null }>;
  areas: ServiceArea[];
  history: Array<{
    action: string;
    actorName: string | null;
    at: string;
    detail: Record<string, unknown> | null;
  }>;
};

import { sql } from 'drizzle-orm';
import {
  check,
  date,
  index,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uuid,
} from 'drizzle-orm/pg-core';
import { type ChecklistItem, onboardingDecisions, onboardingStatuses } from '#shared/onboarding';
import { updatedAt } from './columns';
import { uploads } from './uploads';
import { users } from './users';

export const onboardingStatus = pgEnum('onboarding_status', onboardingStatuses);
export const onboardingDecision = pgEnum('onboarding_decision', onboardingDecisions);

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/**
 * A technician's application (issue 13 §4): their ID document and the state of the review. The rest of
 * the checklist (photo, services, areas) lives where it always did; this row holds what is only here.
 */
export const technicianOnboarding = pgTable(
  'technician_onboarding',
  {
    technicianId: uuid('technician_id')
      .primaryKey()
      .references(() => users.id, { onDelete: 'cascade' }),
    status: onboardingStatus('status').notNull().default('draft'),
    idFrontUploadId: uuid('id_front_upload_id').references(() => uploads.id, { onDelete: 'set null' }),
    idBackUploadId: uuid('id_back_upload_id').references(() => uploads.id, { onDelete: 'set null' }),
    /** AES-256-GCM ciphertext (server/modules/onboarding/field-crypto.ts), never the number itself. */
    idNumberCipher: text('id_number_cipher'),
    idExpiresOn: date('id_expires_on', { mode: 'string' }),
    submittedAt: ts('submitted_at'),
    /** The last decision: who, when, what, why (every one is also in audit_log). */
    decision: onboardingDecision('decision'),
    decidedAt: ts('decided_at'),
    decidedBy: uuid('decided_by').references(() => users.id),
    reasonCode: text('reason_code'),
    note: text('note'),
    /** Checklist items the last decision asked to fix. */
    fix: jsonb('fix').$type<ChecklistItem[]>().notNull().default([]),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('technician_onboarding_queue_idx').on(t.status, t.submittedAt),
    index('technician_onboarding_expiry_idx').on(t.idExpiresOn).where(sql`${t.status} = 'approved'`),
    check(
      'technician_onboarding_cipher',
      sql`${t.idNumberCipher} IS NULL OR ${t.idNumberCipher} LIKE 'v1.%'`,
    ),
  ],
);

/**
 * A certificate a technician holds, by kind (`electrical-licence`): the kinds their services require are
 * `services.required_certificates`; one licence covers every service that asks for it.
 */
export const technicianCertificates = pgTable(
  'technician_certificates',
  {
    technicianId: uuid('technician_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    kind: text('kind').notNull(),
    uploadId: uuid('upload_id')
      .notNull()
      .references(() => uploads.id, { onDelete: 'cascade' }),
    expiresOn: date('expires_on', { mode: 'string' }),
    updatedAt: updatedAt(),
  },
  (t) => [
    primaryKey({ columns: [t.technicianId, t.kind] }),
    check('technician_certificates_kind', sql`${t.kind} ~ '^[a-z0-9-]{1,60}$'`),
  ],
);

export type OnboardingRow = typeof technicianOnboarding.$inferSelect;
export type CertificateRow = typeof technicianCertificates.$inferSelect;

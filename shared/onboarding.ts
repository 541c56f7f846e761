/**
 * Technician onboarding: the application's states, the admin's decisions and the checklist (issue 13 §4).
 * No zod and no Node here: the database schema, the server and the PWA share these.
 */

/**
 * `draft`: filling in the checklist. `submitted`: waiting for an admin. `changes_requested` / `rejected`:
 * an admin (or an expired document) sent it back with a reason; the technician fixes and resubmits.
 * `approved`: verified.
 */
export const onboardingStatuses = [
  'draft',
  'submitted',
  'changes_requested',
  'rejected',
  'approved',
] as const;
export type OnboardingStatus = (typeof onboardingStatuses)[number];

export const onboardingDecisions = ['approve', 'reject', 'request_changes'] as const;
export type OnboardingDecision = (typeof onboardingDecisions)[number];

/**
 * The checklist, in the order the PWA shows it. `phone`: a phone number verified by SMS code
 * (auth.verifyPhone), which going online needs anyway.
 */
export const checklistItems = [
  'phone',
  'photo',
  'national_id',
  'certificates',
  'services',
  'areas',
  'hours',
] as const;
export type ChecklistItem = (typeof checklistItems)[number];

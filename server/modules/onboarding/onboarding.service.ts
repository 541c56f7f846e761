import type { z } from 'zod';
import type { Db, DbOrTx } from '../../../db/client';
import type { OnboardingRow, UserRow } from '../../../db/schema';
import {
  type ApplicationView,
  type ChecklistEntry,
  type ChecklistItem,
  checklistItems,
  type decideInput,
  type OnboardingStatus,
  type OnboardingView,
  type QueueItem,
  type ReasonCode,
  reasonCodes,
  type setCertificateInput,
  type setIdDocumentInput,
} from '../../contracts/onboarding';
import type { VerificationStatus } from '../../contracts/technician';
import type { UploadUrl } from '../../contracts/upload';
import { decodeCursor, encodeCursor } from '../../lib/cursor';
import { DomainError } from '../../lib/errors';
import { log } from '../../lib/log';
import type { AreaService } from '../area/area.service';
import { createAuditRepo } from '../audit/audit.repo';
import type { Leader } from '../cluster/leader';
import type { TechnicianRecords } from '../technician/technician.records';
import type { UploadService } from '../upload/upload.service';
import type { FieldCipher } from './field-crypto';
import { createOnboardingRepo } from './onboarding.repo';

type Caller = Pick<UserRow, 'id' | 'role'>;

/** Statuses from which a technician may (re)submit. */
const SUBMITTABLE = new Set<OnboardingStatus>(['draft', 'changes_requested', 'rejected']);
/** How often the expiry sweep runs (on the lease holder only). */
const SWEEP_MS = 3600_000;
const QUEUE_PAGE = 50;

const subject = (technicianId: string) => `technician:${technicianId}`;
const mask = (n: string) => `•••• ${n.slice(-4)}`;

/**
 * Technician onboarding and its review (issue 13 §4): the checklist (verified phone, profile photo, national
 * ID front and back with its number and expiry, certificates their services require, services and prices, service
 * areas), submission, an admin's decision (audited, with the verification status in the same
 * transaction), and a sweep that suspends technicians whose required documents expired.
 */
export function createOnboardingService(deps: {
  db: Db;
  uploads: Pick<UploadService, 'ownStored' | 'url' | 'profilePhoto'>;
  areas: Pick<AreaService, 'areas'>;
  cipher: FieldCipher;
  leader: Leader;
  /** The technician's verification, changed in the decision's transaction. */
  technicians: Pick<TechnicianRecords, 'setVerification'>;
  /** In the decision's transaction: the technician is told (the notification commits with it). */
  verificationDecided: (
    tx: DbOrTx,
    technicianId: string,
    status: VerificationStatus,
    note: string | null,
  ) => Promise<void>;
  /**
   * After a verification change has committed: what the technician module does on one (caches, open
   * offers withdrawn, the live index).
   */
  verificationChanged: (technicianId: string, status: VerificationStatus) => Promise<unknown>;
  /**
   * After an application's status has committed (submitted, decided, sent back by the expiry sweep): the
   * admins' open review queues refresh (me.events `applications`).
   */
  applicationChanged?: (technicianId: string, status: OnboardingStatus) => void;
  /**
   * Whether technicians must verify a phone (TECHNICIAN_PHONE_REQUIRED, default yes): the checklist's
   * phone item counts only then ("verified phone, when SMS exists"); off for load tools whose simulated
   * technicians cannot receive an SMS. Default: required.
   */
  phoneRequired?: boolean;
  now?: () => number;
}) {
  const { db, cipher } = deps;
  const now = deps.now ?? Date.now;
  const repo = createOnboardingRepo(db);
  const today = () => new Date(now()).toISOString().slice(0, 10);
  let sweeper: NodeJS.Timeout | undefined;
  let sweeping: Promise<unknown> | null = null;

  /** The caller's application row (created on first use); NOT_FOUND for a user who is not a technician. */
  async function own(technicianId: string): Promise<OnboardingRow> {
    if (!(await repo.technician(technicianId))) throw new DomainError('NOT_FOUND', 'Technician not found.');
    await repo.ensure(technicianId);
    return (await repo.get(technicianId))!;
  }

  async function docUrl(viewer: Caller, uploadId: string | null): Promise<UploadUrl | null> {
    if (!uploadId) return null;
    try {
      return await deps.uploads.url(viewer, uploadId);
    } catch (e) {
      if (e instanceof DomainError) return null;
      throw e;
    }
  }

  /** The checklist, documents and last decision, as `viewer` (the technician or an admin) may see them. */
  async function view(row: OnboardingRow, viewer: Caller): Promise<OnboardingView> {
    const id = row.technicianId;
    const day = today();
    const [photo, counts, required, certs, front, back] = await Promise.all([
      deps.uploads.profilePhoto(id),
      repo.counts(id),
      repo.requiredCertificates(id),
      repo.certificates(id),
      docUrl(viewer, row.idFrontUploadId),
      docUrl(viewer, row.idBackUploadId),
    ]);
    const idNumber = row.idNumberCipher ? cipher.decrypt(row.idNumberCipher, id) : null;
    const idExpired = row.idExpiresOn !== null && row.idExpiresOn < day;
    const certificates = await Promise.all(
      required.map(async (r) => {
        const c = certs.find((x) => x.kind === r.kind);
        return {
          kind: r.kind,
          name: r.name,
          services: r.services,
          document: c ? await docUrl(viewer, c.uploadId) : null,
          expiresOn: c?.expiresOn ?? null,
          expired: !!c?.expiresOn && c.expiresOn < day,
        };
      }),
    );
    const done: Record<ChecklistItem, boolean> = {
      // A number verified by SMS code (auth.verifyPhone): what going online asks for too.
      phone: counts.phone > 0 || deps.phoneRequired === false,
      photo: !!photo,
      national_id: !!(front && back && idNumber && row.idExpiresOn && !idExpired),
      certificates: certificates.every((c) => c.document && !c.expired),
      services: counts.services > 0,
      areas: counts.areas > 0,
      // Working hours set (technician.setHours), even "not working any day".
      hours: counts.hours > 0,
    };
    const sentBack = row.status === 'changes_requested' || row.status === 'rejected';
    const checklist: ChecklistEntry[] = checklistItems.map((item) => ({
      item,
      done: done[item],
      toFix: sentBack && row.fix.includes(item),
    }));
    const doneCount = checklist.filter((c) => c.done).length;
    return {
      status: row.status,
      checklist,
      progress: { done: doneCount, total: checklist.length },
      canSubmit: doneCount === checklist.length && SUBMITTABLE.has(row.status),
      submittedAt: row.submittedAt?.toISOString() ?? null,
      lastDecision:
        row.decision && row.decidedAt && row.reasonCode
          ? {
              decision: row.decision,
              reasonCode: row.reasonCode as ReasonCode,
              note: row.note,
              at: row.decidedAt.toISOString(),
            }
          : null,
      idDocument: {
        front,
        back,
        idNumberMasked: idNumber ? mask(idNumber) : null,
        expiresOn: row.idExpiresOn,
        expired: idExpired,
      },
      certificates,
    };
  }

  /** One expired technician: sent back to renew, suspended, audited, in one transaction. */
  async function expire(technicianId: string, what: { id: boolean; certificates: boolean }) {
    const fix: ChecklistItem[] = [
      ...(what.id ? ['national_id' as const] : []),
      ...(what.certificates ? ['certificates' as const] : []),
    ];
    const note = 'document_expired';
    const changed = await db.transaction(async (tx) => {
      const r = createOnboardingRepo(tx);
      const row = await r.get(technicianId, { forUpdate: true });
      if (row?.status !== 'approved') return false;
      await r.update(technicianId, {
        status: 'changes_requested',
        decision: 'request_changes',
        decidedAt: new Date(now()),
        decidedBy: null,
        reasonCode: 'document_expired',
        note: null,
        fix,
      });
      await deps.technicians.setVerification(technicianId, 'suspended', note, {
        tx,
        decided: (t) => deps.verificationDecided(t, technicianId, 'suspended', note),
      });
      await createAuditRepo(tx).record({
        actorId: null,
        action: 'onboarding.expire',
        subject: subject(technicianId),
        detail: { expired: fix, on: today() },
      });
      return true;
    });
    if (changed) {
      deps.applicationChanged?.(technicianId, 'changes_requested');
      await deps.verificationChanged(technicianId, 'suspended');
    }
    return changed;
  }

  const service = {
    async status(user: Caller): Promise<OnboardingView> {
      return view(await own(user.id), user);
    },

    /** Any of: the ID's front and back (stored `id_document` uploads of theirs), its number, its expiry. */
    async setIdDocument(user: Caller, input: z.output<typeof setIdDocumentInput>): Promise<OnboardingView> {
      await own(user.id);
      const [front, back] = await Promise.all([
        input.frontUploadId ? deps.uploads.ownStored(user, input.frontUploadId, 'id_document') : null,
        input.backUploadId ? deps.uploads.ownStored(user, input.backUploadId, 'id_document') : null,
      ]);
      if (input.expiresOn && input.expiresOn < today())
        throw new DomainError('VALIDATION', 'This ID has expired: upload a valid one.', {
          field: 'expiresOn',
        });
      const row = await repo.update(user.id, {
        ...(front ? { idFrontUploadId: front.id } : {}),
        ...(back ? { idBackUploadId: back.id } : {}),
        ...(input.idNumber ? { idNumberCipher: cipher.encrypt(input.idNumber, user.id) } : {}),
        ...(input.expiresOn ? { idExpiresOn: input.expiresOn } : {}),
      });
      return view(row!, user);
    },

    /** A certificate of a kind one of their services requires (a stored `certificate` upload of theirs). */
    async setCertificate(user: Caller, input: z.output<typeof setCertificateInput>): Promise<OnboardingView> {
      await own(user.id);
      if (!(await repo.kindRequiredOf(user.id, input.kind)))
        throw new DomainError('VALIDATION', 'None of your services asks for this certificate.');
      if (input.expiresOn && input.expiresOn < today())
        throw new DomainError('VALIDATION', 'This certificate has expired.', { field: 'expiresOn' });
      const u = await deps.uploads.ownStored(user, input.uploadId, 'certificate');
      await repo.setCertificate(user.id, input.kind, u.id, input.expiresOn ?? null);
      return view((await repo.get(user.id))!, user);
    },

    /** Sends the completed checklist for review (again, after changes were asked for or a rejection). */
    async submit(user: Caller): Promise<OnboardingView> {
      const current = await view(await own(user.id), user);
      if (!SUBMITTABLE.has(current.status))
        throw new DomainError(
          'CONFLICT',
          current.status === 'submitted' ? 'Already submitted: wait for the review.' : 'Already approved.',
        );
      const missing = current.checklist.filter((c) => !c.done).map((c) => c.item);
      if (missing.length)
        throw new DomainError('VALIDATION', `Complete the checklist first: ${missing.join(', ')}.`, {
          missing: missing.join(','),
        });
      const row = await db.transaction(async (tx) => {
        const r = createOnboardingRepo(tx);
        const locked = await r.get(user.id, { forUpdate: true });
        if (!locked || !SUBMITTABLE.has(locked.status))
          throw new DomainError('CONFLICT', 'Already submitted: wait for the review.');
        const updated = await r.update(user.id, { status: 'submitted', submittedAt: new Date(now()) });
        await createAuditRepo(tx).record({
          actorId: user.id,
          action: 'onboarding.submit',
          subject: subject(user.id),
          detail: { from: locked.status },
        });
        return updated!;
      });
      deps.applicationChanged?.(user.id, row.status);
      return view(row, user);
    },

    async queue(input: { status?: OnboardingStatus; cursor?: string } | undefined) {
      const after = decodeCursor(input?.cursor);
      const rows = await repo.queue(input?.status ?? 'submitted', after, QUEUE_PAGE + 1);
      const page = rows.slice(0, QUEUE_PAGE);
      const items: QueueItem[] = page.map((r) => ({
        technicianId: r.technicianId,
        name: r.name,
        email: r.email,
        status: r.status,
        submittedAt: r.submittedAt?.toISOString() ?? null,
        servicesCount: r.servicesCount,
        areasCount: r.areasCount,
      }));
      const last = page.at(-1);
      return {
        items,
        nextCursor: rows.length > QUEUE_PAGE && last ? encodeCursor(last.cursorAt, last.technicianId) : null,
      };
    },

    /** An application for an admin: documents (signed URLs), the decrypted ID number (the read is audited). */
    async get(admin: Caller, technicianId: string): Promise<ApplicationView> {
      const t = await repo.technician(technicianId);
      if (!t) throw new DomainError('NOT_FOUND', 'Technician not found.');
      await repo.ensure(technicianId);
      const row = (await repo.get(technicianId))!;
      const [onboarding, services, areas] = await Promise.all([
        view(row, admin),
        repo.services(technicianId),
        deps.areas.areas(technicianId),
      ]);
      const idNumber = row.idNumberCipher ? cipher.decrypt(row.idNumberCipher, technicianId) : null;
      if (row.idNumberCipher && idNumber === null)
        log.warn('onboarding: an ID number did not decrypt (another key?)', { technician: technicianId });
      await createAuditRepo(db).record({
        actorId: admin.id,
        action: 'onboarding.view',
        subject: subject(technicianId),
        detail: { idNumber: idNumber !== null },
      });
      const history = await repo.history(technicianId);
      return {
        technicianId,
        name: t.name,
        email: t.email,
        phone: t.phone,
        photoUrl: t.photoUrl,
        verification: t.verification,
        onboarding,
        idNumber,
        services: services.map((s) => ({
          serviceId: s.serviceId,
          name: { en: s.nameEn, ar: s.nameAr },
          price: s.price === null ? null : { amount: s.price, currency: s.currency },
        })),
        areas,
        history: history.map((h) => ({
          action: h.action,
          actorName: h.actorName,
          at: h.at.toISOString(),
          detail: h.detail,
        })),
      };
    },

    /**
     * An admin's decision on a submitted application: the application's state, the technician's
     * verification status and the audit row commit together, or not at all.
     */
    async decide(admin: Caller, input: z.output<typeof decideInput>): Promise<ApplicationView> {
      const note = input.note?.trim() || null;
      const status = {
        approve: 'approved',
        reject: 'rejected',
        request_changes: 'changes_requested',
      } as const;
      const verification = await db.transaction(async (tx) => {
        const r = createOnboardingRepo(tx);
        const row = await r.get(input.technicianId, { forUpdate: true });
        if (!row) throw new DomainError('NOT_FOUND', 'Application not found.');
        if (row.status !== 'submitted')
          throw new DomainError('CONFLICT', 'Only a submitted application can be decided.', {
            status: row.status,
          });
        await r.update(input.technicianId, {
          status: status[input.decision],
          decision: input.decision,
          decidedAt: new Date(now()),
          decidedBy: admin.id,
          reasonCode: input.reasonCode,
          note,
          fix: [...reasonCodes[input.reasonCode]],
        });
        const t = await r.technician(input.technicianId);
        // Approve: verified. Reject: rejected. Changes: unchanged (pending, or suspended after an expiry).
        const next: VerificationStatus =
          input.decision === 'approve'
            ? 'verified'
            : input.decision === 'reject'
              ? 'rejected'
              : t!.verification;
        const told = input.decision === 'approve' ? null : (note ?? input.reasonCode);
        await deps.technicians.setVerification(input.technicianId, next, told, {
          tx,
          decided: (t) => deps.verificationDecided(t, input.technicianId, next, told),
        });
        await createAuditRepo(tx).record({
          actorId: admin.id,
          action: 'onboarding.decide',
          subject: subject(input.technicianId),
          detail: {
            decision: input.decision,
            reasonCode: input.reasonCode,
            note,
            from: row.status,
            verification: next,
          },
          // The note when the admin wrote one, else the reason from the list.
          reason: note ?? input.reasonCode,
          before: { status: row.status, verification: t!.verification },
          after: { status: status[input.decision], verification: next },
        });
        return next;
      });
      deps.applicationChanged?.(input.technicianId, status[input.decision]);
      await deps.verificationChanged(input.technicianId, verification);
      return service.get(admin, input.technicianId);
    },

    /** Suspends approved technicians whose ID or a required certificate has expired; the ids swept. */
    async sweepExpired(): Promise<string[]> {
      const swept: string[] = [];
      for (const e of await repo.expired(today())) {
        if (await expire(e.technicianId, e)) swept.push(e.technicianId);
      }
      if (swept.length)
        log.info('onboarding: documents expired, technicians suspended', { count: swept.length });
      return swept;
    },

    /** The hourly expiry sweep, run by whichever node holds its lease. */
    start() {
      const tick = () => {
        if (sweeping) return;
        sweeping = deps.leader
          .runOnce('onboarding-expiry', SWEEP_MS * 2, () => service.sweepExpired())
          .catch((e: unknown) => log.warn('onboarding expiry sweep failed', { error: String(e) }))
          .finally(() => {
            sweeping = null;
          });
      };
      tick();
      sweeper = setInterval(tick, SWEEP_MS);
      sweeper.unref();
    },

    async stop() {
      clearInterval(sweeper);
      await sweeping;
    },
  };
  return service;
}

export type OnboardingService = ReturnType<typeof createOnboardingService>;

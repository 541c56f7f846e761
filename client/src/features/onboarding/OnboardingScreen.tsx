import { type FormEvent, useEffect, useId, useState } from 'react';
import type { PublicUser } from '../../../../server/contracts/auth';
import type { ChecklistEntry, ChecklistItem, OnboardingView } from '../../../../server/contracts/onboarding';
import type { StoredUpload, UploadUrl } from '../../../../server/contracts/upload';
import { Loading } from '../../components/Loading';
import { Screen } from '../../components/Screen';
import { Spinner } from '../../components/Spinner';
import { TextField } from '../../components/TextField';
import { useI18n } from '../../i18n/I18nProvider';
import { problemKey } from '../../lib/apiErrors';
import { Link } from '../../lib/router';
import { trpc } from '../../lib/trpc';
import { VerifyPhone } from '../notifications/VerifyPhone';
import { AreasEditor } from '../technician/AreasEditor';
import { ServicesEditor } from '../technician/ServicesEditor';
import { TechnicianPhotoField } from '../upload/TechnicianPhotoField';
import { DocumentField } from './DocumentField';
import { DocumentViewer } from './DocumentViewer';
import { OnboardingProgress, useOnboardingStatus } from './Progress';
import './onboarding.css';

function ItemCard({ entry, children }: { entry: ChecklistEntry; children: React.ReactNode }) {
  const { t } = useI18n();
  const id = useId();
  const badge = entry.toFix ? 'fix' : entry.done ? 'done' : 'todo';
  return (
    <section
      className={`card${entry.toFix ? ' onb-item-fix' : ''}`}
      aria-labelledby={id}
      data-testid={`onboarding-item-${entry.item}`}
      data-done={entry.done}
    >
      <div className="onb-item-head">
        <h2 id={id}>{t(`onboarding.item.${entry.item}`)}</h2>
        <span className={`onb-badge onb-badge-${badge}`}>
          {t(badge === 'fix' ? 'onboarding.toFix' : badge === 'done' ? 'onboarding.done' : 'onboarding.todo')}
        </span>
      </div>
      <p className="muted small">{t(`onboarding.hint.${entry.item}`)}</p>
      {children}
    </section>
  );
}

/** The technician's onboarding checklist (issue 13 §4): every step on one screen, then "Submit for review". */
export function OnboardingScreen({ user }: { user: PublicUser }) {
  const { t } = useI18n();
  const utils = trpc.useUtils();
  const status = useOnboardingStatus();
  const me = trpc.technician.me.useQuery(undefined, { staleTime: 30_000 });
  const [viewing, setViewing] = useState<{ doc: UploadUrl; title: string } | null>(null);
  const submit = trpc.onboarding.submit.useMutation({
    onSuccess: (view) => {
      utils.onboarding.status.setData(undefined, view);
      void utils.technician.me.invalidate();
    },
  });
  // Services, photo and areas are saved by their own editors: the checklist follows.
  const profileKey = me.data ? `${me.data.photoUrl}|${me.data.services.length}` : '';
  // biome-ignore lint/correctness/useExhaustiveDependencies: profileKey is the trigger.
  useEffect(() => {
    if (profileKey) void utils.onboarding.status.invalidate();
  }, [profileKey]);

  const view = status.data;
  const profile = me.data;
  if (!view || !profile) {
    return (
      <Screen heading={t('onboarding.title')} testId="onboarding">
        {status.error || me.error ? (
          <p className="form-error" role="alert">
            {t(problemKey((status.error ?? me.error)!))}
          </p>
        ) : (
          <Loading />
        )}
      </Screen>
    );
  }
  const entry = (item: ChecklistItem) => view.checklist.find((c) => c.item === item)!;
  const decision = view.lastDecision;
  const sentBack = view.status === 'changes_requested' || view.status === 'rejected';
  const open = (doc: UploadUrl, title: string) => setViewing({ doc, title });

  return (
    <Screen heading={t('onboarding.title')} testId="onboarding">
      <nav className="breadcrumbs">
        <Link href="/home">{t('onboarding.back')}</Link>
      </nav>
      <section
        className={`card ${sentBack ? 'danger' : view.status === 'approved' ? 'success' : 'notice'}`}
        data-testid="onboarding-status"
        data-status={view.status}
      >
        <p>{view.status === 'draft' ? t('onboarding.intro') : t(`onboarding.status.${view.status}`)}</p>
        <OnboardingProgress view={view} />
        {sentBack && decision && (
          <div data-testid="onboarding-decision">
            <h2 className="small-heading">{t('onboarding.fix.title')}</h2>
            <p>
              <strong>{t(`onboarding.reason.${decision.reasonCode}`)}</strong>
            </p>
            {decision.note && (
              <p>
                {t('onboarding.fix.note')} {decision.note}
              </p>
            )}
          </div>
        )}
      </section>

      <ItemCard entry={entry('phone')}>
        <VerifyPhone onVerified={() => void utils.onboarding.status.invalidate()} />
      </ItemCard>

      <ItemCard entry={entry('photo')}>
        <TechnicianPhotoField profile={profile} />
      </ItemCard>

      <ItemCard entry={entry('national_id')}>
        <IdSection view={view} onView={open} />
      </ItemCard>

      <ItemCard entry={entry('certificates')}>
        <CertificatesSection view={view} onView={open} />
      </ItemCard>

      <ItemCard entry={entry('services')}>
        <ServicesEditor profile={profile} user={user} />
      </ItemCard>

      <ItemCard entry={entry('areas')}>
        <AreasEditor user={user} profile={profile} />
      </ItemCard>

      <ItemCard entry={entry('hours')}>
        <Link href="/technician/hours" className="button button-secondary" data-testid="onboarding-hours">
          {t('onboarding.hours.open')}
        </Link>
      </ItemCard>

      <section className="card card-feature">
        <OnboardingProgress view={view} />
        {!view.canSubmit && view.status !== 'submitted' && view.status !== 'approved' && (
          <p className="muted small">{t('onboarding.submitHint')}</p>
        )}
        <button
          type="button"
          className="button button-primary"
          data-testid="onboarding-submit"
          disabled={!view.canSubmit || submit.isPending}
          onClick={() => submit.mutate()}
        >
          {submit.isPending ? <Spinner small /> : null}
          {t('onboarding.submit')}
        </button>
        {submit.error && (
          <p className="form-error" role="alert">
            {t(problemKey(submit.error))}
          </p>
        )}
      </section>
      {viewing && <DocumentViewer doc={viewing.doc} title={viewing.title} onClose={() => setViewing(null)} />}
    </Screen>
  );
}

function IdSection({
  view,
  onView,
}: {
  view: OnboardingView;
  onView: (doc: UploadUrl, title: string) => void;
}) {
  const { t } = useI18n();
  const utils = trpc.useUtils();
  const save = trpc.onboarding.setIdDocument.useMutation({
    onSuccess: (next) => utils.onboarding.status.setData(undefined, next),
  });
  const [number, setNumber] = useState('');
  const [expires, setExpires] = useState(view.idDocument.expiresOn ?? '');
  const [saved, setSaved] = useState(false);
  const attach = (side: 'frontUploadId' | 'backUploadId') => (stored: StoredUpload) =>
    save.mutateAsync({ [side]: stored.uploadId });
  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setSaved(false);
    save.mutate(
      { ...(number.trim() ? { idNumber: number } : {}), ...(expires ? { expiresOn: expires } : {}) },
      {
        onSuccess: () => {
          setNumber('');
          setSaved(true);
        },
      },
    );
  };
  const fieldError = save.error?.data?.zodError?.fieldErrors;
  return (
    <>
      <div className="onb-docs">
        <DocumentField
          label={t('onboarding.id.front')}
          kind="id_document"
          current={view.idDocument.front}
          attach={attach('frontUploadId')}
          onView={onView}
          testId="id-front"
        />
        <DocumentField
          label={t('onboarding.id.back')}
          kind="id_document"
          current={view.idDocument.back}
          attach={attach('backUploadId')}
          onView={onView}
          testId="id-back"
        />
      </div>
      <p className="field-hint">{t('onboarding.doc.hint')}</p>
      <form className="form" noValidate onSubmit={onSubmit}>
        <TextField
          name="idNumber"
          label={t('onboarding.id.number')}
          hint={
            view.idDocument.idNumberMasked
              ? t('onboarding.id.numberSaved', { masked: view.idDocument.idNumberMasked })
              : undefined
          }
          inputMode="text"
          autoComplete="off"
          spellCheck={false}
          maxLength={40}
          value={number}
          onChange={(e) => setNumber(e.target.value)}
          error={fieldError?.idNumber?.[0]}
          data-testid="id-number"
        />
        <TextField
          name="expiresOn"
          type="date"
          label={t('onboarding.id.expires')}
          value={expires}
          onChange={(e) => setExpires(e.target.value)}
          error={view.idDocument.expired ? t('onboarding.id.expired') : fieldError?.expiresOn?.[0]}
          data-testid="id-expires"
        />
        <button
          type="submit"
          className="button button-secondary"
          disabled={save.isPending || (!number.trim() && !expires)}
          data-testid="id-save"
        >
          {save.isPending ? <Spinner small /> : null}
          {t('onboarding.id.save')}
        </button>
        {saved && !save.error && (
          <p className="muted small" role="status">
            {t('onboarding.id.saved')}
          </p>
        )}
        {save.error && !fieldError && (
          <p className="form-error" role="alert">
            {t(problemKey(save.error))}
          </p>
        )}
      </form>
    </>
  );
}

function CertificatesSection({
  view,
  onView,
}: {
  view: OnboardingView;
  onView: (doc: UploadUrl, title: string) => void;
}) {
  const { t, localized } = useI18n();
  const utils = trpc.useUtils();
  const save = trpc.onboarding.setCertificate.useMutation({
    onSuccess: (next) => utils.onboarding.status.setData(undefined, next),
  });
  const [expiry, setExpiry] = useState<Record<string, string>>({});
  if (view.certificates.length === 0) return <p>{t('onboarding.cert.none')}</p>;
  return (
    <div className="onb-docs">
      {view.certificates.map((c) => (
        <div key={c.kind} className="onb-doc">
          <DocumentField
            label={localized(c.name)}
            kind="certificate"
            current={c.document}
            attach={(stored) =>
              save.mutateAsync({
                kind: c.kind,
                uploadId: stored.uploadId,
                ...(expiry[c.kind] ? { expiresOn: expiry[c.kind] } : {}),
              })
            }
            onView={onView}
            testId={`cert-${c.kind}`}
          />
          <p className="muted small">
            {t('onboarding.cert.for', { services: c.services.map((s) => localized(s)).join(', ') })}
          </p>
          <TextField
            name={`expires-${c.kind}`}
            type="date"
            label={t('onboarding.cert.expires')}
            value={expiry[c.kind] ?? c.expiresOn ?? ''}
            onChange={(e) => setExpiry((x) => ({ ...x, [c.kind]: e.target.value }))}
            error={c.expired ? t('onboarding.cert.expired') : undefined}
          />
        </div>
      ))}
      {save.error && (
        <p className="form-error" role="alert">
          {t(problemKey(save.error))}
        </p>
      )}
    </div>
  );
}

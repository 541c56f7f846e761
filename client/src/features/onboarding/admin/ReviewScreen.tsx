import { type FormEvent, useId, useMemo, useState } from 'react';
import {
  type OnboardingDecision,
  onboardingDecisions,
  type ReasonCode,
  reasonCodeList,
} from '../../../../../server/contracts/onboarding';
import type { UploadUrl } from '../../../../../server/contracts/upload';
import { Avatar } from '../../../components/Avatar';
import { Loading } from '../../../components/Loading';
import { Screen } from '../../../components/Screen';
import { Spinner } from '../../../components/Spinner';
import { useI18n } from '../../../i18n/I18nProvider';
import { problemKey } from '../../../lib/apiErrors';
import { Link } from '../../../lib/router';
import { trpc } from '../../../lib/trpc';
import { DocumentThumb } from '../DocumentField';
import { DocumentViewer } from '../DocumentViewer';
import { PolygonMapView, type Shape } from '../PolygonMapView';
import '../onboarding.css';

const HISTORY_KEYS = {
  'onboarding.submit': 'onboarding.history.onboarding.submit',
  'onboarding.decide': 'onboarding.history.onboarding.decide',
  'onboarding.expire': 'onboarding.history.onboarding.expire',
  'onboarding.view': 'onboarding.history.onboarding.view',
} as const;

/** admin.onboarding.get + decide: one applicant's documents, ID number, services, areas, and the decision. */
export function ReviewScreen({ technicianId }: { technicianId: string }) {
  const { t, formatDate, formatDateTime, formatMoney, localized } = useI18n();
  const id = useId();
  const utils = trpc.useUtils();
  // Every read of the decrypted ID number is audited: no refetch on focus.
  const app = trpc.admin.onboarding.get.useQuery(
    { technicianId },
    { staleTime: 5 * 60_000, refetchOnWindowFocus: false },
  );
  const decide = trpc.admin.onboarding.decide.useMutation({
    onSuccess: (next) => {
      utils.admin.onboarding.get.setData({ technicianId }, next);
      void utils.admin.onboarding.queue.invalidate();
    },
  });
  const [viewing, setViewing] = useState<{ doc: UploadUrl; title: string } | null>(null);
  const [decision, setDecision] = useState<OnboardingDecision>('approve');
  const [reason, setReason] = useState<ReasonCode | ''>('');
  const [note, setNote] = useState('');

  const a = app.data;
  const shapes: Shape[] = useMemo(
    () =>
      (a?.areas ?? []).map((x) => ({
        id: x.id,
        label: localized(x.localName),
        ring: (x.polygon[0] ?? []).slice(0, -1).map(([lng, lat]) => ({ lat: lat!, lng: lng! })),
      })),
    [a?.areas, localized],
  );
  if (!a) {
    return (
      <Screen heading={t('onboarding.admin.review')} testId="onboarding-review">
        {app.error ? (
          <p className="form-error" role="alert">
            {t(problemKey(app.error))}
          </p>
        ) : (
          <Loading />
        )}
      </Screen>
    );
  }
  const o = a.onboarding;
  const open = (doc: UploadUrl, title: string) => setViewing({ doc, title });
  const waiting = o.status === 'submitted';
  const reasons = reasonCodeList.filter((r) =>
    decision === 'approve' ? r === 'approved' : r !== 'approved',
  );
  const chosen: ReasonCode | '' = decision === 'approve' ? 'approved' : reason;
  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (!chosen) return;
    decide.mutate({ technicianId, decision, reasonCode: chosen, ...(note.trim() ? { note } : {}) });
  };
  const first = shapes[0]?.ring[0];

  return (
    <Screen heading={a.name} testId="onboarding-review">
      <nav className="breadcrumbs">
        <Link href="/admin/onboarding">{t('onboarding.admin.backToQueue')}</Link>
      </nav>
      <section className="card" data-testid="review-applicant" data-status={o.status}>
        <div className="onb-item-head">
          <Avatar name={a.name} photoUrl={a.photoUrl} size={64} />
          <span className={`onb-badge${o.status === 'approved' ? ' onb-badge-done' : ''}`}>
            {t(`onboarding.state.${o.status}`)}
          </span>
        </div>
        <p>
          {a.email}
          {a.phone ? ` · ${a.phone}` : ''}
        </p>
        <ul className="onb-list" aria-label={t('onboarding.admin.checklist')}>
          {o.checklist.map((c) => (
            <li key={c.item}>
              <span>{t(`onboarding.item.${c.item}`)}</span>
              <span className={`onb-badge${c.done ? ' onb-badge-done' : ''}`}>
                {t(c.done ? 'onboarding.done' : 'onboarding.todo')}
              </span>
            </li>
          ))}
        </ul>
      </section>

      <section className="card" aria-labelledby={`${id}-docs`}>
        <h2 id={`${id}-docs`}>{t('onboarding.admin.documents')}</h2>
        <div className="onb-docs">
          <div className="onb-doc" data-testid="review-id-front">
            <span className="onb-doc-title">{t('onboarding.id.front')}</span>
            <DocumentThumb doc={o.idDocument.front} title={t('onboarding.id.front')} onView={open} />
          </div>
          <div className="onb-doc">
            <span className="onb-doc-title">{t('onboarding.id.back')}</span>
            <DocumentThumb doc={o.idDocument.back} title={t('onboarding.id.back')} onView={open} />
          </div>
          {o.certificates.map((c) => (
            <div className="onb-doc" key={c.kind}>
              <span className="onb-doc-title">{localized(c.name)}</span>
              <DocumentThumb doc={c.document} title={localized(c.name)} onView={open} />
              {c.expiresOn && (
                <span className="muted small">
                  {t('onboarding.admin.expires', { date: formatDate(c.expiresOn) })}
                </span>
              )}
            </div>
          ))}
        </div>
        <dl className="onb-facts">
          <dt>{t('onboarding.admin.idNumber')}</dt>
          <dd data-testid="review-id-number" dir="ltr">
            {a.idNumber ?? t('onboarding.admin.noNumber')}
          </dd>
          {o.idDocument.expiresOn && (
            <dd className={o.idDocument.expired ? 'form-error' : 'muted'}>
              {t('onboarding.admin.expires', { date: formatDate(o.idDocument.expiresOn) })}
            </dd>
          )}
        </dl>
      </section>

      <section className="card" aria-labelledby={`${id}-services`}>
        <h2 id={`${id}-services`}>{t('onboarding.admin.services')}</h2>
        <ul className="onb-list">
          {a.services.map((s) => (
            <li key={s.serviceId}>
              <span>{localized(s.name)}</span>
              <span className="muted">
                {s.price ? formatMoney(s.price) : t('onboarding.admin.listPrice')}
              </span>
            </li>
          ))}
        </ul>
      </section>

      <section className="card" aria-labelledby={`${id}-areas`}>
        <h2 id={`${id}-areas`}>{t('onboarding.admin.areas')}</h2>
        {shapes.length === 0 ? (
          <p className="muted">{t('onboarding.admin.noAreas')}</p>
        ) : (
          <>
            <ul className="onb-list">
              {a.areas.map((x) => (
                <li key={x.id}>{localized(x.localName)}</li>
              ))}
            </ul>
            <PolygonMapView
              label={t('onboarding.admin.areasMap')}
              center={first ?? { lat: 0, lng: 0 }}
              height={240}
              shapes={shapes}
              fit
            />
          </>
        )}
      </section>

      <section className="card card-feature" aria-labelledby={`${id}-decide`} data-testid="review-decide">
        <h2 id={`${id}-decide`}>{t('onboarding.admin.decision')}</h2>
        {!waiting ? (
          <p className="muted">{t('onboarding.admin.notWaiting')}</p>
        ) : (
          <form className="form" noValidate onSubmit={onSubmit}>
            <fieldset className="onb-reasons">
              <legend className="visually-hidden">{t('onboarding.admin.decision')}</legend>
              {onboardingDecisions.map((d) => (
                <label key={d} className="zone-option">
                  <input
                    type="radio"
                    name="decision"
                    value={d}
                    checked={decision === d}
                    data-testid={`decision-${d}`}
                    onChange={() => {
                      setDecision(d);
                      setReason('');
                    }}
                  />
                  <span>{t(`onboarding.admin.${d}`)}</span>
                </label>
              ))}
            </fieldset>
            {decision !== 'approve' && (
              <div className="field">
                <label htmlFor={`${id}-reason`}>{t('onboarding.admin.reason')}</label>
                <select
                  id={`${id}-reason`}
                  value={reason}
                  required
                  data-testid="decision-reason"
                  onChange={(e) => setReason(e.target.value as ReasonCode)}
                >
                  <option value="">{t('onboarding.admin.chooseReason')}</option>
                  {reasons.map((r) => (
                    <option key={r} value={r}>
                      {t(`onboarding.reason.${r}`)}
                    </option>
                  ))}
                </select>
              </div>
            )}
            <div className="field">
              <label htmlFor={`${id}-note`}>{t('onboarding.admin.note')}</label>
              <textarea
                id={`${id}-note`}
                rows={3}
                maxLength={1000}
                value={note}
                onChange={(e) => setNote(e.target.value)}
              />
            </div>
            <button
              type="submit"
              className={decision === 'reject' ? 'button button-danger' : 'button button-primary'}
              disabled={!chosen || decide.isPending}
              data-testid="decision-confirm"
            >
              {decide.isPending ? <Spinner small /> : null}
              {t('onboarding.admin.confirm')}
            </button>
            {decide.error && (
              <p className="form-error" role="alert">
                {t(problemKey(decide.error))}
              </p>
            )}
          </form>
        )}
        {decide.isSuccess && (
          <p role="status" className="muted">
            {t('onboarding.admin.decided')}
          </p>
        )}
      </section>

      <section className="card" aria-labelledby={`${id}-history`}>
        <h2 id={`${id}-history`}>{t('onboarding.admin.history')}</h2>
        <ul className="onb-list">
          {a.history.map((h, i) => {
            const key = HISTORY_KEYS[h.action as keyof typeof HISTORY_KEYS];
            const d = h.detail as { decision?: OnboardingDecision; reasonCode?: ReasonCode } | null;
            return (
              // biome-ignore lint/suspicious/noArrayIndexKey: history rows have no id of their own here.
              <li key={i}>
                <span>
                  {key
                    ? t(key, { decision: d?.decision ? t(`onboarding.admin.${d.decision}`) : '' })
                    : h.action}
                  {d?.reasonCode && d.reasonCode !== 'approved'
                    ? ` — ${t(`onboarding.reason.${d.reasonCode}`)}`
                    : ''}
                </span>
                <span className="muted small">
                  {t('onboarding.history.by', {
                    who: h.actorName ?? t('onboarding.history.system'),
                    when: formatDateTime(h.at),
                  })}
                </span>
              </li>
            );
          })}
        </ul>
      </section>
      {viewing && <DocumentViewer doc={viewing.doc} title={viewing.title} onClose={() => setViewing(null)} />}
    </Screen>
  );
}

import { type FormEvent, useId, useState } from 'react';
import type { ModeratedReview } from '../../../../server/contracts/review';
import { Screen } from '../../components/Screen';
import { Spinner } from '../../components/Spinner';
import { useI18n } from '../../i18n/I18nProvider';
import { problemKey } from '../../lib/apiErrors';
import { Link } from '../../lib/router';
import { trpc } from '../../lib/trpc';
import { StarRow } from '../reviews/Stars';
import { ConsoleNav } from './ConsoleNav';
import { ConsolePagedList } from './ConsolePagedList';

/** Moderation: reviews people reported, most recently reported first; hide one with a reason (audited). */
export function ReviewsScreen() {
  const { t } = useI18n();
  const pages = trpc.admin.reviews.reported.useInfiniteQuery(
    {},
    {
      getNextPageParam: (last) => last.nextCursor ?? undefined,
      staleTime: 5_000,
    },
  );
  const rows = pages.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <Screen heading={t('console.reviews.title')} testId="admin-reviews">
      <ConsoleNav />
      <p className="muted">{t('console.reviews.body')}</p>
      <ConsolePagedList
        pages={pages}
        count={rows.length}
        empty={
          <p className="muted" data-testid="reported-empty">
            {t('console.reviews.empty')}
          </p>
        }
      >
        <ul className="console-list" aria-busy={pages.isFetching} data-testid="reported-list">
          {rows.map((r) => (
            <ReportedReview key={r.id} r={r} />
          ))}
        </ul>
      </ConsolePagedList>
    </Screen>
  );
}

function ReportedReview({ r }: { r: ModeratedReview }) {
  const { t, localized, formatDateTime } = useI18n();
  return (
    <li
      className="card moderated-review"
      data-testid="reported-review"
      data-id={r.id}
      data-hidden={r.hidden ? 'true' : 'false'}
    >
      <p className="moderated-head">
        <StarRow value={r.rating} /> <span className="small">{localized(r.service.name)}</span>
      </p>
      {r.comment && (
        <p className="prewrap" dir="auto">
          {r.comment}
        </p>
      )}
      <p className="small">
        {t('console.reviews.by')}{' '}
        <Link href={`/admin/users/${r.author.id}`} data-testid="review-author">
          {r.author.name}
        </Link>
        {' · '}
        <Link href={`/admin/users/${r.technicianId}`}>{t('console.reviews.technician')}</Link>
        {' · '}
        {formatDateTime(r.createdAt)}
      </p>
      <h3 className="small">{t('console.reviews.reports', { count: r.reports.length })}</h3>
      <ul className="report-list">
        {r.reports.map((report) => (
          <li key={`${report.by}-${report.at}`} className="small">
            <bdi>{report.reason}</bdi> · {formatDateTime(report.at)}
          </li>
        ))}
      </ul>
      {r.hidden ? (
        <p className="status-badge" data-status="hidden" data-testid="review-hidden">
          {t('console.reviews.hiddenBecause', { reason: r.hidden.reason })}
        </p>
      ) : (
        <HideForm reviewId={r.id} />
      )}
    </li>
  );
}

function HideForm({ reviewId }: { reviewId: string }) {
  const { t } = useI18n();
  const id = useId();
  const utils = trpc.useUtils();
  const [reason, setReason] = useState('');
  const [short, setShort] = useState(false);
  const hide = trpc.admin.reviews.hide.useMutation({
    onSuccess: () => void utils.admin.reviews.reported.invalidate(),
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (reason.trim().length < 3) {
      setShort(true);
      return;
    }
    hide.mutate({ reviewId, reason: reason.trim() });
  };
  return (
    <form className="form" onSubmit={submit} noValidate data-testid="hide-review-form">
      <div className="field">
        <label htmlFor={`${id}-reason`}>{t('console.reviews.reason')}</label>
        <textarea
          id={`${id}-reason`}
          name="reason"
          rows={2}
          maxLength={500}
          dir="auto"
          value={reason}
          aria-invalid={short ? true : undefined}
          aria-describedby={short ? `${id}-reason-error` : undefined}
          onChange={(event) => {
            setReason(event.target.value);
            setShort(false);
          }}
        />
        {short && (
          <p className="field-error" id={`${id}-reason-error`}>
            {t('console.reviews.reasonShort')}
          </p>
        )}
      </div>
      {hide.error && (
        <p className="form-error" role="alert">
          {t(problemKey(hide.error))}
        </p>
      )}
      <button
        type="submit"
        className="button button-danger"
        disabled={hide.isPending}
        data-testid="hide-review"
      >
        {hide.isPending && <Spinner small />}
        {t('console.reviews.hide')}
      </button>
    </form>
  );
}

import './reviews.css';
import { useState } from 'react';
import type { Review } from '../../../../server/contracts/review';
import { ReasonDialog } from '../../components/ReasonDialog';
import { useI18n } from '../../i18n/I18nProvider';
import { problemKey } from '../../lib/apiErrors';
import { trpc } from '../../lib/trpc';
import { useSession } from '../session/SessionProvider';
import { StarRow } from './Stars';

/** One published review: stars, who and when, the job, ticked tags, the text, the technician's reply. */
export function ReviewItem({ review, technicianName }: { review: Review; technicianName?: string }) {
  const { t, localized, formatDate } = useI18n();
  return (
    <article className="review" data-testid="review-item" data-rating={review.rating}>
      <header className="review-head">
        <StarRow value={review.rating} />
        <span className="muted small">
          <bdi>{review.author}</bdi> ·{' '}
          <time dateTime={review.publishedAt}>{formatDate(review.publishedAt)}</time>
        </span>
      </header>
      <p className="muted small">{localized(review.service.name)}</p>
      {review.tags.length > 0 && (
        <ul className="chips review-tags">
          {review.tags.map((tag) => (
            <li key={tag} className="chip">
              {t(`review.tag.${tag}`)}
            </li>
          ))}
        </ul>
      )}
      {review.comment && (
        <p className="prewrap" dir="auto" data-testid="review-comment">
          {review.comment}
        </p>
      )}
      {review.reply && (
        <div className="review-reply" data-testid="review-reply">
          <p className="small review-reply-title">
            {technicianName ? t('review.replyFrom', { name: technicianName }) : t('review.reply')}
          </p>
          <p className="prewrap" dir="auto">
            {review.reply.text}
          </p>
        </div>
      )}
      <ReportButton review={review} />
    </article>
  );
}

/** Signed-in readers may report a review (abusive, fake, …); admins decide. */
function ReportButton({ review }: { review: Review }) {
  const { t } = useI18n();
  const session = useSession();
  const [open, setOpen] = useState(false);
  const report = trpc.review.report.useMutation({ onSuccess: () => setOpen(false) });
  if (session.status !== 'signed-in') return null;
  if (report.isSuccess) {
    return (
      <p className="muted small" role="status">
        {t('review.reported')}
      </p>
    );
  }
  return (
    <>
      <button
        type="button"
        className="button-link small"
        onClick={() => {
          report.reset();
          setOpen(true);
        }}
      >
        {t('review.report')}
      </button>
      <ReasonDialog
        open={open}
        title={t('review.reportDialog.title')}
        body={t('review.reportDialog.body')}
        label={t('review.reportDialog.reason')}
        confirmLabel={t('review.reportDialog.confirm')}
        pendingLabel={t('review.reportDialog.pending')}
        pending={report.isPending}
        error={report.error && t(problemKey(report.error))}
        onConfirm={(reason) => report.mutate({ reviewId: review.id, reason })}
        onClose={() => setOpen(false)}
      />
    </>
  );
}

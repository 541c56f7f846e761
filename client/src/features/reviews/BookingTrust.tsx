import './reviews.css';
import { type FormEvent, useId, useState } from 'react';
import type { PublicUser } from '../../../../server/contracts/auth';
import type { Booking } from '../../../../server/contracts/booking';
import type { BookingReviewState, ReviewTag } from '../../../../server/contracts/review';
import { Spinner } from '../../components/Spinner';
import { useI18n } from '../../i18n/I18nProvider';
import { problemKey, toApiProblem } from '../../lib/apiErrors';
import { Link } from '../../lib/router';
import { trpc } from '../../lib/trpc';
import { useCategories, useServices } from '../catalog/useCatalog';
import { ReviewItem } from './ReviewItem';
import { StarInput } from './StarInput';
import { StarRow } from './Stars';
import { tagsFor } from './tags';

const DONE: Booking['status'][] = ['completed', 'disputed'];

/**
 * The trust side of a booking screen: for the customer, a link to book the technician again and, once the job is done, the review; for the technician, the private rating of the
 * customer and the customer's review once it is published (with a reply).
 */
export function BookingTrust({ booking, user }: { booking: Booking; user: PublicUser }) {
  const isCustomer = booking.customer.id === user.id;
  const isTechnician = booking.technician?.id === user.id;
  if (!isCustomer && !isTechnician) return null;
  return (
    <>
      {isCustomer && booking.technician && <TechnicianLink booking={booking} />}
      {DONE.includes(booking.status) && booking.technician && <ReviewCard booking={booking} />}
    </>
  );
}

function TechnicianLink({ booking }: { booking: Booking }) {
  const { t } = useI18n();
  const technician = booking.technician!;
  const services = useServices();
  const categories = useCategories();
  // "Book again": the same service (and, once bookings can name one, this technician).
  const service = services.data?.find((s) => s.id === booking.service.id);
  const category = categories.data?.find((c) => c.id === service?.categoryId);
  const again =
    DONE.includes(booking.status) && service && category
      ? `/book?category=${encodeURIComponent(category.slug)}&service=${encodeURIComponent(service.slug)}&technician=${technician.id}`
      : null;
  // (Their profile is linked from the technician's card above, with their stars and latest review.)
  if (!again) return null;
  return (
    <p className="trust-links">
      {again && (
        <Link href={again} className="button button-secondary" data-testid="book-again">
          {t('review.bookAgain')}
        </Link>
      )}
    </p>
  );
}

function ReviewCard({ booking }: { booking: Booking }) {
  const { t } = useI18n();
  const state = trpc.review.forBooking.useQuery({ bookingId: booking.id }, { staleTime: 10_000 });
  return (
    <section className="card card-feature" aria-labelledby="review-title" data-testid="review-card">
      <h2 id="review-title">{t('review.title')}</h2>
      {state.data ? (
        state.data.as === 'customer' ? (
          <CustomerReview booking={booking} state={state.data} />
        ) : (
          <TechnicianSide booking={booking} state={state.data} />
        )
      ) : state.error ? (
        <p className="form-error" role="alert">
          {t(problemKey(state.error))}
        </p>
      ) : (
        <div className="skeleton-group" role="status">
          <span className="skeleton" />
          <span className="visually-hidden">{t('app.loading')}</span>
        </div>
      )}
    </section>
  );
}

function CustomerReview({
  booking,
  state,
}: {
  booking: Booking;
  state: Extract<BookingReviewState, { as: 'customer' }>;
}) {
  const { t, formatDate } = useI18n();
  const name = booking.technician!.name;
  if (state.review) {
    const r = state.review;
    return (
      <div data-testid="own-review" data-published={r.publishedAt ? 'true' : 'false'}>
        <StarRow value={r.rating} />
        {r.tags.length > 0 && (
          <ul className="chips review-tags">
            {r.tags.map((tag) => (
              <li key={tag} className="chip">
                {t(`review.tag.${tag}`)}
              </li>
            ))}
          </ul>
        )}
        {r.comment && (
          <p className="prewrap" dir="auto">
            {r.comment}
          </p>
        )}
        <p className="muted small" role="status">
          {r.publishedAt
            ? t('review.published')
            : t('review.waiting', { name, date: formatDate(r.publishesAt) })}
        </p>
      </div>
    );
  }
  if (!state.canReview) return <p className="muted">{t('review.closed')}</p>;
  return <ReviewForm booking={booking} closesAt={state.closesAt} />;
}

function ReviewForm({ booking, closesAt }: { booking: Booking; closesAt: string | null }) {
  const { t, formatDate } = useI18n();
  const utils = trpc.useUtils();
  const commentId = useId();
  const [rating, setRating] = useState<number | null>(null);
  const [tags, setTags] = useState<ReviewTag[]>([]);
  const [comment, setComment] = useState('');
  const [missing, setMissing] = useState(false);
  const create = trpc.review.create.useMutation({
    onSuccess: () => void utils.review.forBooking.invalidate({ bookingId: booking.id }),
    onError: (error) => {
      // Already reviewed (another tab, a retry that got through): show what is stored.
      if (toApiProblem(error).code === 'CONFLICT') void utils.review.forBooking.invalidate();
    },
  });
  const offered = tagsFor(rating);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (rating === null) {
      setMissing(true);
      return;
    }
    create.mutate({
      bookingId: booking.id,
      rating,
      comment: comment.trim() || undefined,
      tags: tags.filter((tag) => offered.includes(tag)),
    });
  };
  return (
    <form className="form review-form" onSubmit={submit} data-testid="review-form" noValidate>
      <p>{t('review.ask', { name: booking.technician!.name })}</p>
      <StarInput
        name="review-rating"
        legend={t('review.rating')}
        value={rating}
        onChange={(value) => {
          setRating(value);
          setMissing(false);
        }}
        disabled={create.isPending}
      />
      {missing && (
        <p className="field-error" role="alert">
          {t('review.ratingRequired')}
        </p>
      )}
      <fieldset className="field" disabled={create.isPending}>
        <legend>{t('review.tags')}</legend>
        <ul className="chips">
          {offered.map((tag) => {
            const on = tags.includes(tag);
            return (
              <li key={tag}>
                <button
                  type="button"
                  className="chip chip-button"
                  aria-pressed={on}
                  data-testid={`review-tag-${tag}`}
                  onClick={() => setTags(on ? tags.filter((x) => x !== tag) : [...tags, tag])}
                >
                  {t(`review.tag.${tag}`)}
                </button>
              </li>
            );
          })}
        </ul>
      </fieldset>
      <div className="field">
        <label htmlFor={commentId}>{t('review.comment')}</label>
        <div className="field-control">
          <textarea
            id={commentId}
            name="comment"
            rows={3}
            maxLength={2000}
            dir="auto"
            value={comment}
            onChange={(event) => setComment(event.target.value)}
            disabled={create.isPending}
          />
        </div>
      </div>
      <p className="muted small">
        {t('review.blind')}
        {closesAt && ` ${t('review.closesAt', { date: formatDate(closesAt) })}`}
      </p>
      {create.error && (
        <p className="form-error" role="alert">
          {t(problemKey(create.error, { CONFLICT: 'review.error.conflict' }))}
        </p>
      )}
      <button
        type="submit"
        className="button button-primary"
        disabled={create.isPending}
        data-testid="submit-review"
      >
        {create.isPending && <Spinner small />}
        {create.isPending ? t('review.sending') : t('review.send')}
      </button>
    </form>
  );
}

function TechnicianSide({
  booking,
  state,
}: {
  booking: Booking;
  state: Extract<BookingReviewState, { as: 'technician' }>;
}) {
  const { t } = useI18n();
  const utils = trpc.useUtils();
  const [rating, setRating] = useState<number | null>(null);
  const rate = trpc.review.rateCustomer.useMutation({
    onSuccess: (next) => utils.review.forBooking.setData({ bookingId: booking.id }, next),
  });
  return (
    <>
      {state.customerRating !== null ? (
        <p data-testid="customer-rated">
          {t('review.customerRated')} <StarRow value={state.customerRating} />
        </p>
      ) : state.canRate ? (
        <form
          className="form"
          onSubmit={(event) => {
            event.preventDefault();
            if (rating !== null) rate.mutate({ bookingId: booking.id, rating });
          }}
          data-testid="rate-customer-form"
        >
          <StarInput
            name="customer-rating"
            legend={t('review.rateCustomer', { name: booking.customer.name })}
            value={rating}
            onChange={setRating}
            disabled={rate.isPending}
          />
          <p className="muted small">{t('review.rateCustomerPrivate')}</p>
          {rate.error && (
            <p className="form-error" role="alert">
              {t(problemKey(rate.error, { CONFLICT: 'review.error.conflict' }))}
            </p>
          )}
          <button
            type="submit"
            className="button button-primary"
            disabled={rating === null || rate.isPending}
            data-testid="submit-customer-rating"
          >
            {rate.isPending && <Spinner small />}
            {t('review.send')}
          </button>
        </form>
      ) : (
        <p className="muted">{t('review.closed')}</p>
      )}
      {state.review ? (
        <>
          <ReviewItem review={state.review} />
          {state.canReply && <ReplyForm reviewId={state.review.id} bookingId={booking.id} />}
        </>
      ) : (
        <p className="muted small">{t('review.notYetVisible')}</p>
      )}
    </>
  );
}

function ReplyForm({ reviewId, bookingId }: { reviewId: string; bookingId: string }) {
  const { t } = useI18n();
  const id = useId();
  const utils = trpc.useUtils();
  const [text, setText] = useState('');
  const reply = trpc.review.reply.useMutation({
    onSuccess: () => void utils.review.forBooking.invalidate({ bookingId }),
  });
  return (
    <form
      className="form"
      onSubmit={(event) => {
        event.preventDefault();
        if (text.trim()) reply.mutate({ reviewId, text: text.trim() });
      }}
    >
      <div className="field">
        <label htmlFor={id}>{t('review.replyLabel')}</label>
        <div className="field-control">
          <textarea
            id={id}
            rows={2}
            maxLength={1000}
            dir="auto"
            value={text}
            onChange={(event) => setText(event.target.value)}
          />
        </div>
      </div>
      {reply.error && (
        <p className="form-error" role="alert">
          {t(problemKey(reply.error, { CONFLICT: 'review.error.conflict' }))}
        </p>
      )}
      <button type="submit" className="button button-secondary" disabled={!text.trim() || reply.isPending}>
        {t('review.replySend')}
      </button>
    </form>
  );
}

import './technician.css';
import { useEffect, useRef, useState } from 'react';
import type { Booking } from '../../../../server/contracts/booking';
import type { Offer } from '../../../../server/contracts/technician';
import { Spinner } from '../../components/Spinner';
import { useI18n } from '../../i18n/I18nProvider';
import { problemKey, toApiProblem } from '../../lib/apiErrors';
import { trpc } from '../../lib/trpc';
import { useNow } from '../../lib/useNow';
import { useResubscribe } from '../../lib/useResubscribe';
import { alertOffer } from '../notifications/offerAlert';

// The server closes expired offers itself; this only hides a card whose "closed" event got lost.
const HIDE_AFTER_EXPIRY_MS = 15_000;
/**
 * A subscription starts with every open offer of the technician: an offer opened from a notification
 * (`/home?offer=<id>`) that has not arrived this long after the subscription went live is gone.
 */
export const FOCUS_WAIT_MS = 3_000;

type Props = {
  onAccepted: (booking: Booking) => void;
  /** The offer a notification tap asked for (`/home?offer=<id>`): scrolled to and highlighted. */
  focusOfferId?: string | null;
  /** The asked-for offer was answered, or is not open any more: the caller can drop it from the URL. */
  onFocusDone?: () => void;
};

/** Job offers pushed to an online technician, each with a live countdown, to accept or decline. */
export function OffersPanel({ onAccepted, focusOfferId = null, onFocusDone }: Props) {
  const { t } = useI18n();
  const [offers, setOffers] = useState<Offer[]>([]);
  const [notice, setNotice] = useState<string | null>(null);
  // The offer asked for was on screen (so its later disappearance is the usual "closed", not "unknown").
  const [focusSeen, setFocusSeen] = useState<string | null>(null);

  const subscription = trpc.technician.offers.useSubscription(undefined, {
    // Each (re)subscription starts with every open offer: begin from a clean list.
    onStarted: () => setOffers([]),
    // Plain events (dispatch.offers is not a tracked stream: each subscription starts from the open offers).
    onData: (event) => {
      if (event.type === 'offer') {
        setOffers((list) => [...list.filter((o) => o.offerId !== event.offer.offerId), event.offer]);
        alertOffer();
      } else {
        setOffers((list) => list.filter((o) => o.offerId !== event.offerId));
      }
    },
  });
  useResubscribe(subscription);
  const { status } = subscription;

  const now = useNow(1000, offers.length > 0);
  const visible = offers.filter((offer) => Date.parse(offer.expiresAt) + HIDE_AFTER_EXPIRY_MS > now);
  const remove = (offerId: string) => setOffers((list) => list.filter((o) => o.offerId !== offerId));
  const focusVisible = focusOfferId !== null && visible.some((o) => o.offerId === focusOfferId);

  useEffect(() => {
    if (focusVisible) setFocusSeen(focusOfferId);
  }, [focusVisible, focusOfferId]);
  // Expired, taken, withdrawn or never this technician's: a short notice instead of a silent list.
  const onFocusDoneRef = useRef(onFocusDone);
  onFocusDoneRef.current = onFocusDone;
  useEffect(() => {
    if (focusOfferId === null || focusVisible || focusSeen === focusOfferId || status !== 'pending') return;
    const timer = setTimeout(() => {
      setFocusSeen(focusOfferId); // said once
      setNotice(t('offers.gone'));
      onFocusDoneRef.current?.();
    }, FOCUS_WAIT_MS);
    return () => clearTimeout(timer);
  }, [focusOfferId, focusVisible, focusSeen, status, t]);

  return (
    <section id="offers" className="card" aria-labelledby="offers-title" data-testid="offers">
      <h2 id="offers-title">{t('offers.title')}</h2>
      <div role="status">
        {notice && (
          <div className="notice-inline">
            <p>{notice}</p>
            <button type="button" className="button button-ghost" onClick={() => setNotice(null)}>
              {t('common.dismiss')}
            </button>
          </div>
        )}
      </div>
      {visible.length === 0 ? (
        <p className="muted waiting">
          {status === 'pending' ? <span className="pulse-dot" aria-hidden="true" /> : <Spinner small />}
          {status === 'pending' ? t('offers.waiting') : t('offers.connecting')}
        </p>
      ) : (
        <ul className="offer-list">
          {visible.map((offer) => (
            <li key={offer.offerId}>
              <OfferCard
                offer={offer}
                now={now}
                focused={offer.offerId === focusOfferId}
                onAccepted={(booking) => {
                  remove(offer.offerId);
                  setNotice(null);
                  if (offer.offerId === focusOfferId) onFocusDone?.();
                  onAccepted(booking);
                }}
                onGone={(message) => {
                  remove(offer.offerId);
                  setNotice(message);
                  if (offer.offerId === focusOfferId) onFocusDone?.();
                }}
                onDeclined={() => {
                  remove(offer.offerId);
                  if (offer.offerId === focusOfferId) onFocusDone?.();
                }}
              />
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

type OfferCardProps = {
  offer: Offer;
  now: number;
  /** Opened from a notification: scrolled into view and highlighted. */
  focused: boolean;
  onAccepted: (booking: Booking) => void;
  /** The offer can't be taken any more (expired, someone else got it): say so plainly. */
  onGone: (message: string) => void;
  onDeclined: () => void;
};

function OfferCard({ offer, now, focused, onAccepted, onGone, onDeclined }: OfferCardProps) {
  const { t, localized, formatMoney, formatDistance, formatClock, formatDateTime } = useI18n();
  const utils = trpc.useUtils();
  const accept = trpc.booking.accept.useMutation({
    onSuccess: (booking) => {
      utils.booking.get.setData({ id: booking.id }, booking);
      void utils.booking.list.invalidate();
      onAccepted(booking);
    },
    onError: (error) => {
      const { code } = toApiProblem(error);
      if (code === 'CONFLICT' || code === 'NOT_FOUND') onGone(t('offers.gone'));
    },
  });
  const decline = trpc.booking.decline.useMutation({
    onSuccess: onDeclined,
    onError: (error) => {
      const { code } = toApiProblem(error);
      if (code === 'CONFLICT' || code === 'NOT_FOUND') onDeclined();
    },
  });

  const expiresAt = Date.parse(offer.expiresAt);
  const secondsLeft = Math.max(0, Math.ceil((expiresAt - now) / 1000));
  // Offers last tens of seconds; the bar shows how much of the (up to 2 min) window is left.
  const [total] = useState(() => Math.max(1, Math.ceil((expiresAt - Date.now()) / 1000)));
  const busy = accept.isPending || decline.isPending;
  const error = accept.error ?? decline.error;

  const ref = useRef<HTMLElement>(null);
  useEffect(() => {
    if (!focused) return;
    const reduce = window.matchMedia?.('(prefers-reduced-motion: reduce)').matches;
    ref.current?.scrollIntoView?.({ block: 'center', behavior: reduce ? 'auto' : 'smooth' });
    ref.current?.focus({ preventScroll: true });
  }, [focused]);

  return (
    <article
      ref={ref}
      className={focused ? 'offer offer-focused' : 'offer'}
      data-testid="offer-card"
      data-offer-id={offer.offerId}
      data-focused={focused || undefined}
      aria-current={focused || undefined}
      tabIndex={focused ? -1 : undefined}
      aria-labelledby={`offer-${offer.offerId}`}
    >
      <div className="offer-head">
        <h3 id={`offer-${offer.offerId}`}>{localized(offer.service.name)}</h3>
        <span className={secondsLeft <= 10 ? 'countdown countdown-low' : 'countdown'}>
          <span className="visually-hidden">{t('offers.timeLeft')} </span>
          <bdi>{formatClock(secondsLeft)}</bdi>
        </span>
      </div>
      <div
        className="countdown-bar"
        role="progressbar"
        aria-label={t('offers.timeLeft')}
        aria-valuemin={0}
        aria-valuemax={total}
        aria-valuenow={secondsLeft}
      >
        <span style={{ inlineSize: `${Math.min(100, (secondsLeft / total) * 100)}%` }} />
      </div>
      <dl className="facts">
        <div>
          <dt>{t('offers.earnings')}</dt>
          <dd className="fact-strong">{formatMoney(offer.earnings)}</dd>
        </div>
        <div>
          <dt>{t('offers.price')}</dt>
          <dd>{formatMoney(offer.price)}</dd>
        </div>
        <div>
          <dt>{t('offers.distance')}</dt>
          <dd>{formatDistance(offer.distanceMeters)}</dd>
        </div>
        <div>
          <dt>{t('offers.when')}</dt>
          <dd>{offer.scheduledFor ? formatDateTime(offer.scheduledFor) : t('offers.now')}</dd>
        </div>
      </dl>
      {error && (
        <p className="form-error" role="alert">
          {t(problemKey(error, { CONFLICT: 'offers.gone' }))}
        </p>
      )}
      <div className="offer-actions">
        <button
          type="button"
          className="button button-secondary"
          data-testid="decline-offer"
          disabled={busy}
          onClick={() => decline.mutate({ id: offer.bookingId })}
        >
          {decline.isPending ? t('offers.declining') : t('offers.decline')}
        </button>
        <button
          type="button"
          className="button button-primary"
          data-testid="accept-offer"
          disabled={busy}
          onClick={() => accept.mutate({ id: offer.bookingId })}
        >
          {accept.isPending && <Spinner small />}
          {accept.isPending ? t('offers.accepting') : t('offers.accept')}
        </button>
      </div>
    </article>
  );
}

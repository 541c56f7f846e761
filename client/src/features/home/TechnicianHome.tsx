import { useEffect, useMemo, useState } from 'react';
import { ACTIVE_JOB_STATUSES } from '#shared/booking';
import type { PublicUser } from '../../../../server/contracts/auth';
import type { Booking } from '../../../../server/contracts/booking';
import { Screen } from '../../components/Screen';
import { useT } from '../../i18n/I18nProvider';
import { problemKey } from '../../lib/apiErrors';
import { navigate, useSearchParams } from '../../lib/router';
import { trpc } from '../../lib/trpc';
import { useBookingPages } from '../booking/BookingsScreen';
import { EarningsLink } from '../earnings/EarningsLink';
import { OnboardingCard } from '../onboarding/OnboardingCard';
import { HoursLink } from '../schedule/HoursLink';
import { ActiveJob } from '../technician/ActiveJob';
import { AreasEditor } from '../technician/AreasEditor';
import { JobHistory } from '../technician/JobHistory';
import { OffersPanel } from '../technician/OffersPanel';
import { OnlinePanel } from '../technician/OnlinePanel';
import { ProfileEditor } from '../technician/ProfileEditor';
import { ServicesEditor } from '../technician/ServicesEditor';
import { TrackingPausedBanner } from '../technician/SharingStatus';
import { useLocationSharing } from '../technician/useLocationSharing';
import { VerificationCard } from '../technician/VerificationCard';
import { AccountPanel } from './AccountPanel';

/** The job statuses during which the customer follows the technician on the map. */
const ON_THE_WAY: readonly Booking['status'][] = ['assigned', 'en_route', 'arrived'];

export function TechnicianHome({ user }: { user: PublicUser }) {
  const t = useT();
  const me = trpc.technician.me.useQuery(undefined, { staleTime: 30_000 });
  const profile = me.data;
  const jobs = useBookingPages(20);
  const items = useMemo(() => jobs.data?.pages.flatMap((page) => page.items) ?? [], [jobs.data]);

  // Jobs shown as "current" stay on screen until dismissed, even after they complete or the customer
  // cancels: the technician sees the outcome instead of the card silently vanishing.
  const [shown, setShown] = useState<string[]>([]);
  const [dismissed, setDismissed] = useState<string[]>([]);
  const openIds = items.filter((job) => ACTIVE_JOB_STATUSES.includes(job.status)).map((job) => job.id);
  const openKey = openIds.join(',');
  // biome-ignore lint/correctness/useExhaustiveDependencies: openKey stands for openIds.
  useEffect(() => {
    if (openIds.length === 0) return;
    setShown((current) => [...current, ...openIds.filter((id) => !current.includes(id))]);
  }, [openKey]);
  const current = shown.filter((id) => !dismissed.includes(id));
  const history = items.filter(
    (job) => !current.includes(job.id) && !ACTIVE_JOB_STATUSES.includes(job.status),
  );

  // Location sharing lives here, not in a card: its warning belongs at the top of the screen, above the job.
  const online = profile?.online ?? false;
  const [sharingStopped, setSharingStopped] = useState(false);
  useEffect(() => {
    if (!online) setSharingStopped(false); // going online again starts sharing again
  }, [online]);
  const onJob = items.some((job) => ON_THE_WAY.includes(job.status));
  const sharing = useLocationSharing({ userId: user.id, active: online && !sharingStopped, onJob });

  const onAccepted = (booking: Booking) =>
    setShown((list) => (list.includes(booking.id) ? list : [booking.id, ...list]));
  const dismiss = (id: string) => setDismissed((list) => [...list, id]);

  // A tap on an offer's push notification lands on `/home?offer=<id>#offers`: that card is highlighted.
  const focusOfferId = useSearchParams().get('offer');
  const dropFocus = () => {
    if (new URLSearchParams(window.location.search).has('offer'))
      window.history.replaceState(null, '', window.location.pathname);
  };

  return (
    <Screen heading={t('home.greeting', { name: user.name })} testId="home-technician">
      {profile ? (
        <>
          <TrackingPausedBanner state={sharing} />
          <VerificationCard profile={profile} />
          {profile.verification !== 'verified' && <OnboardingCard />}
          {current.map((id) => (
            <ActiveJob key={id} id={id} onDismiss={() => dismiss(id)} />
          ))}
          <OnlinePanel
            profile={profile}
            sharing={sharing}
            sharingStopped={sharingStopped}
            onStopSharing={() => setSharingStopped(true)}
            onResumeSharing={() => setSharingStopped(false)}
          />
          {profile.online ? (
            <OffersPanel onAccepted={onAccepted} focusOfferId={focusOfferId} onFocusDone={dropFocus} />
          ) : (
            focusOfferId && <OfferLinkGone onDismiss={() => navigate('/home', { replace: true })} />
          )}
        </>
      ) : me.error ? (
        <section className="card">
          <p className="form-error" role="alert">
            {t(problemKey(me.error))}
          </p>
          <button type="button" className="button button-secondary" onClick={() => void me.refetch()}>
            {t('common.retry')}
          </button>
        </section>
      ) : (
        <section className="card" aria-busy="true">
          <div className="skeleton-group" role="status">
            <span className="skeleton skeleton-lg" />
            <span className="skeleton" />
            <span className="visually-hidden">{t('app.loading')}</span>
          </div>
        </section>
      )}
      <EarningsLink />
      <HoursLink />
      <JobHistory
        jobs={history}
        loading={jobs.isPending}
        error={jobs.error}
        hasMore={Boolean(jobs.hasNextPage)}
        loadingMore={jobs.isFetchingNextPage}
        onMore={() => void jobs.fetchNextPage()}
        onRetry={() => void jobs.refetch()}
      />
      {profile && <ServicesEditor profile={profile} user={user} />}
      {profile && <ProfileEditor profile={profile} />}
      {profile && <AreasEditor user={user} profile={profile} />}
      <AccountPanel user={user} />
    </Screen>
  );
}

/** An offer's notification opened while offline: the offer closed when its technician went offline. */
function OfferLinkGone({ onDismiss }: { onDismiss: () => void }) {
  const t = useT();
  return (
    <section className="card" data-testid="offer-link-gone">
      <div className="notice-inline" role="status">
        <p>{t('offers.gone')}</p>
        <button type="button" className="button button-ghost" onClick={onDismiss}>
          {t('common.dismiss')}
        </button>
      </div>
    </section>
  );
}

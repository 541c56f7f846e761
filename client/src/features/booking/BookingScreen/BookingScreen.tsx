import type { PublicUser } from '../../../../../server/contracts/auth';
import { Loading } from '../../../components/Loading';
import { Screen } from '../../../components/Screen';
import { useI18n } from '../../../i18n/I18nProvider';
import { problemKey } from '../../../lib/apiErrors';
import { Link } from '../../../lib/router';
import { CasePanel } from '../../cases/CasePanel';
import { ChatPanel } from '../../chat/ChatPanel';
import { PaymentPanel } from '../../payments/PaymentPanel';
import { BookingTrust } from '../../reviews/BookingTrust';
import { BookingPhotos } from '../../upload/JobPhotos';
import { LiveTracking, TRACKED_STATUSES } from '../LiveTracking';
import { useLiveBooking } from '../useLiveBooking';
import { BookingDetails } from './BookingDetails';
import { History } from './History';
import { StatusPanel } from './StatusPanel';

/** One booking, live: its status as it changes, who is coming, what it costs, and what happened when. */
export function BookingScreen({ id, user }: { id: string; user: PublicUser }) {
  const { t, localized } = useI18n();
  const { booking, query, notFound, live } = useLiveBooking(id);

  if (!booking) {
    return (
      <Screen heading={t('booking.title')} testId="booking-status">
        {notFound ? (
          <>
            <p>{t('booking.notFound')}</p>
            <Link href="/bookings" className="button button-secondary">
              {t('bookings.title')}
            </Link>
          </>
        ) : query.error ? (
          <div className="card">
            <p className="form-error" role="alert">
              {t(problemKey(query.error))}
            </p>
            <button type="button" className="button button-secondary" onClick={() => void query.refetch()}>
              {t('common.retry')}
            </button>
          </div>
        ) : (
          <Loading />
        )}
      </Screen>
    );
  }

  // The customer (and admins) follow the technician on a live map while they are on the way.
  const tracking =
    booking.technician !== null &&
    TRACKED_STATUSES.includes(booking.status) &&
    (user.role === 'admin' || booking.customer.id === user.id);

  return (
    <Screen heading={localized(booking.service.name)} testId="booking-status" status={booking.status}>
      <nav className="breadcrumbs" aria-label={t('bookings.title')}>
        <Link href={user.role === 'customer' ? '/bookings' : '/home'}>
          {user.role === 'customer' ? t('booking.allBookings') : t('booking.backHome')}
        </Link>
      </nav>
      <StatusPanel booking={booking} user={user} live={live} />
      <CasePanel booking={booking} user={user} />
      <BookingTrust booking={booking} user={user} />
      {tracking && <LiveTracking booking={booking} />}
      <PaymentPanel booking={booking} user={user} />
      <ChatPanel booking={booking} user={user} />
      <BookingDetails booking={booking} showMap={!tracking} />
      <BookingPhotos booking={booking} />
      <History id={booking.id} />
    </Screen>
  );
}

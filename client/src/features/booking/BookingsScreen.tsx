import type { PublicUser } from '../../../../server/contracts/auth';
import type { Booking } from '../../../../server/contracts/booking';
import { PagedList } from '../../components/PagedList';
import { Screen } from '../../components/Screen';
import { useI18n } from '../../i18n/I18nProvider';
import { Link } from '../../lib/router';
import { trpc } from '../../lib/trpc';
import { OutboxList } from './OutboxList';
import { StatusChip } from './StatusChip';

const PAGE_SIZE = 20;

export function useBookingPages(limit = PAGE_SIZE) {
  return trpc.booking.list.useInfiniteQuery(
    { limit },
    { getNextPageParam: (last) => last.nextCursor ?? undefined, staleTime: 15_000 },
  );
}

/** The customer's bookings, newest first. */
export function BookingsScreen({ user }: { user: PublicUser }) {
  const { t } = useI18n();
  const pages = useBookingPages();
  const items = pages.data?.pages.flatMap((page) => page.items) ?? [];

  return (
    <Screen heading={t('bookings.title')} testId="bookings">
      <div className="actions">
        <Link href="/home">{t('booking.backHome')}</Link>
        {user.role === 'customer' && (
          <Link href="/book" className="button button-primary">
            {t('customer.book.action')}
          </Link>
        )}
      </div>
      <OutboxList />
      <PagedList
        pages={pages}
        count={items.length}
        retry
        errorBox="card"
        empty={<p className="muted">{t('bookings.empty')}</p>}
      >
        <BookingList items={items} />
      </PagedList>
    </Screen>
  );
}

export function BookingList({ items }: { items: Booking[] }) {
  const { localized, formatDateTime, formatMoney } = useI18n();
  return (
    <ul className="booking-list">
      {items.map((booking) => (
        <li key={booking.id}>
          <Link href={`/bookings/${booking.id}`} className="booking-item" data-testid="booking-item">
            <span className="booking-item-main">
              <span className="booking-item-title">{localized(booking.service.name)}</span>
              <span className="muted small">{formatDateTime(booking.scheduledFor ?? booking.createdAt)}</span>
              <span className="muted small truncate" dir="auto">
                {booking.location.address}
              </span>
            </span>
            <span className="booking-item-side">
              <StatusChip status={booking.status} />
              <span className="small">{formatMoney(booking.price.total)}</span>
            </span>
          </Link>
        </li>
      ))}
    </ul>
  );
}

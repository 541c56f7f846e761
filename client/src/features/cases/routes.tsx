import { lazy } from 'react';
import type { ModuleRoutes } from '../../app/moduleRoutes';

const BookingsBoard = lazy(() => import('./BookingsBoard').then((m) => ({ default: m.BookingsBoard })));
const AdminBookingScreen = lazy(() =>
  import('./AdminBookingScreen').then((m) => ({ default: m.AdminBookingScreen })),
);
const DisputesQueue = lazy(() => import('./DisputesQueue').then((m) => ({ default: m.DisputesQueue })));
const AdminCaseScreen = lazy(() => import('./AdminCaseScreen').then((m) => ({ default: m.AdminCaseScreen })));

const UUID = '([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})';
const BOOKING = new RegExp(`^/admin/bookings/${UUID}/?$`, 'i');
const CASE = new RegExp(`^/admin/disputes/${UUID}/?$`, 'i');

/** The cases module's screens (lazy-loaded): the bookings board and the dispute cases, for admins. */
export const casesRoutes: ModuleRoutes = ({ path, signedIn }) => {
  if (path === '/admin/bookings' || path === '/admin/bookings/')
    return signedIn(() => <BookingsBoard />, ['admin']);
  if (path === '/admin/disputes' || path === '/admin/disputes/')
    return signedIn(() => <DisputesQueue />, ['admin']);
  const booking = BOOKING.exec(path)?.[1]?.toLowerCase();
  if (booking) return signedIn(() => <AdminBookingScreen key={booking} id={booking} />, ['admin']);
  const kase = CASE.exec(path)?.[1]?.toLowerCase();
  if (kase) return signedIn(() => <AdminCaseScreen key={kase} id={kase} />, ['admin']);
  return undefined;
};

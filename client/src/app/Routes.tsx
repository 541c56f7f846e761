import { type ComponentType, lazy, type ReactNode, Suspense } from 'react';
import type { PublicUser, Role } from '../../../server/contracts/auth';
import { Loading } from '../components/Loading';
import { type Session, useSession } from '../features/session/SessionProvider';
import { authPath, safeReturnPath } from '../lib/returnTo';
import { Redirect, usePathname, useSearchParams } from '../lib/router';
import { Landing } from './Landing';
import { moduleRoutes } from './moduleRoutes';
import { NotFound } from './NotFound';
import { ScreenErrorBoundary } from './ScreenErrorBoundary';

// Each role only ever downloads its own home; the auth forms (and the validation schemas they bring)
// load only for signed-out visitors.
const homes: Record<Role, ComponentType<{ user: PublicUser }>> = {
  customer: lazy(() => import('../features/home/CustomerHome').then((m) => ({ default: m.CustomerHome }))),
  technician: lazy(() =>
    import('../features/home/TechnicianHome').then((m) => ({ default: m.TechnicianHome })),
  ),
  admin: lazy(() => import('../features/home/AdminHome').then((m) => ({ default: m.AdminHome }))),
};
const SignInScreen = lazy(() =>
  import('../features/auth/SignInScreen').then((m) => ({ default: m.SignInScreen })),
);
const SignUpScreen = lazy(() =>
  import('../features/auth/SignUpScreen').then((m) => ({ default: m.SignUpScreen })),
);

// Booking screens: only customers book; anyone signed in may open a booking they are part of.
const BookScreen = lazy(() =>
  import('../features/booking/BookScreen').then((m) => ({ default: m.BookScreen })),
);
const BookingsScreen = lazy(() =>
  import('../features/booking/BookingsScreen').then((m) => ({ default: m.BookingsScreen })),
);
const BookingScreen = lazy(() =>
  import('../features/booking/BookingScreen/BookingScreen').then((m) => ({ default: m.BookingScreen })),
);

// Money (issue 10): receipts for anyone on the booking, earnings for technicians, refunds and payouts for admins.
const ReceiptScreen = lazy(() =>
  import('../features/payments/ReceiptScreen').then((m) => ({ default: m.ReceiptScreen })),
);
const EarningsScreen = lazy(() =>
  import('../features/earnings/EarningsScreen').then((m) => ({ default: m.EarningsScreen })),
);
const PaymentsAdmin = lazy(() =>
  import('../features/admin/PaymentsAdmin').then((m) => ({ default: m.PaymentsAdmin })),
);

// Discovery (issue 12): public, so the catalogue and technicians are browsable before sign-up.
const SearchScreen = lazy(() =>
  import('../features/search/SearchScreen').then((m) => ({ default: m.SearchScreen })),
);
const TechnicianProfileScreen = lazy(() =>
  import('../features/profile/TechnicianProfileScreen').then((m) => ({ default: m.TechnicianProfileScreen })),
);

const HOME_PATH = '/home';
const BOOKING_PATH = /^\/bookings\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\/?$/i;
const TECHNICIAN_PATH = /^\/technicians\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\/?$/i;
const RECEIPT_PATH =
  /^\/bookings\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\/receipt\/?$/i;

/**
 * Renders `screen` for a signed-in user (of one of `roles`, if given); otherwise sends them where they
 * belong. A visitor goes to sign in (or, from `/book`, to sign UP: booking is where Fundi asks a new
 * customer for an account) and comes back to this very URL afterwards.
 */
function signedIn(session: Session, screen: (user: PublicUser) => ReactNode, roles?: Role[]): ReactNode {
  if (session.status === 'loading') return <Loading />;
  if (session.status === 'signed-out') {
    const here = window.location.pathname + window.location.search;
    return <Redirect to={authPath(window.location.pathname === '/book' ? '/sign-up' : '/sign-in', here)} />;
  }
  if (roles && !roles.includes(session.user.role)) return <Redirect to={HOME_PATH} />;
  return screen(session.user);
}

function route(path: string, session: Session, params: URLSearchParams): ReactNode {
  switch (path) {
    case '/':
      if (session.status === 'loading') return <Loading />;
      return session.status === 'signed-in' ? <Redirect to={HOME_PATH} /> : <Landing />;
    case '/sign-in':
    case '/sign-up':
      if (session.status === 'loading') return <Loading />;
      if (session.status === 'signed-in')
        return <Redirect to={safeReturnPath(params.get('next')) ?? HOME_PATH} />;
      return path === '/sign-in' ? <SignInScreen /> : <SignUpScreen />;
    case HOME_PATH:
      return signedIn(session, (user) => {
        const Home = homes[user.role];
        return <Home user={user} />;
      });
    case '/book':
      return signedIn(session, (user) => <BookScreen user={user} />, ['customer']);
    case '/search':
      return <SearchScreen />;
    case '/bookings':
      return signedIn(session, (user) => <BookingsScreen user={user} />);
    case '/earnings':
      return signedIn(session, (user) => <EarningsScreen user={user} />, ['technician']);
    case '/admin/payments':
      return signedIn(session, (user) => <PaymentsAdmin user={user} />, ['admin']);
    default: {
      const receipt = RECEIPT_PATH.exec(path);
      if (receipt?.[1]) {
        const id = receipt[1].toLowerCase();
        return signedIn(session, (user) => <ReceiptScreen key={id} id={id} user={user} />);
      }
      const booking = BOOKING_PATH.exec(path);
      if (booking?.[1]) {
        const id = booking[1].toLowerCase();
        return signedIn(session, (user) => <BookingScreen key={id} id={id} user={user} />);
      }
      const technicianPage = TECHNICIAN_PATH.exec(path);
      if (technicianPage?.[1]) {
        const id = technicianPage[1].toLowerCase();
        return <TechnicianProfileScreen key={id} id={id} />;
      }
      for (const routes of moduleRoutes) {
        const screen = routes({
          path,
          session,
          signedIn: (screen, roles) => signedIn(session, screen, roles),
        });
        if (screen !== undefined) return screen;
      }
      return <NotFound />;
    }
  }
}

export function Routes() {
  const path = usePathname();
  const session = useSession();
  const params = useSearchParams();
  return (
    <ScreenErrorBoundary key={path}>
      <Suspense fallback={<Loading />}>{route(path, session, params)}</Suspense>
    </ScreenErrorBoundary>
  );
}

import { type ComponentType, lazy, type ReactNode, Suspense } from 'react';
import type { PublicUser, Role } from '../../../server/contracts/auth';
import { Loading } from '../components/Loading';
import { type Session, useSession } from '../features/session/SessionProvider';
import { Redirect, usePathname } from '../lib/router';
import { Landing } from './Landing';
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

const HOME_PATH = '/home';

function route(path: string, session: Session): ReactNode {
  switch (path) {
    case '/':
      if (session.status === 'loading') return <Loading />;
      return session.status === 'signed-in' ? <Redirect to={HOME_PATH} /> : <Landing />;
    case '/sign-in':
    case '/sign-up':
      if (session.status === 'loading') return <Loading />;
      if (session.status === 'signed-in') return <Redirect to={HOME_PATH} />;
      return path === '/sign-in' ? <SignInScreen /> : <SignUpScreen />;
    case HOME_PATH: {
      if (session.status === 'loading') return <Loading />;
      if (session.status === 'signed-out') return <Redirect to="/sign-in" />;
      const Home = homes[session.user.role];
      return <Home user={session.user} />;
    }
    default:
      return <NotFound />;
  }
}

export function Routes() {
  const path = usePathname();
  const session = useSession();
  return (
    <ScreenErrorBoundary key={path}>
      <Suspense fallback={<Loading />}>{route(path, session)}</Suspense>
    </ScreenErrorBoundary>
  );
}

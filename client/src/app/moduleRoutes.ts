import type { ReactNode } from 'react';
import type { PublicUser, Role } from '../../../server/contracts/auth';
import { analyticsRoutes } from '../features/analytics/routes';
import { casesRoutes } from '../features/cases/routes';
import { consoleRoutes } from '../features/console/routes';
import { developerRoutes } from '../features/developer/routes';
import { notificationsRoutes } from '../features/notifications/routes';
import { onboardingRoutes } from '../features/onboarding/routes';
import { scheduleRoutes } from '../features/schedule/routes';
import type { Session } from '../features/session/SessionProvider';

/** What a module's route table gets: the path, the session, and the guard for signed-in screens. */
export type RouteArgs = {
  path: string;
  session: Session;
  signedIn: (screen: (user: PublicUser) => ReactNode, roles?: Role[]) => ReactNode;
};

/** A module's screens: the element for `path`, or undefined when the path is not one of its own. */
export type ModuleRoutes = (args: RouteArgs) => ReactNode | undefined;

/** Each module owns its paths (and lazy-loads its screens); Routes.tsx asks them in turn. */
export const moduleRoutes: ModuleRoutes[] = [
  consoleRoutes,
  casesRoutes,
  analyticsRoutes,
  onboardingRoutes,
  developerRoutes,
  notificationsRoutes,
  scheduleRoutes,
];

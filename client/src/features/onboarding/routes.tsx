import { lazy } from 'react';
import type { ModuleRoutes } from '../../app/moduleRoutes';

const OnboardingScreen = lazy(() =>
  import('./OnboardingScreen').then((m) => ({ default: m.OnboardingScreen })),
);
const QueueScreen = lazy(() => import('./admin/QueueScreen').then((m) => ({ default: m.QueueScreen })));
const ReviewScreen = lazy(() => import('./admin/ReviewScreen').then((m) => ({ default: m.ReviewScreen })));

const REVIEW_PATH =
  /^\/admin\/onboarding\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\/?$/i;

/** The onboarding module's screens (lazy-loaded); undefined for paths it does not own. */
export const onboardingRoutes: ModuleRoutes = ({ path, signedIn }) => {
  if (path === '/onboarding') return signedIn((user) => <OnboardingScreen user={user} />, ['technician']);
  if (path === '/admin/onboarding') return signedIn(() => <QueueScreen />, ['admin']);
  const review = REVIEW_PATH.exec(path);
  if (review?.[1]) {
    const id = review[1].toLowerCase();
    return signedIn(() => <ReviewScreen key={id} technicianId={id} />, ['admin']);
  }
  return undefined;
};

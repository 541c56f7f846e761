import { router } from '../../trpc/procedures';

/** onboarding.* for technicians (issue 13 §4). */
export const onboardingRouter = router({});

/** admin.onboarding.* (issue 13 §4). */
export const adminOnboardingRouter = router({});

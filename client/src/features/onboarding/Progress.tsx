import { useId } from 'react';
import type { OnboardingView } from '../../../../server/contracts/onboarding';
import { useI18n } from '../../i18n/I18nProvider';
import { trpc } from '../../lib/trpc';

export function useOnboardingStatus() {
  return trpc.onboarding.status.useQuery(undefined, { staleTime: 10_000 });
}

/** "3 of 5 steps done" with a bar. */
export function OnboardingProgress({ view }: { view: OnboardingView }) {
  const { t } = useI18n();
  const id = useId();
  return (
    <div className="onb-progress">
      <span id={id}>
        {t('onboarding.progress', { done: view.progress.done, total: view.progress.total })}
      </span>
      <progress
        aria-labelledby={id}
        max={view.progress.total}
        value={view.progress.done}
        data-testid="onboarding-progress"
        data-done={view.progress.done}
      />
    </div>
  );
}
